import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { finished } from "node:stream/promises";
import { pathToFileURL } from "node:url";
import { EtlError } from "../errors.ts";
import type { FileSink, PublishedFile, RunOutput } from "./run-output.ts";

/** Prefix of a run folder that is still being written (or whose run crashed). */
export const INCOMPLETE_PREFIX = ".incomplete-";

/**
 * A run in a local folder: files go to `<root>/.incomplete-<runId>.<random>/` and one `rename` to
 * `<root>/<runId>/` publishes them, so a crashed run never leaves a complete-looking folder.
 */
export class LocalRunOutput implements RunOutput {
  readonly location: string;
  private readonly workDir: string;

  private constructor(root: string, runId: string) {
    this.location = join(root, runId);
    // Unique per attempt, so two runs given the same --run-id never share a folder.
    this.workDir = join(root, `${INCOMPLETE_PREFIX}${runId}.${randomBytes(4).toString("hex")}`);
  }

  static async create(root: string, runId: string): Promise<LocalRunOutput> {
    const out = new LocalRunOutput(resolve(root), runId);
    try {
      await mkdir(out.workDir, { recursive: true });
    } catch (error) {
      throw new EtlError("OUTPUT_REJECTED", `cannot create the output folder: ${(error as Error).message}`, { file: root }, { cause: error });
    }
    if (await exists(out.location)) {
      throw new EtlError("OUTPUT_REJECTED", `a run ${runId} was already published here`, { file: out.location });
    }
    return out;
  }

  urlOf(relPath: string): string {
    return pathToFileURL(join(this.location, relPath)).href;
  }

  async createFile(relPath: string): Promise<FileSink> {
    const path = join(this.workDir, relPath);
    await mkdir(dirname(path), { recursive: true });
    const stream = createWriteStream(path, { flags: "wx" });
    return { stream, done: finished(stream) };
  }

  async publish(files: readonly PublishedFile[]): Promise<void> {
    for (const file of files) await writeFile(join(this.workDir, file.relPath), file.body, { flag: "wx" });
    try {
      // rename(2) onto an existing non-empty folder fails: a run never replaces another.
      await rename(this.workDir, this.location);
    } catch (error) {
      throw new EtlError("OUTPUT_REJECTED", `cannot publish the run: ${(error as Error).message}`, { file: this.location }, { cause: error });
    }
  }

  async writeAfterPublish(file: PublishedFile): Promise<void> {
    await writeFile(join(this.location, file.relPath), file.body, { flag: "wx" });
  }

  async discard(): Promise<void> {
    await rm(this.workDir, { recursive: true, force: true });
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
