#!/usr/bin/env node
// The installed command: runs the built JavaScript, dist/task/main.mjs (task/build.sh, the same
// bundle the image runs), never a TypeScript loader, so that start-up costs what Node's does.
// `npm ci` builds it (the `prepare` script), and `npm test`/`npm start` rebuild it first when the
// sources changed (task/scripts/ensure-build.mjs).

// The AWS SDK warns on every start under Node 20 that future releases will need Node 22;
// Node 20.19 is supported here and the image runs Node 24, so the warning is only noise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

try {
  await import("../dist/task/main.mjs");
} catch (error) {
  // Only the bundle itself missing; an error inside the command is the command's to report.
  if (error?.code !== "ERR_MODULE_NOT_FOUND" || !String(error.message).includes("dist/task/main.mjs")) throw error;
  process.stderr.write("cti-etl: the command is not built (dist/task/main.mjs is missing): run `npm ci` or `npm run build:task`\n");
  process.exitCode = 1;
}
