/**
 * One outgoing HTTP call (metadata, heartbeat, PagerDuty, webhook) with bounded retries, through
 * undici. Never throws: the result says how it ended.
 *
 * What is undici's: the retrying, by its retry interceptor composed on the dispatcher
 * (`interceptors.retry`, the `RetryHandler` that `RetryAgent` also uses): it keeps the request,
 * drains and drops a failed response, dispatches again, and hands the last response over with
 * its status and body (`throwOnError: false`). And the time bound of an attempt, by its
 * `headersTimeout` (request written → response headers) and `bodyTimeout` (longest gap between
 * body chunks), both the policy's `attemptTimeoutMs`.
 * What stays ours: the policy (`http-retry.ts`: which outcomes are retried, how long to wait),
 * plugged in as the handler's `retry` callback; undici consults none of its own `statusCodes`,
 * `errorCodes`, `methods` or `maxRetries` once that callback is given (they feed only its default
 * callback), so none is set. And a small interceptor below the retry handler that counts the
 * attempts it dispatches and holds each retry back by the policy's wait: the callback answers at
 * once rather than from a timer, because undici's `MockAgent` ignores the pause that would keep
 * a failed response waiting meanwhile, and would pass its body on before its head.
 *
 * Timer resolution: undici runs `headersTimeout`/`bodyTimeout` on its fast timers whatever the
 * delay (`client-h1.js` uses `setFastTimeout`; only `timers.setTimeout` falls back to a native
 * timer at ≤ 1 s), which tick every 499 ms: a limit fires up to ~1 s late, never more than
 * 499 ms early (measured for a server that never answers: 300 ms → 1.0 s, 2000 → 2.5 s,
 * 5000 → 5.5 s per attempt). Since `bodyTimeout` bounds each gap, not the body, a server
 * trickling bytes could hold an attempt forever: one `AbortSignal` bounds the whole call at
 * {@link callDeadlineMs}, every attempt at its limit plus that slack and every wait at its
 * longest. Connecting is bounded by the dispatcher's `connectTimeout` (10 s by default), as it
 * was before: undici aborts a request only once it is connected.
 *
 * What is never retried: an attempt the deadline aborted (`RetryHandler.onResponseError` stops
 * on an aborted controller), and a 2xx whose body breaks off (the server accepted the request;
 * undici would resume it with a `Range` request, which means nothing for a POST).
 * @see https://github.com/nodejs/undici/blob/main/docs/docs/api/RetryHandler.md
 * @see https://github.com/nodejs/undici/blob/main/docs/docs/api/Dispatcher.md#retry
 * @see https://github.com/nodejs/undici/blob/main/lib/util/timers.js
 * @see https://github.com/nodejs/undici/blob/main/lib/mock/mock-utils.js (`resume () {}`)
 */
import { Agent, interceptors, type Dispatcher, type RetryHandler } from "undici";
import { callDeadlineMs, retryDelayMs, type AttemptOutcome, type RetryPolicy } from "./http-retry.ts";

/** The request. */
export interface HttpCall {
  method: "GET" | "POST";
  url: string;
  headers?: Readonly<Record<string, string>>;
  /** Request body, e.g. JSON text. */
  body?: string;
}

/** How the call ended, after every attempt it took. */
export type HttpCallResult =
  | { ok: true; status: number; body: string; attempts: number }
  | { ok: false; attempts: number; status?: number; error: string };

/** What the call may be given; all optional. */
export interface HttpCallDeps {
  /** undici dispatcher (an `Agent`, a `MockAgent`); the retry is composed on it. Default {@link defaultDispatcher}. */
  dispatcher?: Dispatcher;
  /** Waits between attempts. Default a timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source, [0, 1). Default `Math.random`. */
  random?: () => number;
  /** Told about each failed attempt that will be retried (for the log). */
  onRetry?: (attempt: number, outcome: AttemptOutcome, delayMs: number) => void;
}

/** Largest response body read; the rest is discarded (responses here are small JSON). */
export const MAX_RESPONSE_BYTES = 256 * 1024;

let ownAgent: Agent | undefined;

/**
 * The dispatcher calls go through unless told otherwise: an `Agent` of the undici this package
 * depends on, not the global dispatcher, which may be Node's bundled undici (Node installs its
 * own when `fetch` is first touched, and the global is shared between the two). That one's
 * older handler API does not take the retry handler (measured under Node 20: every call failed
 * with `UND_ERR_INVALID_ARG invalid onError method`).
 */
export function defaultDispatcher(): Dispatcher {
  return (ownAgent ??= new Agent());
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** undici's codes for an attempt that outlived `headersTimeout` or `bodyTimeout`. */
const TIMEOUT_CODES = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

/** Sends `call`, retrying per `policy` through undici's retry interceptor; resolves with the last attempt's result. */
export async function sendHttp(call: HttpCall, policy: RetryPolicy, deps: HttpCallDeps = {}): Promise<HttpCallResult> {
  const sleep = deps.sleep ?? defaultSleep;
  const deadlineMs = callDeadlineMs(policy);
  const deadline = AbortSignal.timeout(deadlineMs);
  const timedOut = () => new Error(`the call timed out after ${deadlineMs} ms`);
  let attempts = 0;
  let nextDelayMs = 0;
  // Set, synchronously, once undici hands a response over to us: from then on nothing is retried.
  let handedOver = false;
  let fail: (error: Error) => void = () => {};

  /**
   * The policy as undici's `retry` callback, answered at once: `callback(error)` stops (the
   * response, or the error, goes on to us), `callback(null)` has undici drain the failed response
   * and dispatch the request again, after the wait below. Answering later, as undici's default
   * callback does from a timer, relies on the failed response staying paused meanwhile; undici's
   * `MockAgent` ignores pausing and would pass that body on before its head.
   */
  const retry: RetryHandler.RetryCallback = (error, _context, callback) => {
    const outcome = outcomeOf(error, policy);
    const delay = handedOver || deadline.aborted ? undefined : retryDelayMs(attempts, outcome, policy, deps.random);
    if (delay === undefined) return callback(error);
    deps.onRetry?.(attempts, outcome, delay);
    nextDelayMs = delay;
    callback(null);
  };
  /** Below the retry handler: counts each attempt it dispatches, and holds every retry back by the policy's wait. */
  const paceAttempts: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (options, handler) => {
    attempts += 1;
    if (attempts === 1) return dispatch(options, handler);
    waitOrDeadline(nextDelayMs).then(() => {
      if (deadline.aborted) return fail(timedOut());
      try {
        dispatch(options, handler);
      } catch (error) {
        fail(error instanceof Error ? error : new Error(String(error)));
      }
    }, fail);
    return true;
  };
  /** The policy's wait, cut short by the deadline. */
  const waitOrDeadline = (ms: number) =>
    new Promise<void>((resolve, reject) => {
      const onAbort = () => resolve();
      deadline.addEventListener("abort", onAbort, { once: true });
      sleep(ms).then(
        () => (deadline.removeEventListener("abort", onAbort), resolve()),
        (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))),
      );
    });

  try {
    const url = new URL(call.url);
    const dispatcher = (deps.dispatcher ?? defaultDispatcher()).compose(paceAttempts, interceptors.retry({ retry, throwOnError: false }));
    const response = await new Promise<Dispatcher.ResponseData>((resolve, reject) => {
      fail = reject;
      dispatcher.request(
        {
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: call.method,
          ...(call.headers ? { headers: { ...call.headers } } : {}),
          ...(call.body !== undefined ? { body: call.body } : {}),
          headersTimeout: policy.attemptTimeoutMs,
          bodyTimeout: policy.attemptTimeoutMs,
          signal: deadline,
        },
        (error, data) => {
          if (error) return reject(error);
          handedOver = true;
          resolve(data);
        },
      );
    });
    const body = await readBounded(response.body);
    if (response.statusCode >= 200 && response.statusCode <= 299) return { ok: true, status: response.statusCode, body, attempts };
    return { ok: false, attempts, status: response.statusCode, error: `HTTP ${response.statusCode}${body ? `: ${body.slice(0, 200)}` : ""}` };
  } catch (error) {
    if (deadline.aborted) return { ok: false, attempts, error: timedOut().message };
    return { ok: false, attempts, error: outcomeMessage(error, policy) };
  }
}

/** What the policy sees of a failed attempt: undici's `RequestRetryError` carries the status and headers of a response. */
function outcomeOf(error: Error, policy: RetryPolicy): AttemptOutcome {
  const { statusCode, headers } = error as { statusCode?: unknown; headers?: Record<string, string | string[] | undefined> };
  if (typeof statusCode !== "number") return { kind: "error", message: outcomeMessage(error, policy) };
  const retryAfter = headers?.["retry-after"];
  return { kind: "response", status: statusCode, ...(typeof retryAfter === "string" ? { retryAfter } : {}) };
}

/** An error as the log and the result say it: undici's timeouts in the policy's words, others with their codes. */
function outcomeMessage(error: unknown, policy: RetryPolicy): string {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  if (typeof code === "string" && TIMEOUT_CODES.has(code)) return `timed out after ${policy.attemptTimeoutMs} ms (${code})`;
  return describeError(error);
}

async function readBounded(body: AsyncIterable<Buffer | Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size >= MAX_RESPONSE_BYTES) continue;
    const buffer = Buffer.from(chunk);
    chunks.push(buffer);
    size += buffer.length;
  }
  return Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BYTES).toString("utf8");
}

/** An error's message with its code and cause's (`ECONNREFUSED`, `UND_ERR_SOCKET`). */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${typeof code === "string" ? `${code} ` : ""}${error.message}${cause}`;
}
