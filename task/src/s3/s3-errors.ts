import { EtlError, type EtlErrorCode } from "../errors.ts";

interface SdkErrorLike {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/** Codes S3 returns when the credentials themselves are refused. */
const CREDENTIAL_CODES = new Set(["InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken", "TokenRefreshRequired", "CredentialsProviderError"]);

/**
 * Turns an S3 SDK error into an error the user can act on, naming the URI.
 * `side` says whether we were reading the input or writing the output, which decides the
 * error code; both map to exit code 2 for the classes a user can fix.
 */
export function classifyS3Error(error: unknown, uri: string, side: "input" | "output"): EtlError {
  if (error instanceof EtlError) return error;
  const e = (error ?? {}) as SdkErrorLike;
  const name = e.name ?? e.Code ?? e.code ?? "";
  const status = e.$metadata?.httpStatusCode;
  const detail = `${name || "error"}${status ? ` ${status}` : ""}`;
  const make = (code: EtlErrorCode, message: string) => new EtlError(code, `${message} (${detail})`, { file: uri }, { cause: error });
  const notFound: EtlErrorCode = side === "input" ? "INPUT_NOT_FOUND" : "OUTPUT_REJECTED";
  const refused: EtlErrorCode = side === "input" ? "INPUT_UNREADABLE" : "OUTPUT_REJECTED";
  if (name === "NoSuchBucket") return make(notFound, "no such bucket");
  if (name === "NoSuchKey") return make(notFound, "no such key");
  if (CREDENTIAL_CODES.has(name) || (!status && /could not load credentials|credential/i.test(e.message ?? ""))) {
    return make(refused, "the AWS credentials were refused or are missing");
  }
  if (name === "AccessDenied" || name === "AllAccessDisabled") return make(refused, "access denied");
  if (name === "PreconditionFailed" || status === 412) {
    return side === "input"
      ? make("INPUT_CHANGED", "the object changed while it was being read; rerun to read the new version")
      : make("OUTPUT_REJECTED", "a run with this id was already published here; runs never overwrite each other");
  }
  if (status === 404) return make(notFound, "not found");
  if (status === 403) return make(refused, "access denied, or the credentials were refused");
  return new EtlError("INTERNAL", `S3 request failed: ${e.message ?? String(error)} (${detail})`, { file: uri }, { cause: error });
}
