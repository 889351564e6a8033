/**
 * The HTTP side of the emulator: the AWS JSON 1.1 protocol on 127.0.0.1. A request is
 * `POST /` with `X-Amz-Target: RedshiftData.<Operation>`, `Content-Type:
 * application/x-amz-json-1.1` and a JSON body; the answer is JSON, errors carrying `__type`.
 * SigV4 signatures are not checked, but an `Authorization` header must be present.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { DataApiError } from "./api-errors.ts";
import type { EmulatorFaults } from "./faults.ts";
import { notEmulatedOperations, operations, type OperationContext } from "./operations.ts";

const TARGET_PREFIX = "RedshiftData.";
const CONTENT_TYPE = "application/x-amz-json-1.1";
/** Generous: requests carry at most 40 statements of 100 KB. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

export interface DataApiServer {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  close(): Promise<void>;
}

/** Starts the HTTP server; `port` 0 picks a free one. */
export async function startDataApiServer(ctx: OperationContext, faults: EmulatorFaults, port = 0): Promise<DataApiServer> {
  const server = createServer((req, res) => {
    void handle(req, ctx, faults)
      .then(({ status, body }) => send(res, status, body))
      .catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${bound}`, close: () => closeServer(server) };
}

async function handle(req: IncomingMessage, ctx: OperationContext, faults: EmulatorFaults): Promise<{ status: number; body: unknown }> {
  try {
    const body = await readBody(req);
    if (req.method !== "POST") throw new DataApiError("UnknownOperationException", `${req.method} is not supported; the Data API takes POST /`, 404);
    if (!req.headers.authorization) {
      throw new DataApiError("MissingAuthenticationTokenException", "Missing Authentication Token", 403);
    }
    const target = String(req.headers["x-amz-target"] ?? "");
    if (!target.startsWith(TARGET_PREFIX)) {
      throw new DataApiError("UnknownOperationException", `X-Amz-Target must be ${TARGET_PREFIX}<Operation>, got '${target}'`, 400);
    }
    const operationName = target.slice(TARGET_PREFIX.length);
    const operation = operations[operationName];
    if (!operation) {
      const message = notEmulatedOperations.has(operationName)
        ? `${operationName} is not emulated by the Redshift Data API emulator`
        : `Unknown operation ${operationName}`;
      throw new DataApiError("UnknownOperationException", message, 400);
    }
    const input = parseInput(body);
    const rejected = faults.rejectRequestWhen?.(operationName, input);
    if (rejected) {
      const status = rejected.httpStatus ?? (rejected.type.endsWith("ServerException") ? 500 : 400);
      throw new DataApiError(rejected.type, rejected.message, status);
    }
    return { status: 200, body: await operation(ctx, input) };
  } catch (error) {
    if (error instanceof DataApiError) return { status: error.httpStatus, body: error.toJSON() };
    const failure = new DataApiError("InternalServerException", `emulator failure: ${String(error)}`, 500);
    return { status: 500, body: failure.toJSON() };
  }
}

function parseInput(body: string): Record<string, unknown> {
  if (body.trim() === "") return {};
  let input: unknown;
  try {
    input = JSON.parse(body);
  } catch {
    throw new DataApiError("SerializationException", "The request body is not valid JSON", 400);
  }
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new DataApiError("SerializationException", "The request body must be a JSON object", 400);
  }
  return input as Record<string, unknown>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new DataApiError("SerializationException", "The request body is too large", 413));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  const headers: Record<string, string | number> = {
    "content-type": CONTENT_TYPE,
    "content-length": Buffer.byteLength(payload),
    "x-amzn-requestid": randomUUID(),
  };
  if (status >= 300 && typeof body === "object" && body !== null && "__type" in body) {
    headers["x-amzn-errortype"] = String((body as { __type: unknown }).__type);
  }
  res.writeHead(status, headers).end(payload);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
