"""The ``rag`` command: ingest, ask, search, serve, eval, bench, migrate.

Example::

    $ rag ingest seeds/
    $ rag ask "苏州2016年职工书屋多少家"
    $ rag ask --json "无锡给多少困难职工的孩子发了助学金？"
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from rag.messages import change_line, compare_line, rest_line, whole_line
from rag.settings import RetrievalMode, get_settings

# Piped or redirected output is not wrapped: a copied quote keeps its sentences whole.
console = Console(soft_wrap=not sys.stdout.isatty())
err = Console(stderr=True, soft_wrap=not sys.stderr.isatty())


def _pipeline(warm: bool = False):
    from rag.index import IndexLoadError
    from rag.pipeline import Pipeline

    try:
        return Pipeline.load(get_settings(), warm=warm)
    except IndexLoadError as exc:
        err.print(f"[red]{escape(str(exc))}[/red]")
        sys.exit(2)


_STAGES = {
    "chunking": "分块",
    "embedding": "编码",
    "indexing": "建立检索索引",
    "saving": "保存",
}


@contextlib.contextmanager
def _ingest_progress():
    """A bar of our own for ``rag ingest``: the stage, and texts embedded / total."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()]
    with Progress(*columns, TimeElapsedColumn(), console=err, transient=True) as bar:
        task = bar.add_task("正在加载模型…", total=None)

        def report(stage: str, done: int, total: int) -> None:
            label = _STAGES.get(stage, stage)
            if stage == "embedding":
                bar.update(task, description=label, completed=done, total=total)
            else:
                bar.update(task, description=label)

        yield report


def cmd_ingest(args) -> int:
    from rag.ingest import ingest

    settings = get_settings()
    paths = [Path(p) for p in args.paths] or [settings.seeds_dir]
    from rag.index import IndexBusy, IndexLoadError

    try:
        with _ingest_progress() as progress:
            report = ingest(paths, settings, progress=progress)
    except IndexBusy as exc:
        err.print(f"[red]{escape(str(exc))}[/red]")
        return 3
    except IndexLoadError as exc:  # RAG_STORE=postgres and the database is unreachable
        err.print(f"[red]{escape(str(exc))}[/red]")
        return 2
    # File names are escaped: "report[/b].txt" is a name, not rich markup.
    for name in report.added:
        console.print(f"[green]新增[/green] {escape(name)}")
    for name in report.replaced:
        console.print(f"[yellow]更新[/yellow] {escape(name)}")
    for name, existing in report.duplicates:
        console.print(
            f"[dim]重复[/dim] {escape(name)}（内容与已有文档 {escape(existing)} 相同，已跳过）"
        )
    for _name, reason in report.failed:
        err.print(f"[red]失败[/red] {escape(reason)}")
    index = report.index
    total = f"{len(index.docs)} 篇文档，{len(index.chunks)} 个文本块" if index else "索引为空"
    console.print(
        f"完成：新增 {len(report.added)}，更新 {len(report.replaced)}，未变 {len(report.unchanged)}，"
        f"失败 {len(report.failed)}。当前索引：{total}。"
    )
    return 1 if report.failed and not (report.added or report.replaced or report.unchanged) else 0


def cmd_ask(args) -> int:
    qa = _pipeline()
    result = qa.ask(args.question, top_k=args.top_k, mode=args.mode)
    if args.json:
        print(
            json.dumps(result.model_dump(mode="json", by_alias=True), ensure_ascii=False, indent=2)
        )
        return 1 if result.answer is None else 0
    if result.answer is None:
        console.print(f"[yellow]{escape(result.message or '')}[/yellow]", highlight=False)
        if result.citations:
            console.print("[dim]最接近的句子：[/dim]")
        for c in result.citations:
            quote = c.quote.replace("\n", "")
            quote = quote[:80] + ("…" if len(quote) > 80 else "")
            console.print(f"  [dim]“{escape(quote)}”— {escape(c.title)}[/dim]", highlight=False)
        return 1  # like grep: nothing found
    _print_answer(result)
    return 0


def _print_answer(result) -> None:
    """The answer as a reader wants it: the span (a list item by item, a person with the
    post), then every quoted sentence with its document and offsets."""
    answer, first = result.answer, result.citations[0]
    if result.resolved_question:
        console.print(f"[dim]按“{escape(result.resolved_question)}”查找[/dim]", highlight=False)
    where = f"（{first.region or '-'} · {first.period or '-'}）"
    if answer.items:
        console.print(f"[bold]共 {len(answer.items)} 项[/bold]  {escape(where)}", highlight=False)
        for n, item in enumerate(answer.items, 1):
            console.print(f"  {n}. {escape(item.text)}", highlight=False)
    elif answer.kind.is_passage:
        console.print(f"[dim]相关原文{escape(where)}：[/dim]", highlight=False)
    elif answer.rest is not None:  # 没有…的有多少 asked: the rest, then the whole and part
        console.print(f"[bold]{escape(rest_line(answer))}[/bold]  {escape(where)}", highlight=False)
        console.print(f"  {escape(whole_line(answer))}", highlight=False)
    elif answer.change is not None:  # 增加了多少 asked: the difference, then what it reached
        by = change_line(answer)
        console.print(f"[bold]{escape(by)}[/bold]  {escape(where)}", highlight=False)
        console.print(f"  达到 {escape(answer.text)}", highlight=False)
    else:
        post = f"（{answer.post}）" if answer.post else ""
        console.print(
            f"[bold]{escape(answer.text)}[/bold]{escape(post)}  {escape(where)}", highlight=False
        )
    if answer.from_ is not None and answer.rest is None:
        console.print(f"  此前为 {answer.from_:g}", highlight=False)
    if answer.compared:
        console.print(escape(compare_line(answer)), highlight=False)
        for side in answer.compared:
            console.print(escape(f"  {side.place}：{side.text}"), highlight=False)
    for c in result.citations:
        page = f"，PDF 第 {c.page} 页" if c.page else ""
        console.print(f"“{escape(c.quote)}”", highlight=False)
        console.print(
            escape(f"— {c.title}（{c.doc_id}），第 {c.start}–{c.end} 字{page}"),
            style="dim",
            highlight=False,
        )


def cmd_search(args) -> int:
    qa = _pipeline()
    result = qa.search(args.question, top_k=args.top_k, mode=args.mode)
    if args.json:
        print(json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2))
        return 0
    passages = sorted(result.passages, key=lambda p: -p.score)
    for i, p in enumerate(passages, 1):
        console.print(
            f"[bold]{i}. {escape(p.title)}[/bold] ({escape(p.region or '-')} · {escape(p.period or '-')}) "
            f"{p.start}-{p.end} score={p.score:.4f} tokens={p.tokens}",
            highlight=False,
        )
        console.print(escape(p.text.replace("\n", " ")[:300]), highlight=False)
    return 0


def cmd_serve(args) -> int:
    from api.server import serve

    return serve(host=args.host, port=args.port, workers=args.workers)


def cmd_mcp(args) -> int:
    from api.mcp_server import serve_stdio

    return serve_stdio()


def cmd_eval(args) -> int:
    from eval.run import main as eval_main

    return eval_main(args)


def cmd_migrate(args) -> int:
    from rag.index import IndexBusy, IndexLoadError
    from rag.pg import migrate

    settings = get_settings()
    if args.database_url:
        settings = settings.model_copy(update={"database_url": args.database_url})
    source = Path(args.source) if args.source else settings.index_dir
    try:
        with console.status(f"正在把 {source} 的索引复制到 PostgreSQL…"):
            index = migrate(settings, source)
    except IndexLoadError as exc:
        err.print(f"[red]{escape(str(exc))}[/red]")
        return 2
    except IndexBusy as exc:
        err.print(f"[red]{escape(str(exc))}[/red]")
        return 3
    console.print(
        f"完成：{len(index.docs)} 篇文档，{len(index.chunks)} 个文本块已写入 PostgreSQL"
        f"（corpus_version {index.version}）。用 RAG_STORE=postgres 启动服务即可使用。"
    )
    return 0


def cmd_bench(args) -> int:
    from bench.run import main as bench_main

    return bench_main(args)


def _command(sub, name: str, text: str) -> argparse.ArgumentParser:
    """A subcommand whose one-line summary is also the description its --help shows."""
    return sub.add_parser(name, help=text, description=text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rag", description="工会工作报告数字问答")
    sub = parser.add_subparsers(dest="command", required=True)

    p = _command(sub, "ingest", "导入 .txt/.md/.pdf/.docx/.html 文件或目录（默认 seeds/）")
    p.add_argument("paths", nargs="*", help="文件或目录；不给时导入 seeds/")
    p.set_defaults(func=cmd_ingest)

    for name, func, helptext in (
        ("ask", cmd_ask, "提问，返回答案和原文引用；未找到时退出码为 1"),
        ("search", cmd_search, "只检索段落，按得分排列，附 token 数"),
    ):
        p = _command(sub, name, helptext)
        p.add_argument("question", help="问题，如“苏州2016年职工书屋多少家”")
        p.add_argument("--json", action="store_true", help="输出 JSON（与 HTTP API 相同的对象）")
        p.add_argument("--top-k", type=int, default=None, help="检索的段落数")
        p.add_argument(
            "--mode", type=RetrievalMode.parse, default=None, help="hybrid | dense | bm25"
        )
        p.set_defaults(func=func)

    p = _command(sub, "serve", "启动 HTTP 服务和演示页")
    p.add_argument("--host", default=None, help="监听地址（默认 127.0.0.1）")
    p.add_argument("--port", type=int, default=None, help="端口（默认 8000）")
    p.add_argument("--workers", type=int, default=1, help="工作进程数")
    p.set_defaults(func=cmd_serve)

    p = _command(sub, "mcp", "以 MCP 服务器运行（stdio），供桌面大模型客户端调用")
    p.set_defaults(func=cmd_mcp)

    p = _command(sub, "eval", "用金标准问题集评测")
    p.add_argument("--gold", default=None, help="金标准问题集（默认 eval/gold.jsonl）")
    p.add_argument("--mode", default="hybrid", help="hybrid | dense | bm25 | all")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.add_argument("--report", default=None, help="报告目录")
    p.add_argument("--floor", default=None, help="低于该文件记录的准确率时以非零状态退出")
    p.add_argument(
        "--conversations",
        default=None,
        help="追问对话集（默认 eval/conversations.jsonl；none 跳过）",
    )
    p.add_argument(
        "--kinds",
        default=None,
        help="人物、日期、列举等非数字问题集（默认 eval/kinds.jsonl；none 跳过）",
    )
    p.set_defaults(func=cmd_eval)

    p = _command(sub, "bench", "性能基准，写入 BENCHMARKS.md")
    p.add_argument("--quick", action="store_true", help="少量重复，快速跑一遍")
    p.add_argument("--output", default="BENCHMARKS.md", help="输出文件")
    p.set_defaults(func=cmd_bench)
    p = _command(sub, "migrate", "把嵌入式索引（index/）复制到 PostgreSQL")
    p.add_argument("--from", dest="source", default=None, help="索引目录（默认 RAG_INDEX_DIR）")
    p.add_argument("--database-url", default=None, help="默认读取 RAG_DATABASE_URL")
    p.set_defaults(func=cmd_migrate)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())
