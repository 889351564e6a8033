import { joinKey } from "../s3/s3-uri.ts";

/**
 * Where the run lease lives: one object under the output root, `<outputPrefix>_lease/lease.json`
 * (`runs/_lease/lease.json` in a deployed stack). Every run of a stack, scheduled or ad hoc,
 * writes under the same output root, so they all contend for the same object. Run ids start with
 * a letter or digit (`RUN_ID_PATTERN`), so `_lease/` never collides with a run's directory.
 *
 * `infra/iam/task-role.ts` grants the lease's actions on exactly this key.
 */
export const leaseKeyName = "_lease/lease.json";

/** The lease key for an output root prefix, e.g. `runs/` → `runs/_lease/lease.json`. */
export function leaseKey(outputPrefix: string): string {
  return joinKey(outputPrefix, leaseKeyName);
}
