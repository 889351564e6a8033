import assert from "node:assert/strict";
import { EtlError } from "../../../task/src/errors.ts";
import { ENVIRONMENT_KEYS, MAX_DEADLINE_SECONDS, SECRET_ENV_KEYS, parseEnvironment, parseFlagValue, settingValue } from "../../../task/src/config/environment.ts";

const usageError = (pattern: RegExp) => (e: unknown) => e instanceof EtlError && e.code === "USAGE" && pattern.test(e.message);

describe("parseEnvironment", () => {
  it("parses numbers, trims, and treats an empty variable as unset", () => {
    assert.deepEqual(parseEnvironment({ CTI_WORKERS: " 4 ", CTI_ANOMALY_MAX_REJECTED_RATIO: "0.05", CTI_TABLE: "", CTI_INPUT: "in.csv", OTHER: "x" }), { CTI_WORKERS: 4, CTI_ANOMALY_MAX_REJECTED_RATIO: 0.05, CTI_INPUT: "in.csv" });
  });

  it("reads whole seconds for CTI_DEADLINE_SECONDS", () => {
    assert.equal(parseEnvironment({ CTI_DEADLINE_SECONDS: "3600" }).CTI_DEADLINE_SECONDS, 3600);
    assert.equal(parseEnvironment({ CTI_DEADLINE_SECONDS: "" }).CTI_DEADLINE_SECONDS, undefined);
  });

  for (const raw of ["0", "-5", "1.5", "soon", "1e3", String(MAX_DEADLINE_SECONDS + 1)]) {
    it(`refuses CTI_DEADLINE_SECONDS=${JSON.stringify(raw)}, naming the variable and the range`, () => {
      assert.throws(() => parseEnvironment({ CTI_DEADLINE_SECONDS: raw }), usageError(/^CTI_DEADLINE_SECONDS must be a whole number of seconds from 1 to 604800 \(was ".*"\)$/));
    });
  }

  it("names every bad variable in one usage error", () => {
    assert.throws(
      () => parseEnvironment({ CTI_LOG_LEVEL: "loud", CTI_ANOMALY_MAX_REJECTED_RATIO: "2", CTI_NOTIFY_ATTEMPTS: "0", CTI_SLICES: "x" }),
      usageError(/(?=.*CTI_LOG_LEVEL must be)(?=.*CTI_ANOMALY_MAX_REJECTED_RATIO must be)(?=.*CTI_NOTIFY_ATTEMPTS must be an integer from 1 to 10)(?=.*CTI_SLICES must be an integer from 1 to 1024 \(was "x"\))/),
    );
  });

  it("never shows a secret's value in its error", () => {
    for (const key of SECRET_ENV_KEYS) {
      const secret = "has spaces so it is invalid";
      assert.throws(() => parseEnvironment({ [key]: secret }), (e: unknown) => e instanceof EtlError && e.message.includes(key) && !e.message.includes(secret));
    }
  });

  it("reads only the job's own variables, the AWS ones it resolves itself and ECS's metadata endpoint", () => {
    assert.ok(ENVIRONMENT_KEYS.every((key) => /^(CTI|AWS)_/.test(key) || key === "ECS_CONTAINER_METADATA_URI_V4"), ENVIRONMENT_KEYS.join(","));
  });
});

describe("parseFlagValue", () => {
  it("checks a flag with its variable's type and names the flag", () => {
    assert.equal(parseFlagValue("--workers", settingValue.workers, "8"), 8);
    assert.throws(() => parseFlagValue("--workers", settingValue.workers, "257"), usageError(/^--workers must be an integer from 1 to 256 \(was "257"\)$/));
  });
});
