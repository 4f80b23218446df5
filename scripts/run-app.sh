#!/usr/bin/env bash
# Set up the app's packages in .venv and run it on the bundled data.
#   scripts/run-app.sh [--data DIR] [--enable-editing] [--server.port 8599 ...]
# Options with a dot in their name (--server.port, --server.address, --theme.base=dark, ...) go to
# Streamlit; the rest go to the app.
set -euo pipefail
cd "$(dirname "$0")/.."
streamlit_opts=()
app_args=()
option='^--[A-Za-z]+\.[A-Za-z]+$'             # --server.port (its value follows)
option_value='^--[A-Za-z]+\.[A-Za-z]+=.*$'    # --server.port=8599
while [ $# -gt 0 ]; do
  if [[ $1 =~ $option_value ]]; then
    streamlit_opts+=("$1")
  elif [[ $1 =~ $option ]]; then
    [ $# -ge 2 ] || { echo "run-app.sh: $1 needs a value (e.g. $1 VALUE or $1=VALUE)" >&2; exit 2; }
    streamlit_opts+=("$1" "$2")
    shift
  else
    app_args+=("$1")
  fi
  shift
done
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -r requirements.txt
# Build the map page for this data and code now (if it is not on disk), so no reader waits for it;
# data with errors builds nothing here and the app lists the problems.
.venv/bin/python -m mappage ${app_args[@]+"${app_args[@]}"} || true
exec .venv/bin/streamlit run app.py --server.headless true ${streamlit_opts[@]+"${streamlit_opts[@]}"} \
  -- ${app_args[@]+"${app_args[@]}"}
