#!/bin/sh
# Lays out dist/task/, everything the image ships in /app (task/Dockerfile copies the folder)
# and what the installed command runs (bin/cti-etl.js imports main.mjs):
#   main.mjs          the command (task/src/start.ts, which imports main.ts past --version);
#   batch-worker.mjs  the worker-thread entry of the parallel path (the default run), which
#                     task/src/transform/worker-pool.ts looks up next to main.mjs;
#   chunk-<hash>.mjs  code split out of the two entries (esbuild --splitting): what they share,
#                     and each adapter the command imports only when a run needs it (the AWS SDK
#                     clients, lib-storage, PGlite, pg), so `--version` and `--help` load none;
#   pglite.wasm, pglite.data, initdb.wasm
#                     the embedded warehouse's Postgres (PGlite), which its chunk loads with
#                     new URL("./<file>", import.meta.url), i.e. from the same folder;
#   pglite-template.tar.gz
#                     a freshly initialised PGlite data folder (task/scripts/warehouse-template.mjs),
#                     from which a new embedded warehouse folder starts instead of initdb.
# Every file a bundle or chunk loads is in this one flat folder (test/task/build.test.ts checks);
# dist/task.meta.json, esbuild's metafile, records which chunks each entry imports statically.
# Used by task/Dockerfile, `npm ci` (prepare) and before tests and `npm start`
# (task/scripts/ensure-build.mjs), and the benchmark, so everything runs what ships.
# CommonJS dependencies call require(); the banner gives each output file one.
# pg-native is an optional peer of pg that the job never loads.
set -eu
cd "$(dirname "$0")/.."
rm -rf dist/task dist/task.meta.json dist/task.stamp
./node_modules/.bin/esbuild \
  main=task/src/start.ts \
  batch-worker=task/src/transform/batch-worker.ts \
  --bundle --splitting --platform=node --format=esm --target=node24 \
  --outdir=dist/task --out-extension:.js=.mjs \
  --external:pg-native \
  --metafile=dist/task.meta.json \
  --log-level=warning \
  "--banner:js=import { createRequire } from 'module'; const require = createRequire(import.meta.url);"
cp node_modules/@electric-sql/pglite/dist/pglite.wasm node_modules/@electric-sql/pglite/dist/pglite.data \
  node_modules/@electric-sql/pglite/dist/initdb.wasm dist/task/
# A new embedded warehouse folder starts from this instead of initdb (load/pglite-session.ts).
node task/scripts/warehouse-template.mjs dist/task/pglite-template.tar.gz
