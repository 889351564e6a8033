/**
 * What a run writes where (pure): the one decision behind cti-etl's terminal.
 *
 * - stderr is for people and logs: on a terminal, a progress bar per stage, warnings and errors
 *   as short lines, and the readable summary; elsewhere (or `--log-format json`) one JSON object
 *   per line, the CloudWatch EMF documents among them.
 * - stdout is for data: the JSON summary when it is not a terminal (a pipe, a file, awslogs) or
 *   with `--json`; on a terminal nothing, unless the readable summary has nowhere else to go
 *   (stderr sent to a file while stdout is a terminal).
 */
import { chooseLogFormat, type LogFormat, type LogFormatSetting } from "../observability/log-format.ts";

/** What the decision is made from. */
export interface OutputFacts {
  /** `--log-format`, else `CTI_LOG_FORMAT`, else `auto`. */
  logFormat: LogFormatSetting;
  /** `--json`: the JSON summary on stdout, even on a terminal. */
  json: boolean;
  /** `--progress` (`true`), `--no-progress` (`false`), or neither. */
  progress: boolean | undefined;
  stderrIsTty: boolean;
  stdoutIsTty: boolean;
}

/** What goes where. */
export interface OutputMode {
  /** Format of the log lines on stderr. */
  logFormat: LogFormat;
  /** `live`: bars redrawn in place; `lines`: plain status lines; `off`. */
  progress: "live" | "lines" | "off";
  /** Where the readable summary goes, if anywhere. */
  readableSummary: "stderr" | "stdout" | "none";
  /** The JSON summary as the last line of stdout. */
  jsonSummary: boolean;
}

/** The output of a run for these facts. Pure. */
export function chooseOutputMode(facts: OutputFacts): OutputMode {
  const logFormat = chooseLogFormat(facts.logFormat, facts.stderrIsTty);
  // A bar redrawn among JSON lines would corrupt them: by default, bars only with readable logs on a terminal.
  const progress = facts.progress === false ? "off" : facts.progress === true || (facts.stderrIsTty && logFormat === "pretty") ? (facts.stderrIsTty ? "live" : "lines") : "off";
  const jsonSummary = jsonSummaryOnStdout(facts);
  const readableSummary = logFormat === "pretty" ? "stderr" : facts.stdoutIsTty && !jsonSummary ? "stdout" : "none";
  return { logFormat, progress, readableSummary, jsonSummary };
}

/** Whether the JSON summary goes to stdout: with `--json`, or when stdout is not a terminal. Every command that prints one asks this. Pure. */
export function jsonSummaryOnStdout(facts: Pick<OutputFacts, "json" | "stdoutIsTty">): boolean {
  return facts.json || !facts.stdoutIsTty;
}
