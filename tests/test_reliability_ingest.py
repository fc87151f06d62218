"""Ingestion under bad input: encodings, refused files, size limits, duplicates, changed
files, corrupted or mismatched indexes, and the writer lock.

Every test works on its own copy of the session's seed index; the synthetic reports
carry figures no seed document has, so a right answer can only come from them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import MISSION, ROOT

from rag.documents import DocumentError, decode_bytes, make_document, read_document
from rag.index import IndexBusy, IndexLoadError, current_generation, ingest_lock, load_index
from rag.ingest import ingest
from rag.pipeline import Pipeline
from rag.settings import Settings

# A report in simplified Chinese; {city}, {year}, {figure} make each copy distinct.
SIMPLIFIED = """{city}市总工会{year}年工作报告

各位委员，同志们：

{year}年，{city}市总工会在市委和上级工会的坚强领导下，紧紧围绕全市中心工作，团结动员广大职工群众建功立业，各项工作取得了新的进展。{extra}
一、职工文化建设扎实推进。{year}年全市新建职工书屋 {figure} 家，开展职工读书活动 46 场次，参与职工超过两万人次。
二、困难职工帮扶精准有效。各级工会走访慰问困难职工 2365 户，发放慰问金 418.6 万元。
三、劳动和技能竞赛广泛开展。组织各类竞赛 58 项，评选劳动模范 30 名。
"""
# The same kind of report in traditional characters, as a Big5 file would hold it.
TRADITIONAL = """香港職工會聯合會{year}年工作報告

各位委員，同志們：

{year}年，香港職工會聯合會在各界支持下，緊緊圍繞會務中心工作，團結廣大職工群眾，各項工作取得了新的進展。
一、職工文化建設紮實推進。{year}年新建職工書屋 {figure} 家，開展職工讀書活動 46 場次，參與職工超過兩萬人次。
二、困難職工幫扶精準有效。各級工會走訪慰問困難職工 2365 戶，發放慰問金 418.6 萬元。
"""


def simplified(city: str, year: int, figure: int, extra: str = "") -> str:
    return SIMPLIFIED.format(city=city, year=year, figure=figure, extra=extra)


# (file name, encoding, text, question, expected figure)
GOOD_FILES = [
    ("utf8_changzhou.txt", "utf-8", simplified("常州", 2018, 173), "常州2018年新建职工书屋多少家", 173),
    ("bom_taizhou.txt", "utf-8-sig", simplified("泰州", 2019, 241), "泰州2019年新建职工书屋多少家", 241),
    ("gbk_yancheng.txt", "gbk", simplified("盐城", 2018, 317), "盐城2018年新建职工书屋多少家", 317),
    # 𠈌 (CJK extension B) exists in GB18030 but not in GBK.
    (
        "gb18030_suqian.md",
        "gb18030",
        simplified("宿迁", 2019, 129, extra="市总工会主席王𠈌出席会议并讲话。"),
        "宿迁2019年新建职工书屋多少家",
        129,
    ),
    ("big5_hongkong.txt", "big5", TRADITIONAL.format(year=2019, figure=57), "香港2019年新建職工書屋多少家", 57),
]  # fmt: skip

MAX_FILE_BYTES = 20_000
BAD_FILES: dict[str, tuple[bytes, str]] = {
    # name: (content, words the reason must contain)
    "binary.txt": (bytes(range(256)) * 8, "不是文本文件"),
    "photo_as_text.txt": (b"\x89PNG\r\n\x1a\n" + bytes(200), "PNG"),
    "cut.pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(100), "PDF 文件不完整"),
    "photo.jpg": (b"\xff\xd8\xff\xe0" + bytes(100), "不支持的文件类型 .jpg"),
    "renamed_pdf.md": (b"%PDF-1.4 fake", "PDF"),
    "empty.txt": (b"", "为空"),
    "blank.txt": (" \n\t\r\n\u3000\u3000\n".encode(), "为空"),
    "huge.txt": (("超大文件" * (MAX_FILE_BYTES // 6)).encode(), "文件过大"),
}


@pytest.fixture(scope="module")
def embedder(qa):
    return qa.embedder


def copy_index(seed_index_dir: Path, dest: Path) -> Path:
    shutil.copytree(seed_index_dir, dest)
    return dest


def pipeline(settings: Settings, embedder) -> Pipeline:
    return Pipeline(load_index(settings, embedder), embedder, settings)


def assert_answers(qa: Pipeline, question: str, value: float, doc_id: str | None = None) -> None:
    result = qa.ask(question)
    assert result.status == "answered", (question, result.message)
    assert result.answer.value == value, (question, result.answer)
    cite = result.citations[0]
    if doc_id is not None:
        assert cite.doc_id == doc_id
    assert qa.index.docs[cite.doc_id].text[cite.start : cite.end] == cite.quote


# ------------------------------------------------------------------ decoding


@pytest.mark.parametrize(
    "name, encoding, text", [(n, e, t) for n, e, t, _, _ in GOOD_FILES], ids=lambda v: str(v)[:12]
)
def test_each_encoding_round_trips(name, encoding, text):
    data = text.encode(encoding)
    if encoding != "utf-8":
        assert data != text.encode("utf-8")
    decoded, detected = decode_bytes(data, name)
    assert decoded == text
    family = {"utf-8-sig": "utf", "gbk": "gb18030"}.get(encoding, encoding)
    assert detected.replace("_", "-").startswith(family[:3])


def test_windows_line_ends_and_utf16_with_bom_are_read():
    text = simplified("镇江", 2017, 88)
    crlf = text.replace("\n", "\r\n")
    for data in (crlf.encode("gbk"), crlf.encode("utf-16"), "\ufeff".encode() + crlf.encode()):
        assert decode_bytes(data, "x.txt")[0] == text


def test_short_gbk_lines_of_the_seed_reports_round_trip():
    """charset-normalizer alone misreads about one short GBK line in ten (as UTF-16 or CP949)."""
    checked = 0
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.isascii():
                continue
            try:
                data = line.encode("gbk")
            except UnicodeEncodeError:
                continue
            assert decode_bytes(data, "line.txt")[0] == line
            checked += 1
    assert checked > 100


@pytest.mark.parametrize(
    "line",
    [
        "臺北市總工會2019年工作報告",
        "各位委員，同志們：",
        "職工書屋",
        "一、職工文化建設紮實推進。全年新建職工書屋 173 家。",
        "二、困難職工幫扶精準有效，發放慰問金 418.6 萬元。",
    ],
)
def test_short_big5_lines_round_trip(line):
    assert decode_bytes(line.encode("big5"), "line.txt") == (line, "big5")


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_is_refused_naming_the_file_and_the_reason(name):
    data, reason = BAD_FILES[name]
    with pytest.raises(DocumentError) as info:
        make_document(data, name, max_bytes=MAX_FILE_BYTES)
    message = str(info.value)
    assert message.startswith(f"{name}:") and reason in message


def test_oversized_file_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 10_000)

    def no_reading(self):
        raise AssertionError("the whole file was read")

    monkeypatch.setattr(Path, "read_bytes", no_reading)
    with pytest.raises(DocumentError, match=r"big.txt: 文件过大（10000 字节，上限 1000 字节）"):
        read_document(path, max_bytes=1000)


def test_file_size_limit_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("RAG_MAX_FILE_BYTES", "1234")
    assert Settings().max_file_bytes == 1234


# ------------------------------------------------------- a folder, good and bad


@pytest.fixture(scope="module")
def mixed_folder(tmp_path_factory, seed_index_dir, embedder):
    """Seeds index + one `ingest` of a folder holding every good encoding and every bad file."""
    base = tmp_path_factory.mktemp("mixed")
    folder = base / "reports"
    (folder / "nested").mkdir(parents=True)
    for name, encoding, text, _, _ in GOOD_FILES:
        (folder / name).write_bytes(text.encode(encoding))
    for name, (data, _) in BAD_FILES.items():
        (folder / "nested" / name).write_bytes(data)
    (folder / "notes.json").write_text("{}", encoding="utf-8")  # not a report: ignored
    settings = Settings(
        index_dir=copy_index(seed_index_dir, base / "index"), max_file_bytes=MAX_FILE_BYTES
    )
    report = ingest([folder], settings, embedder)
    return report, settings, folder


def test_one_bad_file_does_not_stop_the_others(mixed_folder, embedder):
    report, settings, _ = mixed_folder
    assert sorted(report.added) == sorted(Path(n).stem for n, *_ in GOOD_FILES)
    index = load_index(settings, embedder)
    for name, _, text, _, _ in GOOD_FILES:
        assert index.docs[Path(name).stem].text == text  # decoded exactly, offsets intact
    assert len(index.docs) == 5 + len(GOOD_FILES)  # the seeds are still there


def test_failed_files_are_named_with_their_reason(mixed_folder):
    report, _, folder = mixed_folder
    failed = {Path(path).name: reason for path, reason in report.failed}
    assert set(failed) == set(BAD_FILES)  # notes.json is not a report and not a failure
    for name, (_, reason) in BAD_FILES.items():
        assert name in failed[name] and reason in failed[name], failed[name]
    assert all(Path(path).parent == folder / "nested" for path, _ in report.failed)


def test_every_encoding_is_answerable(mixed_folder, embedder):
    _, settings, _ = mixed_folder
    qa = pipeline(settings, embedder)
    for name, _, _, question, figure in GOOD_FILES:
        assert_answers(qa, question, figure, Path(name).stem)
    assert_answers(qa, MISSION, 918)


def _run_cli(monkeypatch, capsys, index_dir: Path, *args: str) -> tuple[int, str, str]:
    from rag import cli
    from rag.settings import get_settings

    monkeypatch.setenv("RAG_INDEX_DIR", str(index_dir))
    monkeypatch.setenv("RAG_MAX_FILE_BYTES", str(MAX_FILE_BYTES))
    monkeypatch.setenv("COLUMNS", "1000")  # rich would wrap the summary lines
    get_settings.cache_clear()
    try:
        code = cli.main(list(args))
    except SystemExit as exc:
        code = exc.code
    finally:
        get_settings.cache_clear()
    out = capsys.readouterr()
    return code, out.out, out.err


def test_rag_ingest_output_lists_failures_and_exit_status(
    tmp_path, seed_index_dir, mixed_folder, monkeypatch, capsys
):
    _, _, folder = mixed_folder
    index_dir = copy_index(seed_index_dir, tmp_path / "index")
    code, out, err = _run_cli(monkeypatch, capsys, index_dir, "ingest", str(folder))
    assert code == 0  # some files went in
    text = out + err
    for name, (_, reason) in BAD_FILES.items():
        assert f"失败 {name}:" in text and reason in text
    assert f"新增 {len(GOOD_FILES)}" in text and f"失败 {len(BAD_FILES)}" in text

    # Nothing usable at all: non-zero, and the index is left as it was.
    before = current_generation(index_dir)
    code, out, err = _run_cli(monkeypatch, capsys, index_dir, "ingest", str(folder / "nested"))
    assert code == 1 and "新增 0" in out
    assert current_generation(index_dir) == before


# ---------------------------------------------------- duplicates, changed files


def test_same_content_twice_is_not_duplicated(tmp_path, seed_index_dir, embedder):
    settings = Settings(index_dir=copy_index(seed_index_dir, tmp_path / "index"))
    text = simplified("淮安", 2016, 64)
    first = tmp_path / "a" / "huaian_2016.txt"
    first.parent.mkdir()
    first.write_text(text, encoding="utf-8")
    assert ingest([first], settings, embedder).added == ["huaian_2016"]
    generation = current_generation(settings.index_dir)
    n_chunks = len(load_index(settings, embedder).chunks)

    again = ingest([first], settings, embedder)
    assert again.unchanged == ["huaian_2016"] and not again.changed
    assert current_generation(settings.index_dir) == generation  # nothing rewritten

    # The same text under other names and encodings, and twice in one batch.
    copies = tmp_path / "b"
    copies.mkdir()
    (copies / "copy_gbk.txt").write_bytes(text.encode("gbk"))
    (copies / "copy_crlf.md").write_bytes(text.replace("\n", "\r\n").encode("utf-8-sig"))
    report = ingest([copies], settings, embedder)
    assert not report.added and not report.failed
    assert sorted(report.duplicates) == [
        ("copy_crlf.md", "huaian_2016"),
        ("copy_gbk.txt", "huaian_2016"),
    ]
    index = load_index(settings, embedder)
    assert len(index.docs) == 6 and len(index.chunks) == n_chunks


def test_changed_file_replaces_all_its_old_chunks(tmp_path, seed_index_dir, embedder):
    settings = Settings(index_dir=copy_index(seed_index_dir, tmp_path / "index"))
    path = tmp_path / "lianyungang_2015.txt"
    old_only = "港口工会组织开展“蓝色海湾”志愿服务"
    path.write_text(simplified("连云港", 2015, 205, extra=old_only + "。"), encoding="utf-8")
    ingest([path], settings, embedder)
    assert_answers(pipeline(settings, embedder), "连云港2015年新建职工书屋多少家", 205)

    path.write_text(simplified("连云港", 2015, 206), encoding="gbk")  # new figure, new encoding
    report = ingest([path], settings, embedder)
    assert report.replaced == ["lianyungang_2015"] and not report.added

    qa = pipeline(settings, embedder)
    index = qa.index
    doc = index.docs["lianyungang_2015"]
    assert "206" in doc.text and "205" not in doc.text
    own = [c for c in index.chunks if c.doc_id == "lianyungang_2015"]
    assert own and all(c.text == doc.text[c.start : c.end] for c in own)
    everything = "".join(c.text for c in index.chunks) + "".join(
        d.text for d in index.docs.values()
    )
    assert old_only not in everything and "205 家" not in everything
    assert all(end <= len(doc.text) for d, _, end in index.sentences if d == "lianyungang_2015")
    assert len(index.vectors) == len(index.chunks) == index.dense.ntotal
    assert_answers(qa, "连云港2015年新建职工书屋多少家", 206)
    hits = qa.search(old_only).passages
    assert all(old_only not in p.text for p in hits)


# ------------------------------------------------ corrupted or mismatched index


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _edit_manifest(gen: Path, **changes) -> None:
    manifest = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    manifest.update(changes)
    (gen / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def _flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


CORRUPTIONS = {
    "truncated-vectors": (lambda gen: _truncate(gen / "vectors.npy"), "vectors.npy 已损坏或被截断"),
    "truncated-docs": (lambda gen: _truncate(gen / "docs.json"), "docs.json 已损坏或被截断"),
    "truncated-faiss": (lambda gen: _truncate(gen / "dense.faiss"), "dense.faiss 已损坏或被截断"),
    "flipped-byte": (lambda gen: _flip_a_byte(gen / "chunks.json"), "chunks.json 已损坏"),
    "missing-file": (lambda gen: (gen / "sentences.json").unlink(), "sentences.json 已损坏"),
    "other-model": (lambda gen: _edit_manifest(gen, model_id="bge-large-zh"), "bge-large-zh"),
    "other-dimension": (lambda gen: _edit_manifest(gen, dimension=1024), "维度 1024"),
    "other-format": (lambda gen: _edit_manifest(gen, format_version=1), "格式版本 1"),
    "garbage-manifest": (
        lambda gen: (gen / "manifest.json").write_bytes(b"\x00garbage"),
        "索引清单 manifest.json 损坏",
    ),
    "dangling-current": (
        lambda gen: (gen.parent / "CURRENT").write_text("gen-gone", encoding="utf-8"),
        "没有找到索引",
    ),
}


@pytest.mark.parametrize("kind", sorted(CORRUPTIONS))
def test_corrupted_or_mismatched_index_is_refused_saying_what_to_run(
    kind, tmp_path, seed_index_dir, embedder
):
    settings = Settings(index_dir=copy_index(seed_index_dir, tmp_path / "index"))
    damage, words = CORRUPTIONS[kind]
    damage(current_generation(settings.index_dir))
    with pytest.raises(IndexLoadError) as info:
        load_index(settings, embedder)
    message = str(info.value)
    assert words in message and "请重新运行 `rag ingest`" in message


def test_dimension_mismatch_is_caught_even_without_the_model(tmp_path, seed_index_dir):
    settings = Settings(index_dir=copy_index(seed_index_dir, tmp_path / "index"))
    _edit_manifest(current_generation(settings.index_dir), dimension=1024)
    with pytest.raises(IndexLoadError, match="维度.*rag ingest"):
        load_index(settings)


def test_rag_ask_on_a_corrupted_index_exits_2_with_the_remedy(
    tmp_path, seed_index_dir, monkeypatch, capsys
):
    index_dir = copy_index(seed_index_dir, tmp_path / "index")
    _truncate(current_generation(index_dir) / "vectors.npy")
    code, _, err = _run_cli(monkeypatch, capsys, index_dir, "ask", MISSION)
    assert code == 2
    assert "已损坏或被截断" in err and "rag ingest" in err


@pytest.fixture
def small_index(tmp_path, embedder) -> tuple[Settings, Path]:
    """An index holding one "uploaded" report that exists nowhere else on disk."""
    settings = Settings(index_dir=tmp_path / "index")
    upload = tmp_path / "uploaded" / "huaian_2016.txt"
    upload.parent.mkdir()
    upload.write_text(simplified("淮安", 2016, 64), encoding="utf-8")
    assert ingest([upload], settings, embedder).added == ["huaian_2016"]
    shutil.rmtree(upload.parent)
    return settings, tmp_path


@pytest.mark.parametrize("kind", ["truncated-vectors", "truncated-faiss", "other-model"])
def test_rerunning_ingest_as_told_repairs_the_index_and_keeps_its_documents(
    kind, small_index, embedder
):
    settings, tmp_path = small_index
    CORRUPTIONS[kind][0](current_generation(settings.index_dir))
    if kind == "other-model":  # i.e. the index was built with the model now configured
        gen = current_generation(settings.index_dir)
        _edit_manifest(gen, model_id=settings.model)
        np.save(gen / "vectors.npy", np.zeros((1, 3), np.float32))  # vectors of another model
        _edit_manifest(gen, files={})
    with pytest.raises(IndexLoadError):
        load_index(settings, embedder)

    new = tmp_path / "new" / "nantong_2016.txt"
    new.parent.mkdir()
    new.write_text(simplified("南通", 2016, 93), encoding="utf-8")
    report = ingest([new], settings, embedder)
    assert report.added == ["nantong_2016"] and not report.failed

    qa = pipeline(settings, embedder)
    assert sorted(qa.index.docs) == ["huaian_2016", "nantong_2016"]
    assert_answers(qa, "淮安2016年新建职工书屋多少家", 64, "huaian_2016")
    assert_answers(qa, "南通2016年新建职工书屋多少家", 93, "nantong_2016")


def test_repair_happens_even_when_nothing_new_is_ingested(small_index, embedder):
    settings, tmp_path = small_index
    gen = current_generation(settings.index_dir)
    _truncate(gen / "dense.faiss")
    same = tmp_path / "again" / "huaian_2016.txt"
    same.parent.mkdir()
    same.write_text(simplified("淮安", 2016, 64), encoding="utf-8")
    report = ingest([same], settings, embedder)
    assert report.unchanged == ["huaian_2016"]
    assert current_generation(settings.index_dir) != gen
    assert_answers(pipeline(settings, embedder), "淮安2016年新建职工书屋多少家", 64)


def test_unreadable_documents_mean_a_fresh_index_of_what_is_given(small_index, embedder):
    """Not a guarantee: with docs.json itself damaged there is no text left to keep."""
    settings, tmp_path = small_index
    _truncate(current_generation(settings.index_dir) / "docs.json")
    new = tmp_path / "new" / "nantong_2016.txt"
    new.parent.mkdir()
    new.write_text(simplified("南通", 2016, 93), encoding="utf-8")
    assert ingest([new], settings, embedder).added == ["nantong_2016"]
    assert sorted(load_index(settings, embedder).docs) == ["nantong_2016"]


def test_file_names_that_look_like_markup_do_not_break_the_summary(
    tmp_path, small_index, monkeypatch, capsys
):
    settings, _ = small_index
    folder = tmp_path / "odd[b]"
    folder.mkdir()
    (folder / "[red]report.txt").write_text(simplified("扬州", 2013, 52), encoding="utf-8")
    (folder / "[red]empty.txt").write_bytes(b"")
    missing = tmp_path / "missing[" / "b]"  # "…missing[/b]…": a closing tag to rich
    code, out, err = _run_cli(
        monkeypatch, capsys, settings.index_dir, "ingest", str(folder), str(missing)
    )
    assert code == 0, err
    assert "新增 red_report" in out
    assert "失败 [red]empty.txt: 文件为空" in err
    assert f"失败 {missing}: 文件或目录不存在" in err


# ------------------------------------------------------------------ the lock


def test_second_writer_is_told_the_index_is_busy(
    tmp_path, seed_index_dir, embedder, monkeypatch, capsys
):
    settings = Settings(index_dir=copy_index(seed_index_dir, tmp_path / "index"))
    path = tmp_path / "xuzhou_2014.txt"
    path.write_text(simplified("徐州", 2014, 77), encoding="utf-8")
    before = current_generation(settings.index_dir)
    with ingest_lock(settings.index_dir):
        with pytest.raises(IndexBusy, match="另一个导入任务正在写入索引"):
            ingest([path], settings, embedder)
        code, out, err = _run_cli(monkeypatch, capsys, settings.index_dir, "ingest", str(path))
        assert code == 3 and "另一个导入任务正在写入索引" in err
    assert current_generation(settings.index_dir) == before
    # Once the lock is free, the same ingest goes through.
    assert ingest([path], settings, embedder).added == ["xuzhou_2014"]
    index = load_index(settings, embedder)
    assert "xuzhou_2014" in index.docs and np.isfinite(index.vectors).all()
