#!/usr/bin/env bash
# make serve: the site and one worker of the task queue (the book builds) together, in the
# foreground. Ctrl-C (or the end of either) stops both.
#   scripts/serve.sh HOST PORT            (run from the checkout, after make setup)
#   scripts/serve.sh --gunicorn HOST PORT (make prod: gunicorn, settings in stories/server.py)
set -uo pipefail
cd "$(dirname "$0")/.."
server=flask
if [ "${1:-}" = "--gunicorn" ]; then
    server=gunicorn
    shift
fi
host="${1:-127.0.0.1}"
port="${2:-5000}"
flask=(.venv/bin/flask --app stories)
# A fictional organiser's contact for the demo pages, unless one is set.
export ORGANISER_CONTACT="${ORGANISER_CONTACT:-stories@example.org · 010-0000 0000（演示）}"

"${flask[@]}" worker &
worker=$!
if [ "$server" = gunicorn ]; then
    BIND="$host:$port" .venv/bin/gunicorn -c python:stories.server "stories:create_app()" &
else
    "${flask[@]}" run --host "$host" --port "$port" &
fi
site=$!

stop() {
    trap - INT TERM EXIT
    kill -TERM "$site" "$worker" 2>/dev/null
    wait "$site" "$worker" 2>/dev/null
}
trap 'stop; exit 130' INT TERM
trap stop EXIT

# Whichever ends first (Ctrl-C ends both), the other is stopped too.
wait -n "$site" "$worker"
status=$?
stop
exit "$status"
