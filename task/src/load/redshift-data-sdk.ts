/**
 * The Redshift Data API client class, for load/create-warehouse.ts, which `import()`s it only
 * when Redshift is the warehouse. Through this ES module, not `import("@aws-sdk/client-redshift-data")`:
 * the SDK is CommonJS, and esbuild's chunk for a CommonJS package imported with `import()` exports
 * only `default`, where Node would also give the named exports (see s3/s3-sdk.ts).
 */
export { RedshiftDataClient } from "@aws-sdk/client-redshift-data";
