import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { EtlError } from "../errors.ts";
import type { InputObject, InputSource } from "./input-source.ts";

/** Read size: large reads keep per-chunk overhead low. */
const READ_CHUNK = 1 << 20;

/**
 * A local file, or a folder whose regular files (not dot-files) are read in name order,
 * mirroring an S3 prefix.
 */
export function localInput(path: string): InputSource {
  return {
    async list() {
      const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
        throw fileError(error, path);
      });
      if (!info.isDirectory()) return [fileObject(path, info.size)];
      const names = (await readdir(path)).filter((n) => !n.startsWith(".")).sort();
      const objects: InputObject[] = [];
      for (const name of names) {
        const full = join(path, name);
        const s = await stat(full);
        if (s.isFile()) objects.push(fileObject(full, s.size));
      }
      if (objects.length === 0) throw new EtlError("INPUT_NOT_FOUND", "the folder holds no input files", { file: path });
      return objects;
    },
  };
}

/** The file at `path`, of `size` bytes as listed (or as a run's plan recorded it). */
export function fileObject(path: string, size: number): InputObject {
  return {
    uri: path,
    size,
    async *open() {
      try {
        for await (const chunk of createReadStream(path, { highWaterMark: READ_CHUNK })) yield chunk as Buffer;
      } catch (error) {
        throw fileError(error as NodeJS.ErrnoException, path);
      }
    },
  };
}

export function fileError(error: NodeJS.ErrnoException, path: string): EtlError {
  if (error.code === "ENOENT") return new EtlError("INPUT_NOT_FOUND", "no such file or folder", { file: path }, { cause: error });
  if (error.code === "EACCES" || error.code === "EPERM") {
    return new EtlError("INPUT_UNREADABLE", "permission denied", { file: path }, { cause: error });
  }
  if (error.code === "EISDIR") return new EtlError("INPUT_UNREADABLE", "is a folder", { file: path }, { cause: error });
  return new EtlError("INPUT_UNREADABLE", `cannot read: ${error.message}`, { file: path }, { cause: error });
}
