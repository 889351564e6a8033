/**
 * Checks an embedded metric format document against the CloudWatch specification, the way
 * CloudWatch Logs would before extracting metrics: test support for the log-output tests.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */

/** Units CloudWatch accepts. */
export const CLOUDWATCH_UNITS = new Set([
  "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes",
  "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count", "Bytes/Second",
  "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second", "Bits/Second",
  "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None",
]);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Every way `doc` breaks the specification; empty when it is a valid EMF document. */
export function emfProblems(doc: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(doc)) return ["the root is not a JSON object"];
  const meta = doc._aws;
  if (!isObject(meta)) return ["no _aws metadata object"];
  if (typeof meta.Timestamp !== "number" || !Number.isInteger(meta.Timestamp) || meta.Timestamp < 0) problems.push("_aws.Timestamp is not epoch milliseconds");
  const directives = meta.CloudWatchMetrics;
  if (!Array.isArray(directives) || directives.length === 0) return [...problems, "_aws.CloudWatchMetrics is not a non-empty array"];
  for (const [i, directive] of directives.entries()) {
    if (!isObject(directive)) {
      problems.push(`directive ${i} is not an object`);
      continue;
    }
    if (typeof directive.Namespace !== "string" || directive.Namespace.length < 1 || directive.Namespace.length > 255) problems.push(`directive ${i}: bad Namespace`);
    if (!Array.isArray(directive.Dimensions)) problems.push(`directive ${i}: Dimensions is not an array`);
    else {
      for (const set of directive.Dimensions) {
        if (!Array.isArray(set) || set.length > 30) problems.push(`directive ${i}: a dimension set is not an array of at most 30 keys`);
        else for (const key of set) {
          if (typeof key !== "string") problems.push(`directive ${i}: dimension key ${String(key)} is not a string`);
          else if (typeof doc[key] !== "string") problems.push(`directive ${i}: dimension ${key} has no string value at the root`);
          else if ((doc[key] as string).length < 1 || (doc[key] as string).length > 1024 || /[^\x20-\x7e]/.test(doc[key] as string)) problems.push(`dimension ${key}: not 1–1024 printable ASCII characters`);
        }
      }
    }
    if (!Array.isArray(directive.Metrics) || directive.Metrics.length > 100) problems.push(`directive ${i}: Metrics is not an array of at most 100`);
    else {
      for (const metric of directive.Metrics) {
        if (!isObject(metric) || typeof metric.Name !== "string" || metric.Name.length < 1 || metric.Name.length > 1024) {
          problems.push(`directive ${i}: a metric has no Name`);
          continue;
        }
        if (metric.Unit !== undefined && !CLOUDWATCH_UNITS.has(String(metric.Unit))) problems.push(`metric ${metric.Name}: unknown Unit ${String(metric.Unit)}`);
        if (metric.StorageResolution !== undefined && metric.StorageResolution !== 1 && metric.StorageResolution !== 60) problems.push(`metric ${metric.Name}: bad StorageResolution`);
        const value = doc[metric.Name];
        const values = Array.isArray(value) ? value : [value];
        if (values.length === 0 || values.length > 100 || !values.every((v) => typeof v === "number" && Number.isFinite(v))) {
          problems.push(`metric ${metric.Name}: no numeric value at the root`);
        }
      }
    }
  }
  return problems;
}

/** The lines of JSON log output as objects; fails on any line that is not one JSON object. */
export function parseJsonLines(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line, i) => {
      const parsed: unknown = JSON.parse(line);
      if (!isObject(parsed)) throw new Error(`log line ${i + 1} is not a JSON object: ${line}`);
      return parsed;
    });
}

/** The EMF documents among parsed log lines. */
export function emfDocuments(lines: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  return lines.filter((line) => "_aws" in line);
}

/** A sink collecting what a logger writes. */
export function memorySink(): { write(text: string): void; text(): string; isTTY?: boolean } {
  let out = "";
  return { write: (text: string) => void (out += text), text: () => out };
}
