import { Writable } from "node:stream";
import { finished } from "node:stream/promises";
import type { FileSink, PublishedFile, RunOutput } from "../../../../task/src/sinks/run-output.ts";

/** A run output that keeps every file in memory, for tests. */
export class MemoryRunOutput implements RunOutput {
  readonly location = "memory://run/";
  readonly files = new Map<string, Buffer>();
  published = false;

  urlOf(relPath: string): string {
    return this.location + relPath;
  }

  async createFile(relPath: string): Promise<FileSink> {
    const chunks: Buffer[] = [];
    const stream = new Writable({
      write: (chunk: Buffer, _enc, cb) => {
        chunks.push(chunk);
        cb();
      },
      final: (cb) => {
        this.files.set(relPath, Buffer.concat(chunks));
        cb();
      },
    });
    return { stream, done: finished(stream) };
  }

  async publish(files: readonly PublishedFile[]): Promise<void> {
    for (const f of files) this.files.set(f.relPath, Buffer.from(f.body));
    this.published = true;
  }

  async writeAfterPublish(file: PublishedFile): Promise<void> {
    this.files.set(file.relPath, Buffer.from(file.body));
  }

  async discard(): Promise<void> {
    this.files.clear();
  }
}
