/**
 * `cti-etl --version`: the one rule for recognising it and the line it prints. Kept apart from
 * cli-args.ts (which loads the environment's arktype schema for the help) so that the command's
 * entry (start.ts) answers it before loading anything else.
 */

/** What `--version` prints. */
export const VERSION_LINE = "cti-etl 0.1.0\n";

/** True when the command line (without `node` and the script) asks for the version: `--version` first. */
export function isVersionRequest(argv: readonly string[]): boolean {
  return argv[0] === "--version";
}
