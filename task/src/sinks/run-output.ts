import type { Writable } from "node:stream";

/** A file being written inside a run; `done` settles once it is durably stored. */
export interface FileSink {
  stream: Writable;
  done: Promise<void>;
}

/** A small file written at publish time. */
export interface PublishedFile {
  relPath: string;
  body: string;
}

/**
 * Where one run's outputs go. Implementations: a local folder, an S3 prefix. Files written
 * before {@link publish} must not make the run look finished; `publish` makes it visible
 * and never overwrites another run's results.
 */
export interface RunOutput {
  /** The run's final location (folder path or `s3://bucket/prefix/<runId>/`). */
  readonly location: string;
  /** The final URL of a file of the run, as the COPY manifest lists it. */
  urlOf(relPath: string): string;
  /** Opens a file inside the (not yet visible) run. */
  createFile(relPath: string): Promise<FileSink>;
  /** Writes the final files and makes the run visible. */
  publish(files: readonly PublishedFile[]): Promise<void>;
  /** Adds a small file to the published run (e.g. the load outcome); never replaces one. */
  writeAfterPublish(file: PublishedFile): Promise<void>;
  /** Best-effort removal of whatever an unfinished run wrote. */
  discard(): Promise<void>;
}
