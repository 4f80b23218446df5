#!/usr/bin/env bash
# Set up the app's packages in .venv and run it on the bundled data.
#   scripts/run-app.sh [--data DIR] [--public-url URL] [--browser-work none|editors|everyone]
#                      [--enable-editing] [--server.port 8599 ...]
# Options with a dot in their name (--server.port, --server.address, --theme.base=dark, ...) go to
# Streamlit; the rest go to the app. The server takes no uploads (.streamlit/config.toml) unless
# editing is on, and then files of up to 25 MB (guard.streamlit_options).
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
# Uploads for the edit page when editing is on; given before the operator's own options, which win.
mapfile -t guard_opts < <(.venv/bin/python -m guard streamlit-options ${app_args[@]+"${app_args[@]}"})
exec .venv/bin/streamlit run app.py --server.headless true ${guard_opts[@]+"${guard_opts[@]}"} \
  ${streamlit_opts[@]+"${streamlit_opts[@]}"} \
  -- ${app_args[@]+"${app_args[@]}"}
