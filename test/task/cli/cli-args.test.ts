import assert from "node:assert/strict";
import { DEFAULT_SHARD_BYTES, ENVIRONMENT_SECTION, MAIN_HELP, parseCommand, RUN_DEFAULTS, RUN_HELP } from "../../../task/src/cli/cli-args.ts";
import { ENVIRONMENT_HELP, environmentSchema } from "../../../task/src/config/environment.ts";
import { EtlError } from "../../../task/src/errors.ts";
import { DEFAULT_LOCK_WAIT_SECONDS } from "../../../task/src/load/warehouse-lock-decision.ts";
import { defaultCompression, zlibCapabilities } from "../../../task/src/sinks/codec.ts";

const usage = (argv: string[], pattern: RegExp) =>
  assert.throws(() => parseCommand(argv), (e: unknown) => e instanceof EtlError && e.code === "USAGE" && pattern.test(e.message));

describe("parseCommand", () => {
  it("checks --log-format by CTI_LOG_FORMAT's own type", () => {
    usage(["run", "-i", "a", "-o", "b", "--log-format", "yaml"], /--log-format must be "auto", "json" or "pretty" \(was "yaml"\)/);
    const c = parseCommand(["run", "-i", "a", "-o", "b", "--log-format", "pretty"]);
    assert.equal(c.command === "run" && c.logFormat, "pretty");
  });

  it("reads run with its defaults", () => {
    assert.deepEqual(parseCommand(["run", "--input", "in.csv", "-o", "out"]), {
      command: "run",
      input: "in.csv",
      output: "out",
      maxFieldBytes: RUN_DEFAULTS.maxFieldBytes,
      partBytes: RUN_DEFAULTS.partMiB * 1024 * 1024,
      compression: defaultCompression(zlibCapabilities()),
      gzipLevel: RUN_DEFAULTS.gzipLevel,
      runId: undefined,
      progress: undefined,
      logFormat: undefined,
      json: false,
      warehouse: undefined,
      table: undefined,
      workers: undefined,
      memoryBudgetBytes: undefined,
      sliceCount: 1,
      lockWaitSeconds: DEFAULT_LOCK_WAIT_SECONDS,
    });
  });

  it("reads every option", () => {
    const c = parseCommand(["run", "-i", "a", "-o", "b", "--max-field-bytes", "10", "--part-size", "2", "--gzip-level", "1", "--run-id", "r-1", "--no-progress", "--warehouse", "none", "--table", "s.t", "--workers", "3", "--memory-budget", "64", "--slices", "4", "--compression", "none", "--log-format", "json", "--json", "--lock-wait", "5"]);
    assert.deepEqual(c, { command: "run", input: "a", output: "b", maxFieldBytes: 10, partBytes: 2 << 20, compression: "none", gzipLevel: 1, runId: "r-1", progress: false, warehouse: "none", table: "s.t", workers: 3, memoryBudgetBytes: 64 << 20, sliceCount: 4, logFormat: "json", json: true, lockWaitSeconds: 5 });
  });

  it("writes zstd parts where the runtime has zstd and gzip elsewhere, unless --compression or CTI_COMPRESSION says", () => {
    const compressionOf = (argv: string[], env = {}, zstd = true) => {
      const c = parseCommand(["run", "-i", "a", "-o", "b", ...argv], env, { zstd });
      return c.command === "run" ? c.compression : undefined;
    };
    assert.equal(compressionOf([]), "zstd");
    assert.equal(compressionOf([], {}, false), "gzip");
    assert.equal(compressionOf(["--compression", "gzip"]), "gzip");
    assert.equal(compressionOf([], { CTI_COMPRESSION: "none" }, false), "none");
    assert.equal(compressionOf(["--compression", "zstd"], { CTI_COMPRESSION: "gzip" }), "zstd");
  });

  it("refuses zstd on a runtime without it, and an unknown codec, as USAGE naming the flag", () => {
    assert.throws(
      () => parseCommand(["run", "-i", "a", "-o", "b", "--compression", "zstd"], {}, { zstd: false }),
      (e: unknown) => e instanceof EtlError && e.code === "USAGE" && /--compression zstd needs a Node\.js with zstd in node:zlib \(22\.15 or later\).*use --compression gzip or none/.test(e.message),
    );
    assert.throws(() => parseCommand(["run", "-i", "a", "-o", "b"], { CTI_COMPRESSION: "zstd" }, { zstd: false }), /--compression zstd needs/);
    usage(["run", "-i", "a", "-o", "b", "--compression", "lz4"], /--compression must be "gzip", "none" or "zstd" \(was "lz4"\)/);
  });

  it("shows help for no arguments, --help and run --help", () => {
    assert.deepEqual(parseCommand([]), { command: "help", topic: "main" });
    assert.deepEqual(parseCommand(["--help"]), { command: "help", topic: "main" });
    assert.deepEqual(parseCommand(["run", "--help"]), { command: "help", topic: "run" });
  });

  it("refuses an unknown command or option, a missing value and missing --input/--output", () => {
    usage(["load"], /unknown command "load"/);
    usage(["run", "-i", "a", "-o", "b", "--bogus"], /bogus/);
    usage(["run", "-o", "b"], /--input \(or CTI_INPUT\) is required/);
    usage(["run", "-i", "a"], /--output \(or CTI_OUTPUT\) is required/);
    usage(["run", "-i", "a", "-o", "b", "--gzip-level", "12"], /--gzip-level must be an integer from 0 to 9 \(was "12"\)/);
    usage(["run", "-i", "a", "-o", "b", "--max-field-bytes", "1e3"], /--max-field-bytes/);
    usage(["run", "-i", "a", "-o", "b", "--run-id", "../x"], /--run-id/);
  });

  it("takes input, output and the field limit from the environment's values, flags winning", () => {
    const env = { CTI_INPUT: "s3://b/in/", CTI_OUTPUT: "s3://b/runs/", CTI_MAX_FIELD_BYTES: 100 };
    const c = parseCommand(["run", "-o", "elsewhere"], env);
    assert.ok(c.command === "run");
    assert.deepEqual([c.input, c.output, c.maxFieldBytes], ["s3://b/in/", "elsewhere", 100]);
  });

  it("takes the sizing from the environment's values, flags winning, and names the flag at fault", () => {
    const env = { CTI_INPUT: "i", CTI_OUTPUT: "o", CTI_WORKERS: 4, CTI_MEMORY_BUDGET_MIB: 300, CTI_SLICES: 8 };
    const c = parseCommand(["run"], env);
    assert.ok(c.command === "run");
    assert.deepEqual([c.workers, c.memoryBudgetBytes, c.sliceCount], [4, 300 << 20, 8]);
    const f = parseCommand(["run", "--workers", "2", "--memory-budget", "64", "--slices", "2"], env);
    assert.ok(f.command === "run");
    assert.deepEqual([f.workers, f.memoryBudgetBytes, f.sliceCount], [2, 64 << 20, 2]);
    assert.throws(() => parseCommand(["run", "--slices", "0"], env), (e: unknown) => e instanceof EtlError && /^--slices must be an integer from 1 to 1024 \(was "0"\)$/.test(e.message));
    usage(["run", "-i", "a", "-o", "b", "--workers", "two"], /^--workers must be an integer from 1 to 256 \(was "two"\)$/);
    usage(["run", "-i", "a", "-o", "b", "--memory-budget", "1"], /^--memory-budget must be an integer from 16/);
  });

  it("runs the job when started with no arguments and CTI_INPUT set, as a deployed task is", () => {
    const c = parseCommand([], { CTI_INPUT: "s3://b/in/", CTI_OUTPUT: "s3://b/runs/" });
    assert.equal(c.command, "run");
    assert.deepEqual(parseCommand([], {}), { command: "help", topic: "main" });
  });

  it("reads sql and status", () => {
    assert.deepEqual(parseCommand(["sql", "--json", "SELECT 1"]), { command: "sql", statement: "SELECT 1", warehouse: undefined, json: true, lockWaitSeconds: DEFAULT_LOCK_WAIT_SECONDS });
    assert.deepEqual(parseCommand(["status", "--limit", "3"]), { command: "status", limit: 3, warehouse: undefined, table: undefined, lockWaitSeconds: DEFAULT_LOCK_WAIT_SECONDS });
    usage(["sql"], /exactly one statement/);
    usage(["status", "--limit", "0"], /--limit must be an integer from 1/);
  });

  it("takes the warehouse lock's wait from --lock-wait, else CTI_WAREHOUSE_LOCK_WAIT_SECONDS, for run, sql and status", () => {
    const env = { CTI_WAREHOUSE_LOCK_WAIT_SECONDS: 7 };
    const waits = (argv: string[]) => {
      const c = parseCommand(argv, env);
      return "lockWaitSeconds" in c ? c.lockWaitSeconds : undefined;
    };
    assert.deepEqual([waits(["run", "-i", "a", "-o", "b"]), waits(["sql", "SELECT 1"]), waits(["status"])], [7, 7, 7]);
    assert.deepEqual([waits(["run", "-i", "a", "-o", "b", "--lock-wait", "0"]), waits(["sql", "--lock-wait", "2", "SELECT 1"]), waits(["status", "--lock-wait", "3"])], [0, 2, 3]);
    usage(["sql", "--lock-wait", "1.5", "SELECT 1"], /^--lock-wait must be a whole number of seconds from 0 to 86400 \(was "1.5"\)$/);
  });
});

describe("parseCommand: plan", () => {
  it("reads plan with its default shard target, input and output from the environment's values, flags winning", () => {
    assert.deepEqual(parseCommand(["plan", "-i", "s3://b/in/", "-o", "s3://b/runs/"]), {
      command: "plan",
      input: "s3://b/in/",
      output: "s3://b/runs/",
      shardBytes: DEFAULT_SHARD_BYTES,
      runId: undefined,
    });
    assert.deepEqual(parseCommand(["plan", "--run-id", "r1", "--shard-bytes", "1048576", "-o", "x"], { CTI_INPUT: "s3://b/in/", CTI_OUTPUT: "s3://b/runs/" }), {
      command: "plan",
      input: "s3://b/in/",
      output: "x",
      shardBytes: 1048576,
      runId: "r1",
    });
    assert.deepEqual(parseCommand(["plan", "--help"]), { command: "help", topic: "plan" });
  });

  it("refuses a shard target out of range, a bad run id, and a missing input or output", () => {
    usage(["plan", "-i", "a", "-o", "b", "--shard-bytes", "1048575"], /--shard-bytes must be a whole number of bytes from 1048576 to 1125899906842624 \(was "1048575"\)/);
    usage(["plan", "-i", "a", "-o", "b", "--shard-bytes", "2GiB"], /--shard-bytes must be a whole number of bytes/);
    usage(["plan", "-i", "a", "-o", "b", "--run-id", "no spaces"], /--run-id must match/);
    usage(["plan", "-o", "b"], /--input \(or CTI_INPUT\) is required; see cti-etl plan --help/);
    usage(["plan", "-i", "a"], /--output \(or CTI_OUTPUT\) is required; see cti-etl plan --help/);
    usage(["plan", "-i", "a", "-o", "b", "--workers", "2"], /Unknown option '--workers'.*see cti-etl plan --help/);
  });
});

describe("parseCommand: shard and commit", () => {
  it("reads shard with run's transform options and their variables, and commit with the warehouse options", () => {
    const shard = parseCommand(["shard", "--plan", "s3://b/runs/r1/plan.jsonl", "--index", "3", "--compression", "none", "--workers", "2"], { CTI_SLICES: 4 });
    assert.deepEqual(shard, {
      command: "shard",
      plan: "s3://b/runs/r1/plan.jsonl",
      index: 3,
      json: false,
      maxFieldBytes: RUN_DEFAULTS.maxFieldBytes,
      partBytes: RUN_DEFAULTS.partMiB * 2 ** 20,
      compression: "none",
      gzipLevel: RUN_DEFAULTS.gzipLevel,
      workers: 2,
      memoryBudgetBytes: undefined,
      sliceCount: 4,
    });
    assert.deepEqual(parseCommand(["commit", "--plan", "p/plan.jsonl", "--table", "public.t", "--lock-wait", "5"]), {
      command: "commit",
      plan: "p/plan.jsonl",
      warehouse: undefined,
      table: "public.t",
      lockWaitSeconds: 5,
      json: false,
    });
  });

  it("refuses a missing --plan or --index, and an index that is not a whole number", () => {
    usage(["shard", "--index", "0"], /--plan is required; see cti-etl shard --help/);
    usage(["shard", "--plan", "p"], /--index is required/);
    usage(["shard", "--plan", "p", "--index", "1.5"], /--index must be a whole number from 0 to 99999/);
    usage(["commit"], /--plan is required; see cti-etl commit --help/);
    assert.deepEqual(parseCommand(["commit", "--help"]), { command: "help", topic: "commit" });
  });
});

describe("ENVIRONMENT_SECTION", () => {
  it("lists every variable of the environment's schema, with its help, in --help and run --help", () => {
    const keys = environmentSchema.props.map((p) => String(p.key));
    assert.ok(keys.includes("CTI_LEASE_TTL_SECONDS") && keys.length >= 36, keys.join(","));
    for (const key of keys) {
      for (const [name, help] of [["ENVIRONMENT_SECTION", ENVIRONMENT_SECTION], ["--help", MAIN_HELP], ["run --help", RUN_HELP]] as const) {
        assert.match(help, new RegExp(`^    ${key} +\\S`, "m"), `${name} lacks ${key}`);
      }
      // The first words of its help follow it on the same line.
      const first = ENVIRONMENT_HELP[key as keyof typeof ENVIRONMENT_HELP].help.split(" ").slice(0, 2).join(" ");
      assert.ok(ENVIRONMENT_SECTION.includes(`${key.padEnd(32)}${first}`), `${key}: ${first}`);
    }
  });

  it("fits 92 columns, and has help for exactly the schema's variables", () => {
    for (const line of ENVIRONMENT_SECTION.split("\n")) assert.ok(line.length <= 92, line);
    assert.deepEqual(Object.keys(ENVIRONMENT_HELP).sort(), environmentSchema.props.map((p) => String(p.key)).sort());
  });
});
