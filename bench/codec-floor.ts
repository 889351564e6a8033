import { mkdir, readdir, rm } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { docker, removeContainer, requireDockerEngine, uniqueName } from "../test/support/docker/engine.ts";
import { taskImage } from "../test/support/docker/task-image.ts";
import type { BenchInput } from "./bench-data.ts";
import { CLI, jobCommand } from "./build-programs.ts";
import { countMismatch, measure } from "./measure.ts";
import { ZSTD_LEVEL } from "../task/src/sinks/codec.ts";

const CACHE = fileURLToPath(new URL("../.cache/bench/", import.meta.url));

/** The floor of the default codec's work, measured inside the image (ms). */
export interface CodecFloor {
  /** Reading the input through, as the job's source does. */
  readMs: number;
  /** Compressing the clean rows with zstd level 3 in 1 MiB blocks, as many at once as libuv's pool runs (`zstd -3 -T<cpus>`). */
  compressMs: number;
  /** Both at once, as the job overlaps them: the floor of the whole run's work. */
  bothMs: number;
  cleanBytes: number;
  compressedBytes: number;
}

/**
 * The script run by the image's Node: reads `/in/<input>` through, compresses every clean part's
 * bytes under `/clean` (plain CSV) with the parts' zstd level (sinks/codec.ts) in 1 MiB
 * blocks with `cpus * 2` in flight, each alone and then both at once; prints one JSON line.
 */
function floorScript(input: string, cpus: number): string {
  return `(async () => {
const fs = require("node:fs"), zlib = require("node:zlib"), { promisify } = require("node:util");
const zstd = promisify(zlib.zstdCompress), opts = { params: { [zlib.constants.ZSTD_c_compressionLevel]: ${ZSTD_LEVEL} } };
const clean = Buffer.concat(fs.readdirSync("/clean").sort().map((f) => fs.readFileSync("/clean/" + f)));
const read = () => new Promise((ok, no) => fs.createReadStream(${JSON.stringify(input)}, { highWaterMark: 1 << 20 }).on("data", () => {}).on("end", ok).on("error", no));
let out = 0;
const compress = async () => { out = 0; let next = 0; const worker = async () => { while (next < clean.length) { const at = next; next += 1 << 20; out += (await zstd(clean.subarray(at, at + (1 << 20)), opts)).length; } }; await Promise.all(Array.from({ length: ${Math.max(1, Math.round(cpus * 2))} }, worker)); };
const time = async (f) => { const s = performance.now(); await f(); return performance.now() - s; };
await read(); await compress();
const readMs = await time(read), compressMs = await time(compress), bothMs = await time(() => Promise.all([read(), compress()]));
console.log(JSON.stringify({ readMs, compressMs, bothMs, cleanBytes: clean.length, compressedBytes: out }));
})().catch((e) => { console.error(e); process.exit(1); });`;
}

/**
 * The clean rows of `input` as plain CSV (the command as installed, `--compression none`), then
 * the floor measured in the image under `limits`, input and rows mounted read-only. Each step
 * runs once untimed first (the page cache warm, as the job's runs find it). The container is
 * removed by id, also on failure.
 */
export async function measureCodecFloor(input: BenchInput, limits: { cpus: number; memoryMiB: number }): Promise<CodecFloor> {
  await requireDockerEngine();
  const out = `${CACHE}out/floor-clean`;
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  try {
    const m = await measure([process.execPath, CLI, ...jobCommand(input.path, out, "gzip", true), "--compression", "none"], process.env);
    if (countMismatch(m.report, input.expected)) throw new Error(`the command miscounted writing the clean rows: ${countMismatch(m.report, input.expected)}`);
    const [run] = await readdir(out);
    const clean = `${out}/${run}/clean`;
    const name = uniqueName("cti-etl-floor");
    const { stdout: created } = await docker([
      "run", "--detach", "--name", name, "--network", "none",
      "--cpus", String(limits.cpus), "--memory", `${limits.memoryMiB}m`, "--memory-swap", `${limits.memoryMiB}m`,
      "--volume", `${dirname(input.path)}:/in:ro`, "--volume", `${clean}:/clean:ro`,
      "--entrypoint", "/nodejs/bin/node", await taskImage(), "-e", floorScript(`/in/${basename(input.path)}`, limits.cpus),
    ]);
    const id = created.trim();
    try {
      const status = Number((await docker(["wait", id])).stdout.trim());
      const logs = await docker(["logs", id]);
      if (status !== 0) throw new Error(`the floor script exited ${status}: ${logs.stderr.trim()}`);
      return JSON.parse(logs.stdout.trim().split("\n").pop()!) as CodecFloor;
    } finally {
      await removeContainer(id);
    }
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}
