#!/usr/bin/env bash
# Set up the app's packages in .venv and run it on the bundled data (or: scripts/run-app.sh --data DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -r requirements.txt
exec .venv/bin/streamlit run app.py --server.headless true -- "$@"
