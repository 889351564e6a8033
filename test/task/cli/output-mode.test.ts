import assert from "node:assert/strict";
import { chooseOutputMode, jsonSummaryOnStdout, type OutputFacts } from "../../../task/src/cli/output-mode.ts";

const facts = (overrides: Partial<OutputFacts>): OutputFacts => ({ logFormat: "auto", json: false, progress: undefined, stderrIsTty: true, stdoutIsTty: true, ...overrides });

describe("chooseOutputMode", () => {
  it("on a terminal: readable logs, live bars and the readable summary on stderr, nothing on stdout", () => {
    assert.deepEqual(chooseOutputMode(facts({})), { logFormat: "pretty", progress: "live", readableSummary: "stderr", jsonSummary: false });
  });

  it("piped: JSON log lines, no progress, the JSON summary on stdout and no readable summary", () => {
    assert.deepEqual(chooseOutputMode(facts({ stderrIsTty: false, stdoutIsTty: false })), { logFormat: "json", progress: "off", readableSummary: "none", jsonSummary: true });
  });

  it("--log-format json on a terminal: JSON lines and no bar among them; the readable summary goes to stdout, the terminal", () => {
    assert.deepEqual(chooseOutputMode(facts({ logFormat: "json" })), { logFormat: "json", progress: "off", readableSummary: "stdout", jsonSummary: false });
  });

  it("--json on a terminal: the JSON summary on stdout, the rest unchanged", () => {
    assert.deepEqual(chooseOutputMode(facts({ json: true })), { logFormat: "pretty", progress: "live", readableSummary: "stderr", jsonSummary: true });
    assert.equal(chooseOutputMode(facts({ logFormat: "json", json: true })).readableSummary, "none");
  });

  it("stdout piped from a terminal session (cti-etl run | jq): JSON summary on stdout, the person's view on stderr", () => {
    assert.deepEqual(chooseOutputMode(facts({ stdoutIsTty: false })), { logFormat: "pretty", progress: "live", readableSummary: "stderr", jsonSummary: true });
  });

  it("--progress forces plain progress lines off a terminal; --no-progress turns bars off on one", () => {
    assert.equal(chooseOutputMode(facts({ stderrIsTty: false, stdoutIsTty: false, progress: true })).progress, "lines");
    assert.equal(chooseOutputMode(facts({ progress: false })).progress, "off");
    assert.equal(chooseOutputMode(facts({ logFormat: "json", progress: true })).progress, "live");
  });
});

describe("jsonSummaryOnStdout", () => {
  it("prints the JSON summary with --json or off a terminal, and only then (shard and commit ask it as run does)", () => {
    assert.equal(jsonSummaryOnStdout({ json: false, stdoutIsTty: true }), false);
    assert.equal(jsonSummaryOnStdout({ json: true, stdoutIsTty: true }), true);
    assert.equal(jsonSummaryOnStdout({ json: false, stdoutIsTty: false }), true);
  });
});
