/**
 * One outgoing HTTP call with a timeout per attempt and bounded retries, through `undici`.
 * Never throws: the result says how it ended. The retry decisions are `http-retry.ts`'s.
 *
 * Why not undici's own `RetryAgent` / `interceptors.retry` (undici 7.30, tried with
 * `http-retry.ts` as its `retry` callback and `throwOnError: false`): it retries only attempts
 * that were not aborted (`RetryHandler.onResponseError` gives up when `controller.aborted`), so
 * the per-attempt `AbortSignal` that bounds an attempt from connect to last byte cannot be used;
 * the only per-attempt limits left are `headersTimeout`/`bodyTimeout`, which undici runs on its
 * coarse timers (`lib/util/timers.js`, 1 s resolution) and which bound idle gaps, not the
 * attempt. Measured against test/task/observability/http-call.it.test.ts: three 300 ms attempts
 * at a silent server took 3014 ms instead of about 900 ms, and the hanging-webhook case of
 * notifications.it.test.ts took 1949 ms of its 2000 ms bound. It would also resume a 2xx
 * whose body broke off with a `Range` request, which means nothing for a POST. The loop below
 * is what remains hand-written: one attempt per iteration, the policy pure and tested apart.
 * @see https://github.com/nodejs/undici/blob/main/docs/docs/api/RetryHandler.md
 */
import { request, type Dispatcher } from "undici";
import { retryDelayMs, type AttemptOutcome, type RetryPolicy } from "./http-retry.ts";

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
  /** undici dispatcher (an `Agent`, a `MockAgent`). Default undici's global dispatcher. */
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

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Sends `call`, retrying per `policy`; resolves with the last attempt's result. */
export async function sendHttp(call: HttpCall, policy: RetryPolicy, deps: HttpCallDeps = {}): Promise<HttpCallResult> {
  const sleep = deps.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    const result = await attemptOnce(call, policy.attemptTimeoutMs, deps.dispatcher);
    const outcome: AttemptOutcome =
      result.kind === "response"
        ? { kind: "response", status: result.status, ...(result.retryAfter !== undefined ? { retryAfter: result.retryAfter } : {}) }
        : { kind: "error", message: result.message };
    if (result.kind === "response" && result.status >= 200 && result.status <= 299) {
      return { ok: true, status: result.status, body: result.body, attempts: attempt };
    }
    const delay = retryDelayMs(attempt, outcome, policy, deps.random);
    if (delay === undefined) {
      return result.kind === "response"
        ? { ok: false, attempts: attempt, status: result.status, error: `HTTP ${result.status}${result.body ? `: ${result.body.slice(0, 200)}` : ""}` }
        : { ok: false, attempts: attempt, error: result.message };
    }
    deps.onRetry?.(attempt, outcome, delay);
    await sleep(delay);
  }
}

type Attempt = { kind: "response"; status: number; body: string; retryAfter?: string } | { kind: "error"; message: string };

async function attemptOnce(call: HttpCall, timeoutMs: number, dispatcher: Dispatcher | undefined): Promise<Attempt> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await request(call.url, {
      method: call.method,
      ...(call.headers ? { headers: { ...call.headers } } : {}),
      ...(call.body !== undefined ? { body: call.body } : {}),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal,
      ...(dispatcher ? { dispatcher } : {}),
    });
    const body = await readBounded(response.body);
    const retryAfter = response.headers["retry-after"];
    return { kind: "response", status: response.statusCode, body, ...(typeof retryAfter === "string" ? { retryAfter } : {}) };
  } catch (error) {
    if (signal.aborted) return { kind: "error", message: `timed out after ${timeoutMs} ms` };
    return { kind: "error", message: describeError(error) };
  }
}

async function readBounded(body: AsyncIterable<Buffer | Uint8Array> & { destroy?: () => void }): Promise<string> {
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

/** An error's message with its code and cause's (`ECONNREFUSED`, `UND_ERR_HEADERS_TIMEOUT`). */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${typeof code === "string" ? `${code} ` : ""}${error.message}${cause}`;
}
