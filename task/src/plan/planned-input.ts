/**
 * A shard's input: exactly the objects its plan line names, in order, each read as planned: an
 * S3 object pinned to its ETag, a local file checked to still have its planned size.
 */
import { stat } from "node:fs/promises";
import type { S3Client } from "@aws-sdk/client-s3";
import { EtlError } from "../errors.ts";
import type { InputObject, InputSource } from "../source/input-source.ts";
import { fileError, fileObject } from "../source/local-input.ts";
import { isS3Uri, parseS3Uri } from "../s3/s3-uri.ts";
import type { PlannedObject } from "./shard-plan.ts";

/** `s3`: the S3 client, for plans of S3 objects (given only when the plan names one). */
export function plannedInput(objects: readonly PlannedObject[], s3?: () => Promise<S3Client>): InputSource {
  return {
    async list() {
      const out: InputObject[] = [];
      for (const o of objects) {
        if (isS3Uri(o.uri)) {
          if (!s3) throw new EtlError("INTERNAL", `no S3 client for ${o.uri}`);
          const { s3PinnedObject } = await import("../source/s3-input.ts");
          out.push(s3PinnedObject(await s3(), parseS3Uri(o.uri), o.etag ?? "", o.bytes));
          continue;
        }
        const info = await stat(o.uri).catch((error: NodeJS.ErrnoException) => {
          throw fileError(error, o.uri);
        });
        if (info.size !== o.bytes) throw new EtlError("INPUT_CHANGED", `the file has ${info.size} bytes, the plan ${o.bytes}: it changed since the run was planned`, { file: o.uri });
        out.push(fileObject(o.uri, o.bytes));
      }
      return out;
    },
  };
}
