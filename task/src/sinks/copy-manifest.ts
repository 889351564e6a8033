/**
 * A Redshift COPY manifest: the exact list of files a COPY loads, each mandatory so a
 * missing part fails the load instead of loading less.
 * @see https://docs.aws.amazon.com/redshift/latest/dg/loading-data-files-using-manifest.html
 */
export interface CopyManifest {
  entries: { url: string; mandatory: true; meta: { content_length: number } }[];
}

/** Builds the manifest for parts at their final URLs. */
export function buildCopyManifest(parts: readonly { url: string; bytes: number }[]): CopyManifest {
  return { entries: parts.map((p) => ({ url: p.url, mandatory: true, meta: { content_length: p.bytes } })) };
}
