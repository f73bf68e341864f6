#!/usr/bin/env bash
# The container image's steps without a Docker engine: a production install (`npm ci
# --omit=dev`) of the built server in a temporary directory, started the way the image starts
# it, as a non-root user when run as root. Passes when /health/ready answers 200, the image's
# health check script agrees, the API answers, and SIGTERM ends the process with status 0.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

workdir=$(mktemp -d)
chmod 755 "$workdir"
server_pid=
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then kill -9 "$server_pid"; fi
  rm -rf "$workdir"
}
trap cleanup EXIT

npm run build >/dev/null
cp package.json package-lock.json "$workdir/"
cp -r dist drizzle "$workdir/"
(cd "$workdir" && npm ci --omit=dev --no-audit --no-fund >/dev/null)
mkdir -p "$workdir/data"
port=$(node -e 'const s=require("node:net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')

run_as=()
if [[ $(id -u) == 0 ]] && id nobody >/dev/null 2>&1; then
  chown -R nobody "$workdir/data"
  run_as=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
fi
# exec all the way down (env, setpriv, node), so $! is the server itself and SIGTERM reaches it.
(cd "$workdir" && exec env NODE_ENV=production PORT=$port HOST=127.0.0.1 DATA_DIR="$workdir/data" \
  "${run_as[@]}" node --enable-source-maps dist/server.js >"$workdir/server.log" 2>&1) &
server_pid=$!

ready=
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then ready=1; break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
  sleep 1
done
if [[ -z "$ready" ]]; then
  echo "production install did not become ready" >&2
  tail -n 50 "$workdir/server.log" >&2
  exit 1
fi
(cd "$workdir" && PORT=$port node dist/healthcheck.js)
curl -fsS "http://127.0.0.1:$port/api/openapi.json" -o /dev/null
status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/users/me")
[[ "$status" == 401 ]] || { echo "GET /api/users/me without a token answered $status" >&2; exit 1; }

kill -TERM "$server_pid"
exit_code=0
wait "$server_pid" || exit_code=$?
server_pid=
if [[ $exit_code != 0 ]]; then
  echo "server exited with $exit_code after SIGTERM" >&2
  tail -n 50 "$workdir/server.log" >&2
  exit 1
fi
echo "production install: ready, healthy, answering, stopped cleanly"
