#!/usr/bin/env node
// Development entry point: runs the TypeScript sources through tsx. The container image
// runs the esbuild bundle of task/src/main.ts instead.
import { register } from "tsx/esm/api";

// The AWS SDK warns on every start under Node 20 that future releases will need Node 22;
// Node 20.19 is supported here and the image runs Node 24, so the warning is only noise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

register();
await import("../task/src/main.ts");
