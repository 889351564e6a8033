/**
 * The S3 client classes, for the modules that `import()` them only when a run uses S3 (main.ts,
 * load/part-reader.ts). Through this ES module, not `import("@aws-sdk/client-s3")` directly: the
 * SDK is CommonJS, and esbuild's chunk for a CommonJS package imported with `import()` exports only
 * `default` (its `module.exports`), where Node would also give the named exports; a static import
 * here gets the names in both.
 * @see https://esbuild.github.io/content-types/#real-esm-imports
 */
export { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
