#!/usr/bin/env bash
# Set up everything the tests need (venv, Chromium, fonts) and run the whole suite,
# then the evaluation gate against eval/floor.json.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/install-browser.sh
export HF_HUB_OFFLINE=1
.venv/bin/ruff check rag api eval bench tests
.venv/bin/python -m pytest -q "$@"
if [ -f eval/floor.json ] && [ -f eval/gold.jsonl ]; then
  .venv/bin/rag ingest seeds/
  .venv/bin/rag eval --gold eval/gold.jsonl --floor eval/floor.json --report eval/report
fi
