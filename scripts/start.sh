#!/bin/sh
# npm start: compile src/ and bundle embed/ when they changed since the last build, then run the
# compiled server with production's Node flags. Arguments are passed to node (the benchmarks add --cpu-prof and the like).
# The old generation is capped at 256 MB: the server keeps about 50 MB alive under load, and the cap
# makes V8 collect before its heap grows to what a 4 GB default would let it (docs/performance.md,
# "Compiled JavaScript"). NODE_OPTIONS comes after the default, so it overrides it.
set -e
cd "$(dirname "$0")/.."
node scripts/build.mjs
node scripts/build-embed.mjs
NODE_OPTIONS="--max-old-space-size=256 ${NODE_OPTIONS:-}"
export NODE_OPTIONS
exec node "$@" dist/server.js
