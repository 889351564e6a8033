/**
 * Keeps secrets out of logs and notifications (pure). Every log record and every outgoing
 * notification body goes through {@link redact} before it is written or sent.
 *
 * - A value under a secret-looking key (`password`, `routing_key`, `Authorization`, …) is
 *   replaced whole.
 * - In any string: the user-info of a URL (`postgres://etl:pw@host` → `postgres://***@host`),
 *   the value of a secret-looking `name=value` (a query parameter such as `X-Amz-Signature`, or
 *   `password=…` in a message), bearer and basic credentials, and AWS access key ids are masked.
 * What it cannot recognise (a secret in a URL path, such as a Slack webhook's) is kept out of
 * logs by the callers: notification targets are only ever logged as their origin.
 */

/** What a masked value becomes. */
export const REDACTED = "***";

/** Keys whose values are secrets, whatever they hold. */
export const SECRET_KEY = /secret|passw(or)?d|passwd|token|authori[sz]ation|routing[_-]?key|api[_-]?key|access[_-]?key|credential|cookie|private[_-]?key|signature/i;

/** Deepest nesting redacted; deeper values are replaced (log records are shallow). */
const MAX_DEPTH = 8;

/** True when a value stored under `key` must never be logged. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi;
/** `name=value` in a query string or free text (`?token=…`, `password=… `). */
const NAME_VALUE = /(^|[?&\s;,(])([A-Za-z0-9_.-]+)=([^&#\s"',;)]*)/g;
const AUTH_SCHEME = /\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{8,}/g;
const AWS_ACCESS_KEY_ID = /\b(AKIA|ASIA)[A-Z0-9]{16}\b/g;

/** Masks the secrets {@link redact} recognises inside one string. */
export function redactText(text: string): string {
  return text
    .replace(URL_USERINFO, `$1${REDACTED}@`)
    .replace(NAME_VALUE, (whole, sep: string, name: string) => (isSecretKey(name) ? `${sep}${name}=${REDACTED}` : whole))
    .replace(AUTH_SCHEME, `$1 ${REDACTED}`)
    .replace(AWS_ACCESS_KEY_ID, `$1${REDACTED}`);
}

/**
 * A copy of `value` safe to log: secret-keyed members masked, strings cleaned by
 * {@link redactText}, errors turned into plain objects (name, code, message, location, stack,
 * cause), bigints into strings, cycles into `"[Circular]"`. Never throws.
 */
export function redact(value: unknown): unknown {
  return redactValue(value, 0, new WeakSet());
}

function redactValue(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === "string") return redactText(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (value === null || typeof value !== "object") return typeof value === "function" || typeof value === "symbol" ? String(value) : value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
  if (seen.has(value)) return "[Circular]";
  if (depth >= MAX_DEPTH) return "[Too deep]";
  seen.add(value);
  try {
    if (value instanceof Error) return redactValue(errorFields(value), depth, seen);
    if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1, seen));
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) {
      out[key] = isSecretKey(key) && member !== undefined && member !== null ? REDACTED : redactValue(member, depth + 1, seen);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

/** The loggable members of an error: its class, stable code and location when it has them. */
export function errorFields(error: Error): Record<string, unknown> {
  const e = error as Error & { code?: unknown; location?: unknown };
  return {
    name: e.name,
    ...(e.code !== undefined ? { code: e.code } : {}),
    message: e.message,
    ...(e.location !== undefined && Object.keys(e.location as object).length > 0 ? { location: e.location } : {}),
    ...(e.stack !== undefined ? { stack: e.stack } : {}),
    ...(e.cause !== undefined ? { cause: e.cause } : {}),
  };
}

/**
 * What a log may say about a URL that can hold a secret anywhere (a heartbeat or webhook URL):
 * its origin only, e.g. `https://hc-ping.com`. Not a URL: `"(invalid URL)"`.
 */
export function urlOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "(invalid URL)";
  }
}
