#!/bin/sh
# Lays out dist/task/, everything the image ships in /app (task/Dockerfile copies the folder):
#   main.mjs          the command (task/src/main.ts);
#   batch-worker.mjs  the worker-thread entry of the parallel path (the default run), which
#                     task/src/transform/worker-pool.ts looks up next to main.mjs;
#   pglite.wasm, pglite.data, initdb.wasm
#                     the embedded warehouse's Postgres (PGlite), which the bundle loads with
#                     new URL("./<file>", import.meta.url), i.e. next to main.mjs.
# Each is self-contained (no code splitting). Used by task/Dockerfile, `npm run build:task` and
# the benchmark (bench/build-programs.ts runs this script, so it measures what ships).
# CommonJS dependencies call require(); the banner gives each bundle one.
# pg-native is an optional peer of pg that the job never loads.
set -eu
cd "$(dirname "$0")/.."
rm -rf dist/task
./node_modules/.bin/esbuild \
  main=task/src/main.ts \
  batch-worker=task/src/transform/batch-worker.ts \
  --bundle --platform=node --format=esm --target=node24 \
  --outdir=dist/task --out-extension:.js=.mjs \
  --external:pg-native \
  --log-level=warning \
  "--banner:js=import { createRequire } from 'module'; const require = createRequire(import.meta.url);"
cp node_modules/@electric-sql/pglite/dist/pglite.wasm node_modules/@electric-sql/pglite/dist/pglite.data \
  node_modules/@electric-sql/pglite/dist/initdb.wasm dist/task/
