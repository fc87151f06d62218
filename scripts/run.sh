#!/usr/bin/env bash
# Set up, build the index on the default corpus (seeds/), and serve the API and demo page.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1
.venv/bin/rag ingest seeds/
echo "==> 演示页: http://${RAG_HOST:-127.0.0.1}:${RAG_PORT:-8000}/   API 文档: /docs"
exec .venv/bin/rag serve "$@"
