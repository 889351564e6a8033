/**
 * A real S3 endpoint for integration tests: Ceph radosgw on a one-monitor, one-OSD cluster
 * that keeps objects in memory (memstore), started once per mocha run and stopped by PID.
 *
 * Set `CTI_TEST_S3_ENDPOINT` (with `CTI_TEST_S3_ACCESS_KEY_ID`, `CTI_TEST_S3_SECRET_ACCESS_KEY`
 * and optionally `CTI_TEST_S3_REGION`) to run the tests against another endpoint instead.
 * The Ceph binaries come from `scripts/s3-server/install.sh` (see its README).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { closeSync, existsSync, openSync, rmSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { processAlive } from "../../task/src/load/warehouse-lock.ts";
import { onSuiteTeardown } from "./global-fixtures.ts";

/** Where and how tests reach S3. */
export interface S3TestEndpoint {
  /** Base URL, path-style addressing, e.g. `http://127.0.0.1:41234`. */
  endpoint: string;
  /** SigV4 signing region, e.g. `us-east-1`. */
  region: string;
  /** Access key of the test user. */
  accessKeyId: string;
  /** Secret key of the test user. */
  secretAccessKey: string;
  /** PIDs of the processes started for this endpoint (empty for an external endpoint). */
  pids: number[];
}

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const installScript = join(repoRoot, "scripts", "s3-server", "install.sh");
const cephRoot = join(repoRoot, ".cache", "ceph", "root");
/** Written by install.sh once everything is unpacked. */
const installStamp = join(cephRoot, ".cti-installed");
/** Prefix of the run directories in os.tmpdir(); short, because Ceph binds UNIX sockets there. */
const runDirPrefix = "cti-ceph-";

const credentials = { accessKeyId: "CTITESTACCESSKEY0001", secretAccessKey: "cti-test-secret-key-not-a-secret" };
const region = "us-east-1";
/** Install plus start; mocha's 60 s default is too short for a first install. */
export const s3ServerStartTimeoutMs = 300_000;
const readyTimeoutMs = 60_000;
/** Pools radosgw would otherwise create on first use, stalling that request. */
const rgwPools = [
  ".rgw.root",
  "default.rgw.log",
  "default.rgw.control",
  "default.rgw.meta",
  "default.rgw.buckets.index",
  "default.rgw.buckets.data",
  "default.rgw.buckets.non-ec",
];

let started: Promise<S3TestEndpoint> | undefined;

/**
 * The shared S3 endpoint of this test run: the first call starts it (installing Ceph into
 * `.cache/ceph` if needed, which takes a few minutes once), later calls return the same one.
 * Call it from a `before` hook with `this.timeout(s3ServerStartTimeoutMs)`.
 */
export async function s3Server(): Promise<S3TestEndpoint> {
  started ??= startS3Server();
  return started;
}

/**
 * An S3 client for `ep` that radosgw accepts: path-style URLs, and checksums only where an
 * operation requires them (the SDK's default streams bodies as aws-chunked with a trailing
 * checksum, which radosgw refuses with 411).
 * @param overrides merged last, e.g. `{ credentials: ... }` to test a wrong secret.
 */
export function s3TestClient(ep: S3TestEndpoint, overrides: Partial<S3ClientConfig> = {}): S3Client {
  return new S3Client({
    endpoint: ep.endpoint,
    region: ep.region,
    credentials: { accessKeyId: ep.accessKeyId, secretAccessKey: ep.secretAccessKey },
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    ...overrides,
  });
}

/**
 * Creates an empty bucket no other test uses and returns its name.
 * @param prefix start of the name, e.g. `"copy-plan"`; lowercased and cut to fit S3's rules.
 */
export async function freshBucket(prefix: string): Promise<string> {
  const ep = await s3Server();
  const bucket = uniqueBucketName(prefix);
  await sharedClient(ep).send(new CreateBucketCommand({ Bucket: bucket }));
  if (ep.pids.length === 0) createdOnExternalEndpoint.push(bucket);
  return bucket;
}

/**
 * A valid S3 bucket name (3-63 of `a-z0-9-`, alphanumeric at both ends) made of `prefix`
 * and a random suffix.
 */
export function uniqueBucketName(prefix: string): string {
  const suffix = `${Date.now().toString(36)}-${randomBytes(4).toString("hex")}`;
  const cleaned = prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .slice(0, 63 - suffix.length - 1)
    .replace(/^-+|-+$/g, "");
  return `${cleaned || "test"}-${suffix}`;
}

/**
 * The external endpoint described by `CTI_TEST_S3_*` variables in `env`, or undefined when
 * `CTI_TEST_S3_ENDPOINT` is unset or empty.
 * @throws Error when the endpoint is set without both keys.
 */
export function endpointFromEnv(env: Record<string, string | undefined>): S3TestEndpoint | undefined {
  const endpoint = env.CTI_TEST_S3_ENDPOINT;
  if (!endpoint) return undefined;
  const accessKeyId = env.CTI_TEST_S3_ACCESS_KEY_ID;
  const secretAccessKey = env.CTI_TEST_S3_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new Error(
      "CTI_TEST_S3_ENDPOINT is set, so CTI_TEST_S3_ACCESS_KEY_ID and CTI_TEST_S3_SECRET_ACCESS_KEY must be too",
    );
  }
  return { endpoint, region: env.CTI_TEST_S3_REGION || region, accessKeyId, secretAccessKey, pids: [] };
}

const createdOnExternalEndpoint: string[] = [];
let client: S3Client | undefined;
function sharedClient(ep: S3TestEndpoint): S3Client {
  client ??= s3TestClient(ep);
  return client;
}

async function startS3Server(): Promise<S3TestEndpoint> {
  const external = endpointFromEnv(process.env);
  if (external) {
    onSuiteTeardown(() => deleteBuckets(sharedClient(external), createdOnExternalEndpoint));
    return external;
  }
  await installCeph();
  await removeStaleRunDirs();
  const cluster = new CephCluster(await mkdtemp(join(tmpdir(), `${runDirPrefix}${process.pid}-`)));
  onSuiteTeardown(() => cluster.stop());
  try {
    return await cluster.start();
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}

/** Runs install.sh unless its stamp shows Ceph is unpacked already. */
async function installCeph(): Promise<void> {
  if (existsSync(installStamp)) return;
  await run("bash", [installScript], { stdio: ["ignore", "inherit", "inherit"] });
  if (!existsSync(installStamp)) throw new Error(`${installScript} finished without writing ${installStamp}`);
}

/** Run directories left by test runs that were killed (their daemons died with them). */
async function removeStaleRunDirs(): Promise<void> {
  for (const entry of await readdir(tmpdir())) {
    const pid = new RegExp(`^${runDirPrefix}(\\d+)-`).exec(entry)?.[1];
    if (pid !== undefined && !processAlive(Number(pid))) {
      // Another user's directory is theirs to clean.
      await rm(join(tmpdir(), entry), { recursive: true, force: true }).catch(() => undefined);
    }
  }
}

/** Where a cluster keeps its files; every path in ceph.conf comes from here. */
export interface CephLayout {
  /** Run directory, e.g. `/tmp/cti-ceph-1234-abc`. */
  dir: string;
  /** Root the Ceph packages are unpacked into, e.g. `.cache/ceph/root`. */
  root: string;
  /** Debian multiarch triplet of the libraries, e.g. `x86_64-linux-gnu`. */
  multiarch: string;
  /** Monitor port (msgr2), on 127.0.0.1. */
  monPort: number;
  /** radosgw HTTP port, on 127.0.0.1. */
  rgwPort: number;
  /** Cluster id. */
  fsid: string;
}

/** Memstore capacity: room for ~2 GB of test objects plus replicas of nothing (size 1). */
const memstoreBytes = 4 * 1024 ** 3;

/**
 * ceph.conf for a throwaway single-node cluster. Why the less obvious settings:
 * - `ms * mode = crc`: with the default (secure preferred) radosgw hangs authenticating;
 * - `auth * required = none`: no keyrings to create;
 * - pool size 1 and `osd crush chooseleaf type = 0`: one OSD is enough for every PG;
 * - `paxos propose interval`: the monitor commits each pool creation at once instead of
 *   batching for 1 s;
 * - `objecter tick interval`: a client whose first request found no OSD up asks for a new
 *   OSD map only on this tick (default 5 s), so radosgw-admin would wait 5 s for the OSD;
 * - `osd fast shutdown`: exit at SIGTERM without memstore writing all objects to disk.
 */
export function cephConf(layout: CephLayout): string {
  const lib = join(layout.root, "usr", "lib", layout.multiarch);
  const global = {
    fsid: layout.fsid,
    "mon host": `v2:127.0.0.1:${layout.monPort}`,
    "mon initial members": "a",
    "public addr": "127.0.0.1",
    "cluster addr": "127.0.0.1",
    "ms bind msgr1": false,
    "auth cluster required": "none",
    "auth service required": "none",
    "auth client required": "none",
    "ms mon client mode": "crc",
    "ms client mode": "crc",
    "ms mon cluster mode": "crc",
    "ms mon service mode": "crc",
    "ms cluster mode": "crc",
    "ms service mode": "crc",
    "osd pool default size": 1,
    "osd pool default min size": 1,
    "osd pool default pg num": 8,
    "osd pool default pgp num": 8,
    "osd crush chooseleaf type": 0,
    "mon allow pool size one": true,
    "mon warn on pool no redundancy": false,
    "paxos propose interval": 0.01,
    "paxos min wait": 0.001,
    "run dir": join(layout.dir, "run"),
    // No admin sockets: nothing uses them, and their paths could exceed the 107-byte limit.
    "admin socket": "",
    "log file": join(layout.dir, "log", "$name.log"),
    "mon cluster log file": join(layout.dir, "log", "$channel.log"),
    "pid file": "",
    "mon data": join(layout.dir, "mon", "$name"),
    "osd data": join(layout.dir, "osd", "$name"),
    "osd class dir": join(lib, "rados-classes"),
    "erasure code dir": join(lib, "ceph", "erasure-code"),
    "plugin dir": join(lib, "ceph"),
    "osd objectstore": "memstore",
    "memstore device bytes": memstoreBytes,
    "osd fast shutdown": true,
    "objecter tick interval": 0.25,
  };
  const rgw = {
    "rgw frontends": `beast endpoint=127.0.0.1:${layout.rgwPort}`,
    "rgw data": join(layout.dir, "rgw"),
    "rgw enable usage log": false,
    "rgw enable ops log": false,
  };
  const section = (name: string, values: Record<string, string | number | boolean>) =>
    [`[${name}]`, ...Object.entries(values).map(([key, value]) => `${key} = ${value}`)].join("\n");
  return `${section("global", global)}\n\n${section(`client.${rgwName}`, rgw)}\n`;
}

const rgwName = "rgw.a";
/** Debian's library directory name for this CPU. */
const multiarch =
  ({ x64: "x86_64-linux-gnu", arm64: "aarch64-linux-gnu" } as Record<string, string>)[process.arch] ??
  `${process.arch}-linux-gnu`;

interface Daemon {
  name: string;
  child: ChildProcess;
  exited: Promise<void>;
}

/** The processes and files of one cluster; `stop()` undoes whatever `start()` got to. */
class CephCluster {
  private readonly daemons: Daemon[] = [];
  private readonly env: NodeJS.ProcessEnv;
  private readonly conf: string;
  private readonly killOnExit = () => this.killNow();
  /** Aborted when a daemon exits before start() is done, or by stop(): kills running tools. */
  private readonly startup = new AbortController();
  private started = false;

  constructor(private readonly dir: string) {
    this.conf = join(dir, "ceph.conf");
    const lib = join(cephRoot, "usr", "lib", multiarch);
    this.env = {
      ...process.env,
      PATH: [join(cephRoot, "usr", "bin"), join(cephRoot, "usr", "sbin"), process.env.PATH].join(":"),
      LD_LIBRARY_PATH: [lib, join(cephRoot, "lib", multiarch), join(lib, "ceph")].join(":"),
      PYTHONPATH: join(cephRoot, "usr", "lib", "python3", "dist-packages"),
      CEPH_CONF: this.conf,
      CEPH_ARGS: "",
    };
    // A test run that exits without global teardown (process.exit, uncaught error) still
    // kills its daemons; one killed by a signal takes them along through PR_SET_PDEATHSIG.
    process.once("exit", this.killOnExit);
  }

  /** Starts monitor, OSD and radosgw in that order; resolves when radosgw answers HTTP. */
  async start(): Promise<S3TestEndpoint> {
    const layout = await this.writeConfig();
    await this.createMonitor(layout);
    this.spawnDaemon("mon", "ceph-mon", ["-i", "a"]);
    const osdUuid = randomUUID();
    await this.createOsdAndPools(osdUuid);
    await this.runTool("ceph-osd", ["-i", "0", "--mkfs", "--osd-uuid", osdUuid, "--no-mon-config"]);
    this.spawnDaemon("osd", "ceph-osd", ["-i", "0"]);
    await this.createS3User();
    this.spawnDaemon("rgw", "radosgw", ["-n", `client.${rgwName}`]);
    const endpoint = `http://127.0.0.1:${layout.rgwPort}`;
    await this.waitForHttp(endpoint);
    this.started = true;
    return { endpoint, region, ...credentials, pids: this.daemons.map((d) => d.child.pid!) };
  }

  /** SIGTERM each daemon (radosgw first), SIGKILL after 5 s, then removes the run directory. */
  async stop(): Promise<void> {
    this.startup.abort(new Error("the S3 server was stopped while starting"));
    for (const daemon of [...this.daemons].reverse()) {
      if (daemon.child.exitCode !== null || daemon.child.signalCode !== null) continue;
      daemon.child.kill("SIGTERM");
      const timedOut = await Promise.race([daemon.exited.then(() => false), delay(5_000).then(() => true)]);
      if (timedOut) {
        daemon.child.kill("SIGKILL");
        await daemon.exited;
      }
    }
    process.removeListener("exit", this.killOnExit);
    await rm(this.dir, { recursive: true, force: true });
  }

  private killNow(): void {
    for (const { child } of this.daemons) {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async writeConfig(): Promise<CephLayout> {
    const layout: CephLayout = {
      dir: this.dir,
      root: cephRoot,
      multiarch,
      monPort: await freePort(),
      rgwPort: await freePort(),
      fsid: randomUUID(),
    };
    for (const sub of ["run", "log", "mon", join("osd", "osd.0"), "rgw"]) {
      await mkdir(join(this.dir, sub), { recursive: true });
    }
    await writeFile(this.conf, cephConf(layout));
    return layout;
  }

  private async createMonitor(layout: CephLayout): Promise<void> {
    const monmap = join(this.dir, "monmap");
    await this.runTool("monmaptool", [
      "--create",
      "--fsid",
      layout.fsid,
      "--addv",
      "a",
      `[v2:127.0.0.1:${layout.monPort}]`,
      monmap,
    ]);
    await this.runTool("ceph-mon", ["--mkfs", "-i", "a", "--monmap", monmap]);
  }

  /** One `ceph` session for all commands: each start of the Python CLI costs ~0.4 s. */
  private async createOsdAndPools(osdUuid: string): Promise<void> {
    const commands = [`osd new ${osdUuid} 0`, ...rgwPools.map((pool) => `osd pool create ${pool}`)];
    const ceph = join(cephRoot, "usr", "bin", "ceph");
    // python3 from PATH: the system's, or one install.sh unpacked when the system has none.
    await this.runTool("python3", [ceph, "--connect-timeout", "30"], `${commands.join("\n")}\n`);
  }

  private async createS3User(): Promise<void> {
    await this.runTool("radosgw-admin", [
      "user",
      "create",
      "--uid=cti-test",
      "--display-name=cti-etl tests",
      `--access-key=${credentials.accessKeyId}`,
      `--secret-key=${credentials.secretAccessKey}`,
      "--rados-mon-op-timeout=30",
      "--rados-osd-op-timeout=30",
    ]);
  }

  private spawnDaemon(name: string, command: string, args: string[]): void {
    const out = openSync(join(this.dir, "log", `${name}.out`), "a");
    // setpriv makes the kernel SIGKILL the daemon when this process dies, however it dies;
    // it execs the daemon, so the PID is the daemon's.
    const [file, argv] = hasSetpriv()
      ? ["setpriv", ["--pdeathsig", "SIGKILL", "--", command, "-f", ...args]]
      : [command, ["-f", ...args]];
    const child = spawn(file, argv, { env: this.env, stdio: ["ignore", out, out], detached: false });
    closeSync(out);
    // "error" without "exit" when the command cannot be spawned at all.
    const exited = new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.once("error", () => resolve());
    });
    void exited.then(() => {
      if (!this.started) this.startup.abort(new Error(`${command} exited during startup`));
    });
    this.daemons.push({ name, child, exited });
  }

  private async runTool(command: string, args: string[], input?: string): Promise<string> {
    const { signal } = this.startup;
    try {
      signal.throwIfAborted();
      return await run(command, args, { env: this.env, input, timeoutMs: readyTimeoutMs, signal });
    } catch (error) {
      const reason = signal.aborted ? `${(signal.reason as Error).message}: ` : "";
      throw new Error(`${reason}${(error as Error).message}\n${await this.logTails()}`);
    }
  }

  private async waitForHttp(endpoint: string): Promise<void> {
    const deadline = Date.now() + readyTimeoutMs;
    for (;;) {
      try {
        await fetch(endpoint, { signal: AbortSignal.timeout(1_000) });
        return;
      } catch (error) {
        if (this.startup.signal.aborted || Date.now() > deadline) {
          throw new Error(`radosgw did not answer at ${endpoint}: ${String(error)}\n${await this.logTails()}`);
        }
        await delay(50);
      }
    }
  }

  /** The end of each daemon's output and log, for startup errors. */
  private async logTails(): Promise<string> {
    const logs = join(this.dir, "log");
    const files = await readdir(logs).catch(() => []);
    const tails = await Promise.all(
      files.map(async (file) => {
        const lines = (await readFile(join(logs, file), "utf8")).trimEnd().split("\n");
        return `--- ${join(logs, file)}\n${lines.slice(-15).join("\n")}`;
      }),
    );
    return tails.join("\n");
  }
}

let setprivFound: boolean | undefined;
function hasSetpriv(): boolean {
  setprivFound ??= spawnSync("setpriv", ["--version"], { stdio: "ignore" }).status === 0;
  return setprivFound;
}

function run(
  command: string,
  args: string[],
  options: {
    env?: NodeJS.ProcessEnv;
    input?: string | undefined;
    timeoutMs?: number;
    /** Kills the command (SIGKILL) when aborted. */
    signal?: AbortSignal;
    stdio?: ["ignore", "inherit", "inherit"];
  } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      stdio: options.stdio ?? [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      timeout: options.timeoutMs,
      killSignal: "SIGKILL",
      signal: options.signal,
    });
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stdin?.end(options.input);
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      if (code === 0) resolve(output);
      else reject(new Error(`${command} ${args.join(" ")} failed (${signal ?? `exit ${code}`}):\n${output}`));
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}


function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Empties and deletes buckets on an endpoint that outlives the test run; best effort. */
async function deleteBuckets(s3: S3Client, buckets: string[]): Promise<void> {
  for (const bucket of buckets) {
    try {
      const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
      for (const { Key, UploadId } of uploads.Uploads ?? []) {
        await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key, UploadId }));
      }
      for (;;) {
        const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
        const objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map(({ Key, VersionId }) => ({
          Key,
          VersionId,
        }));
        if (objects.length === 0) break;
        await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects } }));
      }
      await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
    } catch (error) {
      console.error(`could not delete test bucket ${bucket}:`, error);
    }
  }
}
