/**
 * The fan-out's cost and time model (pure): for an input of some size, how many shard tasks, how
 * long the run takes at a given `MaxConcurrency`, and what Fargate, Step Functions and the final
 * Redshift insert cost. The task's throughput is this project's measurement (`npm run bench`,
 * container section); start-up time, prices and Redshift's insert rate come from elsewhere and
 * are named as such in {@link FAN_OUT_ASSUMPTIONS}.
 */

export interface FanOutCostInputs {
  /** Input bytes (as stored). */
  readonly inputBytes: number;
  /** `CTI_SHARD_BYTES`. */
  readonly shardBytes: number;
  /** `fanOutMaxConcurrency`. */
  readonly maxConcurrency: number;
}

/** The model's constants, each with where it comes from. */
export const FAN_OUT_ASSUMPTIONS = {
  /** Measured here: the image at 1 vCPU, 2048 MiB, zstd parts, 1M rows (81.5 MB) in 3.98 s: 20.5 MB/s (bench, container section, 2026-12-06). */
  taskBytesPerSecond: 20.5e6,
  /** Bytes of input per row in the benchmark's data (81.5 MB per million rows): measured here. */
  bytesPerRow: 81.5,
  /** Assumed: Fargate's provisioning and image pull before the container starts (AWS publishes no figure; 30–60 s is common). */
  taskStartSeconds: 45,
  /** The default task: 1 vCPU, 2 GiB (infra/config.ts). */
  taskVcpu: 1,
  taskMemoryGiB: 2,
  /** AWS price list, us-east-1, Fargate Linux/ARM64: per vCPU-hour and per GB-hour. */
  fargateVcpuHour: 0.03238,
  fargateGbHour: 0.00356,
  /** AWS price list: Step Functions Standard, per state transition ($0.025 per 1,000). */
  stateTransition: 0.000025,
  /** State transitions per shard child (Shard entered and succeeded) and for the rest of a run (Run, Plan, Map, Commit…). */
  transitionsPerShard: 2,
  transitionsPerRun: 8,
  /** AWS price list: Redshift Serverless, per RPU-hour, us-east-1. */
  rpuHour: 0.375,
  /** The workgroup's base capacity (config redshiftBaseCapacity default). */
  rpus: 8,
  /** Assumed, not measured here (no Redshift): rows the COPY, distinct and anti-join insert handle per second at that capacity. */
  redshiftRowsPerSecond: 5e6,
} as const;

export interface FanOutCost {
  shards: number;
  /** Seconds of one shard task, start-up included. */
  shardSeconds: number;
  /** The map's wall time: waves of `maxConcurrency` tasks, plus plan and commit tasks' start-up. */
  wallSeconds: number;
  fargateDollars: number;
  stepFunctionsDollars: number;
  /** The final insert's RPU time and cost. */
  redshiftRpuHours: number;
  redshiftDollars: number;
}

/** The model's constants, as numbers (tests vary them). */
export type FanOutAssumptions = { readonly [K in keyof typeof FAN_OUT_ASSUMPTIONS]: number };

export function fanOutCost(inputs: FanOutCostInputs, a: FanOutAssumptions = FAN_OUT_ASSUMPTIONS): FanOutCost {
  const shards = Math.max(1, Math.ceil(inputs.inputBytes / inputs.shardBytes));
  const shardSeconds = Math.min(inputs.inputBytes, inputs.shardBytes) / a.taskBytesPerSecond + a.taskStartSeconds;
  const insertSeconds = inputs.inputBytes / a.bytesPerRow / a.redshiftRowsPerSecond;
  const waves = Math.ceil(shards / inputs.maxConcurrency);
  const planAndCommitSeconds = 2 * a.taskStartSeconds + insertSeconds;
  const taskHours = ((shards * shardSeconds) + planAndCommitSeconds) / 3600;
  return {
    shards,
    shardSeconds,
    wallSeconds: waves * shardSeconds + planAndCommitSeconds,
    fargateDollars: taskHours * (a.taskVcpu * a.fargateVcpuHour + a.taskMemoryGiB * a.fargateGbHour),
    stepFunctionsDollars: (shards * a.transitionsPerShard + a.transitionsPerRun) * a.stateTransition,
    redshiftRpuHours: (a.rpus * insertSeconds) / 3600,
    redshiftDollars: ((a.rpus * insertSeconds) / 3600) * a.rpuHour,
  };
}

/** The README's table: 1 TB and 5 TB at 2 GiB shards, at 20 and 100 tasks at once. */
export function fanOutCostTable(): string {
  const rows = [
    "| input | shards | tasks at once | wall time | Fargate | Step Functions | Redshift insert (RPU-hours, cost) |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const [label, bytes] of [["1 TB", 1e12], ["5 TB", 5e12]] as const) {
    for (const maxConcurrency of [20, 100]) {
      const c = fanOutCost({ inputBytes: bytes, shardBytes: 2 * 2 ** 30, maxConcurrency });
      rows.push(`| ${label} | ${c.shards} | ${maxConcurrency} | ${(c.wallSeconds / 60).toFixed(0)} min | $${c.fargateDollars.toFixed(2)} | $${c.stepFunctionsDollars.toFixed(3)} | ${c.redshiftRpuHours.toFixed(2)}, $${c.redshiftDollars.toFixed(2)} |`);
    }
  }
  return rows.join("\n");
}
