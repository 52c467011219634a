#!/usr/bin/env bash
# The smoke run on another Node.js release line, by default 24 (the recommended one, .nvmrc), which CI
# runs after the suite on the machine's Node. Node comes from the npm registry's `node` package (as the
# bench's Node 22 does). In a scratch copy of this checkout (tracked and untracked files, not ignored
# ones), with that Node first on PATH:
#   1. npm ci (the machine's npm running on that Node; its postinstall generates and builds), which
#      must print no EBADENGINE warning;
#   2. npm start on the embedded database: an organization created, then `viewer` answered with its key;
#   3. the typed-client test (test/examples/typed-client.test.ts, on PGlite);
#   4. the bench's Q2 alone for a few seconds, our server on that Node (SERVER_NODE=machine; needs
#      PostgreSQL 15's binaries, as the suite does).
# Any failure stops it with a line saying which step failed. Usage: bash scripts/smoke-node.sh [major]
# (SMOKE_KEEP=1 keeps the scratch copy, SMOKE_PORT the server's port, default 4870).
set -euo pipefail
cd "$(dirname "$0")/.."

major="${1:-24}"
port="${SMOKE_PORT:-4870}"
started=$SECONDS
current="setup"
server_pid=""
scratch=""

step() {
  current="$*"
  printf '\n=== smoke on Node %s (%ss): %s\n' "$major" "$((SECONDS - started))" "$*"
}
finish() {
  status=$?
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  if [ "$status" -ne 0 ]; then
    printf '\nSMOKE RUN ON NODE %s FAILED at step: %s (exit %s)\n' "$major" "$current" "$status" >&2
    if [ -n "$scratch" ] && [ -f "$scratch/server.log" ]; then
      echo "--- last lines of the server's log" >&2
      tail -n 30 "$scratch/server.log" >&2
    fi
  fi
  if [ -n "$scratch" ] && [ -z "${SMOKE_KEEP:-}" ]; then rm -rf "$scratch"; fi
  exit "$status"
}
trap finish EXIT

step "Node $major from the npm registry (the node package)"
# From a temporary folder: inside the project, npm exec could pick a `node` bin of its node_modules.
node_bin="$(cd "${TMPDIR:-/tmp}" && npm exec --yes --package="node@$major" -- node -p process.execPath | tail -n 1)"
[ -x "$node_bin" ] || { echo "npm exec --package=node@$major gave no executable: '$node_bin'" >&2; exit 1; }
PATH="$(dirname "$node_bin"):$PATH"
export PATH
[ "$(node -p 'process.versions.node.split(".")[0]')" = "$major" ] || { echo "node on PATH is $(node -v), not $major" >&2; exit 1; }
echo "node $(node -v) ($node_bin), npm $(npm -v) running on it"

step "a scratch copy of the checkout"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/connect-smoke-node$major-XXXXXX")"
chmod 755 "$scratch" # the bench's PostgreSQL runs as the postgres user, from this working directory
git ls-files -z --cached --others --exclude-standard | tar --null --files-from=- --ignore-failed-read -cf - | tar -xf - -C "$scratch"
cd "$scratch"
echo "$scratch"

step "npm ci (postinstall: generate and build)"
npm ci --no-audit --no-fund 2>&1 | tee npm-ci.log
if grep -q EBADENGINE npm-ci.log; then
  echo "npm ci on Node $major printed EBADENGINE warnings:" >&2
  grep -A1 'EBADENGINE Unsupported engine' npm-ci.log | grep 'package:' >&2
  exit 1
fi

step "npm start on the embedded database, and an answer"
admin_secret="smoke-admin-secret-0123456789"
NODE_ENV=development DATA_DIR="$scratch/.data" PORT="$port" HOST=127.0.0.1 ADMIN_SECRET="$admin_secret" LOG_LEVEL=warn \
  npm start >server.log 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do
  if curl -sf "http://127.0.0.1:$port/ready" >/dev/null; then break; fi
  kill -0 "$server_pid" 2>/dev/null || { echo "the server exited before it was ready" >&2; exit 1; }
  sleep 0.1
done
curl -sf "http://127.0.0.1:$port/ready" >/dev/null || { echo "the server was not ready within 30 s" >&2; exit 1; }
graphql() { curl -sS "http://127.0.0.1:$port/graphql" -H 'content-type: application/json' "$@"; }
created="$(graphql -H "x-admin-secret: $admin_secret" \
  -d '{"query":"mutation { createOrganization(input: { name: \"Smoke\", country: \"FR\" }) { ... on CreateOrganizationPayload { apiKey { secret } } ... on Error { code message } } }"}')"
api_key="$(node -e 'const body = JSON.parse(process.argv[1]); process.stdout.write(body.data?.createOrganization?.apiKey?.secret ?? "")' "$created")"
[ -n "$api_key" ] || { echo "createOrganization gave no key: $created" >&2; exit 1; }
viewer="$(graphql -H "authorization: Bearer $api_key" -d '{"query":"{ viewer { organizationId organization { name } } }"}')"
echo "$viewer"
node -e 'const body = JSON.parse(process.argv[1]); if (body.data?.viewer?.organization?.name !== "Smoke") process.exit(1)' "$viewer" ||
  { echo "viewer did not answer the organization just created" >&2; exit 1; }
kill "$server_pid"
wait "$server_pid" || true
server_pid=""

step "the typed-client test (PGlite)"
npx vitest run --project pglite test/examples/typed-client.test.ts

step "the bench's Q2 alone, 3 s (our server, on a throwaway PostgreSQL)"
SERVER_NODE=machine BENCH_ONLY=Q2 BENCH_REFERENCES=off BENCH_SECONDS=3 BENCH_WARMUP_SECONDS=1 npm run -s bench

current="done"
printf '\n=== smoke run on Node %s (%s) passed in %ss\n' "$major" "$(node -v)" "$((SECONDS - started))"
