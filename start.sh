#!/usr/bin/env bash
# Starts the notebooks: runs kernel-setup/setup.sh (quick when everything is installed), then
# JupyterLab, serving notebooks/ on 127.0.0.1 with a token, and prints its /lab URL.
#
# Usage: ./start.sh [--port N] [--no-setup]
#
# Environment:
#   FLOWS_PORT   port (default 8888; --port wins)
#   FLOWS_TOKEN  access token (default: a new random one each start)
#   FLOWS_BIND   address to listen on (default 127.0.0.1). Only a container needs 0.0.0.0, and
#                then only with its port published to the host's loopback.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# shellcheck source=kernel-setup/lib.sh
source kernel-setup/lib.sh

PORT="${FLOWS_PORT:-8888}"
SETUP=1
while (($#)); do
  case "$1" in
    --port) PORT="${2:?--port needs a number}"; shift ;;
    --port=*) PORT="${1#--port=}" ;;
    --no-setup) SETUP=0 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "start.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ "$PORT" =~ ^[0-9]+$ ]] || { echo "start.sh: --port wants a number, got $PORT" >&2; exit 2; }

if [[ $SETUP == 1 ]]; then
  bash ./kernel-setup/setup.sh
fi

JUPYTER="$(flows_jupyter)"
flows_jupyter_complete "$JUPYTER" || { echo "start.sh: JupyterLab 4 is not installed; run ./kernel-setup/setup.sh" >&2; exit 1; }

BIND="${FLOWS_BIND:-127.0.0.1}"
TOKEN="${FLOWS_TOKEN:-}"
if [[ -z "$TOKEN" ]]; then
  TOKEN="$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
fi
if [[ "$BIND" != 127.0.0.1 && "$BIND" != localhost && "$BIND" != ::1 ]]; then
  echo "start.sh: WARNING: listening on $BIND: anyone who can reach this port and has the token can run code here." >&2
fi

ROOT_FLAG=()
[[ "$(id -u)" == 0 ]] && ROOT_FLAG=(--allow-root) # Jupyter refuses to run as root without it.

# port_retries=0: fail if the port is taken rather than silently move to another one, which
# would make the URL below wrong. news_url/check_for_updates_class: JupyterLab would otherwise
# offer to fetch news and update checks from the internet.
APP=(lab --ServerApp.ip="$BIND" --ServerApp.port="$PORT" --ServerApp.port_retries=0
  --ServerApp.root_dir="$PWD/notebooks" --no-browser
  --LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate)
URL="http://127.0.0.1:$PORT/lab?token=$TOKEN"

cat <<EOF

  Notebooks: $URL

  Open that URL in your browser (the token is the password). Stop the server with Ctrl-C.

EOF
# The token goes through the environment, which every Jupyter version reads and `ps` does not show.
export JUPYTER_TOKEN="$TOKEN"
exec "$JUPYTER" "${APP[@]}" "${ROOT_FLAG[@]}"
