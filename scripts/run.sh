#!/usr/bin/env bash
# Set up, build the index on the default corpus (seeds/), and serve the API and demo page.
# Arguments go to `rag serve` (e.g. --port 8765), which prints the address it serves on.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1
.venv/bin/rag ingest seeds/
exec .venv/bin/rag serve "$@"
