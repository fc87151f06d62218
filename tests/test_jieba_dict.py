"""jieba reading its dictionary from SQLite (rag/jieba_dict.py) segments exactly as jieba
loading it whole: every seed document, all three modes, and the part-of-speech tags."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SEGMENT = """
import json, sys
from pathlib import Path
if sys.argv[1] == "table":
    import rag.tokenization
    import jieba
    assert type(jieba.dt.FREQ).__name__ == "Lookup"
else:
    import jieba, jieba.posseg
    jieba.initialize()
    import rag.tokenization
    assert isinstance(jieba.dt.FREQ, dict)
import jieba.posseg
from rag.tokenization import adjacent_words, part_of_speech, tokenize
out = []
for path in sorted(Path("seeds").glob("*.txt")):
    text = path.read_text(encoding="utf-8")[:6000]
    out.append(tokenize(text))
    out.append(list(jieba.cut(text)))
    out.append([(p.word, p.flag) for p in jieba.posseg.cut(text[:2000])])
    out.append([part_of_speech(w) for w in jieba.cut(text[:2000])])
    out.append(adjacent_words(text[:500]))
print(json.dumps(out, ensure_ascii=False))
"""


def _segment(how: str) -> list:
    done = subprocess.run(
        [sys.executable, "-c", SEGMENT, how], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_table_segments_like_jieba_itself():
    table, own = _segment("table"), _segment("own")
    assert len(table) == len(own) > 0
    assert table == own
    assert any(tag not in ("", "x") for tags in table[3::5] for tag in tags)
