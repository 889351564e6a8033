/** One input object (a file, or an S3 object) the job reads. */
export interface InputObject {
  /** Path or URI, as reported in the summary and in errors. */
  uri: string;
  /** Size in bytes. */
  size: number;
  /** The S3 ETag of the version being read, when the input is S3. */
  etag?: string;
  /** Streams the raw (possibly gzip) bytes. */
  open(): AsyncIterable<Buffer>;
}

/** Resolves an `--input` into the objects to read, in order. */
export interface InputSource {
  list(): Promise<InputObject[]>;
}
