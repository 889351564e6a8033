#!/bin/sh
# Bundles the job into the two ESM files the image ships, side by side in dist/task/:
#   main.mjs          the command (task/src/main.ts);
#   batch-worker.mjs  the worker-thread entry of the parallel path (the default run), which
#                     task/src/parallel/worker-pool.ts looks up next to main.mjs.
# Each is self-contained (no code splitting). Used by task/Dockerfile, `npm run build:task` and
# the benchmark (bench/build-programs.ts runs this script, so it measures what ships).
# CommonJS dependencies call require(); the banner gives each bundle one.
# pg-native is an optional peer of pg that the job never loads.
set -eu
cd "$(dirname "$0")/.."
exec ./node_modules/.bin/esbuild \
  main=task/src/main.ts \
  batch-worker=task/src/parallel/batch-worker.ts \
  --bundle --platform=node --format=esm --target=node24 \
  --outdir=dist/task --out-extension:.js=.mjs \
  --external:pg-native \
  --log-level=warning \
  "--banner:js=import { createRequire } from 'module'; const require = createRequire(import.meta.url);"
