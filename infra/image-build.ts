import { createHash } from "node:crypto";

/**
 * How the task image is built (pure): what goes into the Docker build context, the tag that
 * names its content, the platform, and how long ECR keeps old images.
 */

/**
 * Paths the Docker build context lets in (a `/` suffix: the directory and everything under it).
 * The root `.dockerignore` is an allow-list of exactly these; a test keeps the two equal.
 */
export const imageBuildInputs = ["package.json", "package-lock.json", "task/"] as const;

/** Path of the Dockerfile, relative to the build context (the repository root). */
export const dockerfilePath = "task/Dockerfile";

/**
 * task/Dockerfile's build argument: PEM text of certificate authorities the build stage's
 * `npm ci` trusts besides Node's own (behind a TLS-inspecting proxy). Build stage only: it never
 * reaches the runtime image.
 */
export const caBuildArg = "NPM_EXTRA_CA_CERTS";

/**
 * Longest build argument a `RUN` can take: it becomes one environment string, and Linux caps
 * one at MAX_ARG_STRLEN, 32 pages of 4 KiB.
 * @see https://man7.org/linux/man-pages/man2/execve.2.html ("Limits on size of arguments and environment")
 */
export const maxBuildArgBytes = 128 * 1024;

const certificate = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The PEM certificates of `text`, in order (comments, keys and anything else left out). */
export function pemCertificates(text: string): string[] {
  return text.match(certificate) ?? [];
}

/**
 * The image build's arguments (pure): none, or the extra CA certificates of `caBundle` for
 * {@link caBuildArg}. Only the certificates are passed (comments and keys are dropped).
 * @param caBundle the PEM file's text and its path (named in errors); undefined: no extra CAs.
 * @throws Error naming the file when it holds no certificate or is too large for a build argument.
 */
export function imageBuildArgs(caBundle: { readonly path: string; readonly text: string } | undefined): Record<string, string> {
  if (caBundle === undefined) return {};
  const pems = pemCertificates(caBundle.text);
  if (pems.length === 0) throw new Error(`imageBuildCaFile ${caBundle.path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  const value = pems.join("\n");
  const bytes = Buffer.byteLength(value);
  if (bytes >= maxBuildArgBytes) {
    throw new Error(
      `imageBuildCaFile ${caBundle.path} holds ${bytes} bytes of certificates; a build argument takes under ${maxBuildArgBytes}: keep only the CAs npm lacks (your proxy's)`,
    );
  }
  return { [caBuildArg]: value };
}

/** Docker platform for an ECS CPU architecture. */
export function dockerPlatform(architecture: "ARM64" | "X86_64"): "linux/arm64" | "linux/amd64" {
  return architecture === "ARM64" ? "linux/arm64" : "linux/amd64";
}

/** One file of the build context. */
export interface BuildFile {
  /** Path relative to the build context, `/`-separated. */
  readonly path: string;
  readonly content: string | Uint8Array;
}

/**
 * The image tag: a digest of every file that goes into the build. The repository's tags are
 * immutable, so the tag must change exactly when the content does; same content, same tag (and
 * no rebuild). Independent of file order.
 */
export function imageTagFor(files: readonly BuildFile[], platform: string): string {
  const hash = createHash("sha256").update(`platform=${platform}\0`);
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    hash.update(file.path).update("\0").update(file.content).update("\0");
  }
  return `src-${hash.digest("hex").slice(0, 20)}`;
}

/** True when `path` (relative, `/`-separated) is inside {@link imageBuildInputs}. */
export function isBuildInput(path: string): boolean {
  return imageBuildInputs.some((input) => (input.endsWith("/") ? path.startsWith(input) : path === input));
}

/** Arguments of {@link ecrLifecyclePolicy}. */
export interface EcrLifecycleArgs {
  /** Tagged images kept (newest first). Example: 20. */
  readonly keepImages: number;
  /** Days an untagged image (a superseded manifest, a failed push) is kept. Example: 1. */
  readonly untaggedDays: number;
}

/**
 * ECR lifecycle policy (JSON): untagged images go after a day, and only the newest images are
 * kept; the one the task definition references is always the newest.
 * @see https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html
 */
export function ecrLifecyclePolicy(args: EcrLifecycleArgs): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: `Expire untagged images after ${args.untaggedDays} day(s)`,
        selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: args.untaggedDays },
        action: { type: "expire" },
      },
      {
        rulePriority: 2,
        description: `Keep the ${args.keepImages} most recent images`,
        selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: args.keepImages },
        action: { type: "expire" },
      },
    ],
  });
}
