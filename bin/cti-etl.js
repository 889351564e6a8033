#!/usr/bin/env node
// Development entry point: runs the TypeScript sources through tsx. The container image
// runs the esbuild bundle of task/src/main.ts instead.
import { register } from "tsx/esm/api";

register();
await import("../task/src/main.ts");
