/**
 * Small files of a fanned-out run, written once and read back: the plan
 * (`<output>/<runId>/plan.jsonl`) and what its shards published. Never replaced (a local file
 * created exclusively, an S3 object put with `If-None-Match: *`); a second write finds the first
 * and reads it back, so a retried Plan step reuses the plan it made rather than listing a prefix
 * that may have changed since.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { EtlError } from "../errors.ts";

export interface StoredFile {
  /** Its URI: `s3://…`, or a `file://` URL. */
  readonly uri: string;
  /** Stores `text` unless the file is there already: resolves to that file's text, else undefined. */
  createOrRead(text: string): Promise<string | undefined>;
  /** The stored text, or undefined when there is none. */
  readIfPresent(): Promise<string | undefined>;
}

/** A local file, by path or `file://` URL. */
export function localFile(pathOrUrl: string): StoredFile {
  const path = pathOrUrl.startsWith("file:") ? fileURLToPath(pathOrUrl) : pathOrUrl;
  const uri = pathToFileURL(path).href;
  const readIfPresent = () =>
    readFile(path, "utf8").catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new EtlError("INPUT_UNREADABLE", `cannot read: ${(error as Error).message}`, { file: uri }, { cause: error });
    });
  return {
    uri,
    readIfPresent,
    async createOrRead(text) {
      try {
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, text, { flag: "wx" });
        return undefined;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "EEXIST") return readIfPresent();
        throw new EtlError("OUTPUT_REJECTED", `cannot write: ${(error as Error).message}`, { file: uri }, { cause: error });
      }
    },
  };
}
