/**
 * A tiny local HTTP server for tests that stands in for an endpoint the task calls (the ECS
 * task metadata endpoint, a heartbeat, PagerDuty, a webhook). It records every request with its
 * body, and answers each route from a script of responses: a status, headers, a body, a delay,
 * or a dropped connection. It never keeps the process alive, and stops itself after the suite
 * if a test forgot to.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { onSuiteTeardown } from "./global-fixtures.ts";

/** One scripted answer. */
export interface StubResponse {
  /** Default 200. */
  status?: number;
  headers?: Record<string, string>;
  /** Text, or an object sent as JSON. Default empty. */
  body?: string | object;
  /** Wait this long before answering, ms. */
  delayMs?: number;
  /** Drop the connection without answering. */
  hangUp?: boolean;
}

/** A request as the stub received it. */
export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/v2/enqueue`. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed as JSON. */
  json<T = unknown>(): T;
}

export interface HttpStub {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /**
   * Scripts the answers to `METHOD path` (path without the query): each request takes the next
   * response; the last one repeats. Unscripted routes answer 404.
   */
  route(method: string, path: string, ...responses: StubResponse[]): void;
  /** Requests to one path (any method). */
  requestsTo(path: string): RecordedRequest[];
  /** Forgets the recorded requests and scripts. */
  reset(): void;
  /** Closes the server and every open connection. */
  stop(): Promise<void>;
}

/** Starts a stub on a free port of 127.0.0.1. */
export async function startHttpStub(): Promise<HttpStub> {
  const requests: RecordedRequest[] = [];
  const scripts = new Map<string, StubResponse[]>();
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body, json: () => JSON.parse(body) });
      const path = (req.url ?? "/").split("?")[0]!;
      const script = scripts.get(`${req.method} ${path}`);
      const response = script ? (script.length > 1 ? script.shift()! : script[0]!) : { status: 404, body: "no route" };
      if (response.delayMs) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          answer(res, response);
        }, response.delayMs);
        timers.add(timer);
      } else {
        answer(res, response);
      }
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  server.unref();
  const { port } = server.address() as AddressInfo;
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= new Promise<void>((resolve) => {
      for (const timer of timers) clearTimeout(timer);
      server.close(() => resolve());
      server.closeAllConnections();
    }));
  onSuiteTeardown(stop);
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    route: (method, path, ...responses) => scripts.set(`${method.toUpperCase()} ${path}`, responses.length ? [...responses] : [{}]),
    requestsTo: (path) => requests.filter((r) => r.url.split("?")[0] === path),
    reset: () => {
      requests.length = 0;
      scripts.clear();
    },
    stop,
  };
}

function answer(res: ServerResponse, response: StubResponse): void {
  if (response.hangUp) {
    res.socket?.destroy();
    return;
  }
  const isJson = response.body !== undefined && typeof response.body !== "string";
  const text = response.body === undefined ? "" : typeof response.body === "string" ? response.body : JSON.stringify(response.body);
  res.writeHead(response.status ?? 200, { ...(isJson ? { "content-type": "application/json" } : {}), ...response.headers });
  res.end(text);
}

/** A URL on 127.0.0.1 where nothing listens (connections are refused): a down endpoint. */
export async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
