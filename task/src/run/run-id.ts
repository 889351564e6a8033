import { randomBytes } from "node:crypto";

/**
 * A run id that sorts by start time and is unique across concurrent runs:
 * `20261126T104512Z-3fa9c2`.
 */
export function newRunId(now: Date, random: () => Buffer = () => randomBytes(3)): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  return `${stamp}-${random().toString("hex")}`;
}

/** Run ids are used in paths and SQL: keep them to a safe alphabet. */
export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
