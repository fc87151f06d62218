"""Property-based fuzzing: the HTTP API from its own OpenAPI schema, the answerer and the
number parser from generated text.

* schemathesis drives every operation of ``/openapi.json`` on a real server and checks
  each response against the schema (status codes, content types, bodies, headers):
  no 5xx, no schema violation. Upload and delete run twice: with a wrong token
  (must be 401/403, on the shared server) and with the right one (on a server of
  their own, since random uploads and deletions change its corpus).
* Any string given to ``Pipeline.ask`` / ``search`` (Chinese, emoji, control and
  format characters, thousands of characters) gives a valid result object whose
  citations are exact spans of the cited document; nothing raises.
* Numbers written out in a sentence (Arabic with or without separators, 万/亿
  decimals, Chinese numerals) come back with exactly their value. The never-raises
  fuzzing of ``find_figures``/``parse_number`` lives in test_numbers.py.
"""

from __future__ import annotations

import math
import subprocess
from pathlib import Path

import cn2an
import pytest
import schemathesis
from conftest import ADMIN_TOKEN, PYTHON, ROOT, ApiServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import positive_data_acceptance

from rag.kinds import QuestionKind
from rag.numbers import find_figures, parse_number
from rag.schema import AnswerObject, SearchResult, Status

EXAMPLES_PER_OPERATION = 40
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)
ADMIN_PATHS = r"^/v1/documents(/\{doc_id\})?$"


# ------------------------------------------------------------- HTTP API


def _openapi() -> dict:
    """The schema the server publishes, built from the same app code without starting it.

    Loaded at import because schemathesis' fixture-based (lazy) schemas do not work
    with pytest 9; ``test_the_server_publishes_the_schema_that_is_fuzzed`` checks that
    it is what the running server serves.
    """
    from api.server import create_app
    from rag.settings import Settings

    return create_app(Settings(admin_token="x")).openapi()


SPEC = _openapi()
SCHEMA = schemathesis.openapi.from_dict(SPEC)
# A schema-violating body can be over the test server's body limit (ten history turns
# of over-long answers): 413 is a rejection too.
SCHEMA.config.checks.negative_data_rejection.expected_statuses.append("413")
public_operations = SCHEMA.exclude(method="POST", path_regex=ADMIN_PATHS).exclude(
    method="DELETE", path_regex=ADMIN_PATHS
)
admin_operations = SCHEMA.include(method=["POST", "DELETE"], path_regex=ADMIN_PATHS)


@pytest.fixture(scope="module")
def admin_server(api_server_factory) -> ApiServer:
    """Random uploads and deletions change the corpus, so not on the shared server."""
    return api_server_factory(
        env={
            "RAG_ADMIN_TOKEN": ADMIN_TOKEN,
            "RAG_RATE_LIMIT_PER_MINUTE": "100000",
            "RAG_MAX_UPLOAD_BYTES": "20000",
        }
    )


def test_the_server_publishes_the_schema_that_is_fuzzed(api_server: ApiServer):
    with api_server.client() as http:
        assert http.get("/openapi.json").json() == SPEC
    assert len(list(public_operations.get_all_operations())) >= 6
    assert len(list(admin_operations.get_all_operations())) == 2


@public_operations.parametrize()
@FUZZ_SETTINGS
def test_public_operations_conform_to_their_schema(case, api_server):
    # A chat request must end with a user question of 1-500 characters, which OpenAI's
    # message schema cannot say: a schema-valid request may rightly get 422 there.
    chat = case.path == "/v1/chat/completions"
    case.call_and_validate(
        base_url=api_server.url,
        excluded_checks=[positive_data_acceptance] if chat else [],
        timeout=60,
    )


@admin_operations.parametrize()
@FUZZ_SETTINGS
def test_admin_operations_refuse_a_wrong_or_missing_token(case, api_server):
    # schemathesis also tries other methods on these paths: those are 405 for anyone.
    refused = (401, 403) if case.method.upper() == case.operation.method.upper() else (405,)
    for headers in ({"Authorization": "Bearer not-the-token"}, {"Authorization": ""}, {}):
        response = case.call(base_url=api_server.url, headers=headers, timeout=60)
        assert response.status_code in refused, (case.method, case.formatted_path, response.text)
        assert response.json()["error"]["code"] in (
            "unauthorized",
            "forbidden",
            "method_not_allowed",
        )


@admin_operations.parametrize()
@FUZZ_SETTINGS
def test_admin_operations_with_the_token_conform_to_their_schema(case, admin_server):
    # Schema-valid random files are often not text, so 422 is a right answer to them.
    case.call_and_validate(
        base_url=admin_server.url,
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        excluded_checks=[positive_data_acceptance],
        timeout=120,
    )


STATEFUL_EXAMPLES = 20  # per operation and phase: the whole run takes ~15 s here


def test_stateful_run_with_all_checks_finds_nothing(admin_server: ApiServer):
    """schemathesis' own runner, every phase (examples, coverage, fuzzing, stateful over
    the schema's links) and every check, the admin token given: 0 failures.

    tests/schemathesis.toml declares the one answer a schema cannot predict: an upload
    whose bytes are not a text document is 422.
    """
    done = subprocess.run(
        [
            str(Path(PYTHON).parent / "schemathesis"),
            "--config-file", str(ROOT / "tests" / "schemathesis.toml"),
            "run", f"{admin_server.url}/openapi.json",
            "--checks", "all",
            "--max-examples", str(STATEFUL_EXAMPLES),
            "--seed", "1",
            "--workers", "1",
            "--header", f"Authorization: Bearer {ADMIN_TOKEN}",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert "Stateful" in done.stdout and " failed" not in done.stdout


def test_admin_server_survived_the_fuzzing(admin_server: ApiServer):
    with admin_server.client() as http:
        assert http.get("/readyz").json()["status"] == "ready"
        listing = http.get("/v1/documents").json()
        # The stateful run deletes the documents it finds (that is what it is for);
        # what is left must still be consistent.
        assert listing["count"] == len(listing["documents"])
    assert "Traceback" not in admin_server.log()


# ------------------------------------------------------- answerer, search


def _seed_characters() -> list[str]:
    chars = set()
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        chars.update(path.read_text(encoding="utf-8"))
    return sorted(c for c in chars if c.strip())


PLACES = ["苏州", "无锡", "昆山", "常州", "江苏", "南京", "北京", "姑苏区", "张家港", "火星"]
SUBJECTS = ["职工书屋", "困难职工", "助学金", "劳动模范", "工会会员", "职工之家", "慰问金"]
ENDINGS = ["多少家", "多少人", "多少元", "几个", "有多少", "增长了多少", "是多少？", "哪个多"]

questions = st.one_of(
    st.text(max_size=200),
    st.text(alphabet=st.sampled_from(_seed_characters() + list("0123456789%年万亿")), max_size=80),
    st.builds(
        "{}{}年{}{}".format,
        st.sampled_from(PLACES),
        st.integers(1949, 2100),
        st.sampled_from(SUBJECTS),
        st.sampled_from(ENDINGS),
    ),
    st.builds(
        "{}和{}{}年{}哪个多".format,
        st.sampled_from(PLACES),
        st.sampled_from(PLACES),
        st.integers(2010, 2020),
        st.sampled_from(SUBJECTS),
    ),
    # emoji and symbols, control and format characters (bidi marks, zero-width), spaces
    st.text(alphabet=st.characters(categories=["So", "Sk", "Cc", "Cf", "Zs", "Co"]), max_size=60),
    st.text(min_size=2000, max_size=6000),
)


def check_citations(qa, citations) -> None:
    for cite in citations:
        text = qa.index.docs[cite.doc_id].text
        assert 0 <= cite.start <= cite.end <= len(text)
        assert text[cite.start : cite.end] == cite.quote
        assert math.isfinite(cite.score)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(question=questions, top_k=st.none() | st.integers(1, 20))
def test_any_question_gives_a_valid_answer_object(qa, question, top_k):
    result = qa.ask(question, top_k=top_k)
    # What the API would send must be valid JSON that parses back into the model.
    again = AnswerObject.model_validate_json(result.model_dump_json(by_alias=True))
    assert again.question == question
    if result.status == Status.ANSWERED:
        answer = result.answer
        assert answer is not None and result.citations
        if answer.kind is QuestionKind.FIGURE:
            assert math.isfinite(answer.value)
            assert answer.text in result.citations[0].quote
        else:  # a question that asks no figure never gets one
            assert answer.value is None and answer.unit is None
        text = qa.index.docs[answer.doc_id].text
        assert any(
            c.doc_id == answer.doc_id and c.start <= answer.start <= answer.end <= c.end
            for c in result.citations
        ), "the answer span stands inside a quoted sentence"
        assert 0 <= answer.start <= answer.end <= len(text)
    else:
        assert result.status == Status.NOT_FOUND
        assert result.answer is None and result.message
    check_citations(qa, result.citations)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=questions, top_k=st.integers(1, 20))
def test_any_query_gives_valid_passages(qa, query, top_k):
    result = qa.search(query, top_k=top_k)
    SearchResult.model_validate_json(result.model_dump_json())
    assert len(result.passages) <= top_k
    for p in result.passages:
        assert qa.index.docs[p.doc_id].text[p.start : p.end] == p.text
        assert math.isfinite(p.score)


# ----------------------------------------------------------------- numbers

UNITS = ["家", "人", "个", "场", "元", "户", "人次", "项"]


@settings(max_examples=300, deadline=None)
@given(n=st.integers(0, 10**12), unit=st.sampled_from(UNITS), grouped=st.booleans())
def test_arabic_figures_come_back_with_their_value(n, unit, grouped):
    written = f"{n:,}" if grouped else str(n)
    found = find_figures(f"全年新建职工书屋 {written} {unit}，覆盖全市。")
    assert [(f.value, f.unit) for f in found] == [(n, unit)]


@settings(max_examples=300, deadline=None)
@given(n=st.integers(2, 10**9), unit=st.sampled_from(UNITS))
def test_chinese_numeral_figures_come_back_with_their_value(n, unit):
    # 一家 alone is a set phrase ("一家人"), not a figure; see rag/numbers.py.
    found = find_figures(f"全年新建职工书屋{cn2an.an2cn(n)}{unit}，覆盖全市。")
    assert [f.value for f in found] == [n]


@settings(max_examples=300, deadline=None)
@given(whole=st.integers(1, 99_999), cents=st.integers(0, 99), magnitude=st.sampled_from("万亿"))
def test_wan_and_yi_decimals_are_multiplied_out(whole, cents, magnitude):
    written = f"{whole}.{cents:02d}" if cents else str(whole)
    found = find_figures(f"发放慰问金 {written}{magnitude}元。")
    expected = float(written) * (10**4 if magnitude == "万" else 10**8)
    assert len(found) == 1 and found[0].unit == "元"
    assert math.isclose(found[0].value, expected, rel_tol=1e-9)
    assert parse_number(written + magnitude) == found[0].value


def test_seed_characters_were_found():
    assert len(_seed_characters()) > 500
    assert Path(ROOT / "seeds").is_dir()
