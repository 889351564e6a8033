#!/bin/sh
# Bundles the job into one ESM file, dist/task/main.mjs: what the image runs, and what
# test/task/image-build.it.test.ts runs the same way. Used by task/Dockerfile and `npm run build:task`.
# CommonJS dependencies call require(); the banner gives the bundle one.
# pg-native is an optional peer of pg that the job never loads.
set -eu
cd "$(dirname "$0")/.."
exec ./node_modules/.bin/esbuild task/src/main.ts \
  --bundle --platform=node --format=esm --target=node24 \
  --outfile=dist/task/main.mjs \
  --external:pg-native \
  --log-level=warning \
  "--banner:js=import { createRequire } from 'module'; const require = createRequire(import.meta.url);"
