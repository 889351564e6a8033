/**
 * Fargate task sizes: the cpu/memory pairs Fargate accepts, as pure data and checks.
 *
 * Source: "Task CPU and memory" in the Amazon ECS developer guide,
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
 * and the RegisterTaskDefinition `memory` reference. 8 and 16 vCPU need Linux platform 1.4.0+,
 * which `LATEST` is.
 */

/** Task CPU in CPU units (1024 = 1 vCPU) that Fargate accepts, smallest first. */
export const fargateCpuUnits = [256, 512, 1024, 2048, 4096, 8192, 16384] as const;

/** One of {@link fargateCpuUnits}. */
export type FargateCpu = (typeof fargateCpuUnits)[number];

/** Memory range (MiB) Fargate allows for one CPU size. */
interface MemoryRange {
  /** Smallest memory, MiB. */
  readonly min: number;
  /** Largest memory, MiB. */
  readonly max: number;
  /** Step between allowed values, MiB. */
  readonly step: number;
}

const memoryRanges: Readonly<Record<FargateCpu, MemoryRange>> = {
  256: { min: 512, max: 2048, step: 512 }, // 512, 1024, 2048 only: filtered below
  512: { min: 1024, max: 4096, step: 1024 },
  1024: { min: 2048, max: 8192, step: 1024 },
  2048: { min: 4096, max: 16384, step: 1024 },
  4096: { min: 8192, max: 30720, step: 1024 },
  8192: { min: 16384, max: 61440, step: 4096 },
  16384: { min: 32768, max: 122880, step: 8192 },
};

/** True when `cpu` is a Fargate CPU size. */
export function isFargateCpu(cpu: number): cpu is FargateCpu {
  return (fargateCpuUnits as readonly number[]).includes(cpu);
}

/** The memory sizes (MiB) Fargate accepts for `cpu`, ascending; empty for an unknown CPU size. */
export function fargateMemoryOptions(cpu: number): number[] {
  if (!isFargateCpu(cpu)) return [];
  const { min, max, step } = memoryRanges[cpu];
  const options: number[] = [];
  for (let memory = min; memory <= max; memory += step) options.push(memory);
  // 0.25 vCPU is the one size whose list is not a range: 1536 MiB is not offered.
  return cpu === 256 ? options.filter((m) => m !== 1536) : options;
}

/** Every valid `{ cpu, memory }` pair, smallest first. */
export function fargateSizes(): { cpu: FargateCpu; memory: number }[] {
  return fargateCpuUnits.flatMap((cpu) => fargateMemoryOptions(cpu).map((memory) => ({ cpu, memory })));
}

/**
 * Checks a task size. Returns `undefined` when Fargate accepts it, otherwise a message naming both
 * values and what is allowed, e.g. `taskMemory 3000 MiB is not valid with taskCpu 1024: allowed …`.
 */
export function fargateSizeProblem(cpu: number, memory: number): string | undefined {
  if (!isFargateCpu(cpu)) {
    return `taskCpu ${cpu} is not a Fargate CPU size: allowed ${fargateCpuUnits.join(", ")} (CPU units, 1024 = 1 vCPU)`;
  }
  const options = fargateMemoryOptions(cpu);
  if (options.includes(memory)) return undefined;
  return `taskMemory ${memory} MiB is not valid with taskCpu ${cpu}: allowed ${describeOptions(options)} MiB`;
}

function describeOptions(options: number[]): string {
  if (options.length <= 8) return options.join(", ");
  const [first, second] = options;
  return `${first} to ${options[options.length - 1]} in steps of ${second! - first!}`;
}
