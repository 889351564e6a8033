/**
 * A real PostgreSQL server for tests of the `postgres://` path: initdb into a temporary folder
 * and start `postgres` on a free local port, as the `postgres` user when the tests run as root
 * (Postgres refuses to run as root). Stopped by PID; absent binaries make `startPostgres`
 * resolve to undefined so the caller can skip.
 */
import { spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { chown, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCommand, spawnTracked, stop } from "../../../support/processes.ts";

const BIN = "/usr/lib/postgresql/15/bin";

export interface PostgresServer {
  /** e.g. `postgres://postgres@127.0.0.1:41234/postgres` */
  url: string;
  stop(): Promise<void>;
}

/** Starts a server, or resolves undefined when Postgres is not installed here. */
export async function startPostgres(): Promise<PostgresServer | undefined> {
  if (!existsSync(join(BIN, "initdb"))) return undefined;
  const user = process.getuid?.() === 0 ? postgresUser() : undefined;
  if (process.getuid?.() === 0 && !user) return undefined;
  const dir = await mkdtemp(join(tmpdir(), "cti-pg-"));
  if (user) await chown(dir, user.uid, user.gid);
  const as = user ? { uid: user.uid, gid: user.gid } : {};
  const data = join(dir, "data");
  const init = await runCommand(join(BIN, "initdb"), ["-D", data, "--auth=trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"], as);
  if (init.code !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  const server = spawnTracked(
    join(BIN, "postgres"),
    ["-D", data, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off"],
    as,
  );
  await ready(server, port);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      // SIGINT: Postgres's fast shutdown (ends sessions, no waiting for clients).
      await stop(server, "SIGINT");
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function postgresUser(): { uid: number; gid: number } | undefined {
  const id = (flag: string) => Number(spawnSync("id", [flag, "postgres"], { encoding: "utf8" }).stdout.trim());
  const uid = id("-u");
  const gid = id("-g");
  return Number.isInteger(uid) && uid > 0 && Number.isInteger(gid) ? { uid, gid } : undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once the server logs that it accepts connections. */
function ready(server: ChildProcess, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = "";
    const timer = setTimeout(() => reject(new Error(`postgres on port ${port} did not start:\n${log}`)), 20_000);
    const onData = (d: Buffer) => {
      log += d.toString();
      if (log.includes("ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    };
    server.stderr?.on("data", onData);
    server.stdout?.on("data", onData);
    server.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`postgres exited (${code}) before accepting connections:\n${log}`));
    });
  });
}
