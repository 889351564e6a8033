/**
 * The repository's `Pulumi.yaml` and `Pulumi.<stack>.yaml` files, put through the checks the
 * Pulumi CLI makes before `pulumi up` starts the program (test/support/pulumi-cli/stack-config.ts,
 * after `mergeConfig` in pulumi/pulumi's pkg/workspace/config.go), then through the program's own
 * (infra/config.ts). The program sees exactly the config the CLI would hand it.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseInfraConfig, type RawInfraConfig } from "../../infra/config.ts";
import { mergeConfig, parseProject, parseStackConfig, programConfig, stackConfigAsTheCliHandsIt } from "../support/pulumi-cli/stack-config.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const project = parseProject(readFileSync(`${root}Pulumi.yaml`, "utf8"));
const stackNames = readdirSync(root).flatMap((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1] ?? []);

/** The CLI's checks on a stack file's text, then what the program receives. */
function asTheCliHandsIt(stackFile: string, stackName = "new"): Record<string, string> {
  return programConfig(mergeConfig(stackName, project, parseStackConfig(project, stackFile)));
}

/**
 * What `readInfraConfig` makes of the program's config: the SDK's `cleanKey` turns
 * `<ns>:config:<name>` into `<ns>:<name>` (@pulumi/pulumi runtime/config.ts), then the region and
 * the project's keys.
 */
function infraRaw(config: Record<string, string>): RawInfraConfig {
  const clean = Object.fromEntries(Object.entries(config).map(([key, value]) => [key.replace(/^([^:]+):config:/, "$1:"), value]));
  const raw: RawInfraConfig = { "aws:region": clean["aws:region"] };
  for (const [key, value] of Object.entries(clean)) if (key.startsWith(`${project.name}:`)) raw[key.slice(project.name.length + 1)] = value;
  return raw;
}

describe("stack files (Pulumi.yaml and Pulumi.<stack>.yaml, as the CLI merges them)", () => {
  it("has at least the dev stack", () => {
    assert.ok(stackNames.includes("dev"), stackNames.join(", "));
  });

  for (const stackName of stackNames) {
    it(`passes the CLI's checks and the program's for Pulumi.${stackName}.yaml`, () => {
      const result = parseInfraConfig(infraRaw(stackConfigAsTheCliHandsIt(root, stackName)));
      assert.deepEqual(result.ok ? [] : result.problems, []);
    });
  }

  it("passes with a stack file holding only aws:region, as the README promises (defect 4)", () => {
    const config = asTheCliHandsIt("config:\n  aws:region: eu-central-1\n");
    const result = parseInfraConfig(infraRaw(config));
    assert.deepEqual(result.ok ? [] : result.problems, []);
    assert.equal(result.ok && result.config.region, "eu-central-1");
  });

  it("requires no project key the stack does not set (every declared key has a default or a value)", () => {
    assert.doesNotThrow(() => asTheCliHandsIt(""));
  });

  it("stops a wrong-typed value before anything is deployed", () => {
    const config = asTheCliHandsIt("config:\n  aws:region: us-east-1\n  cti-etl:taskCpu: lots\n  cti-etl:schedulePaused: maybe\n");
    const result = parseInfraConfig(infraRaw(config));
    assert.equal(result.ok, false);
    assert.deepEqual(
      (result.ok ? [] : result.problems).map((problem) => problem.split(" ")[0]),
      ["schedulePaused", "taskCpu"],
    );
  });

  it("lets an undeclared project key through the CLI, as the CLI does, and the program refuses it", () => {
    const config = asTheCliHandsIt("config:\n  aws:region: us-east-1\n  cti-etl:taskCPU: 2048\n");
    assert.equal(config["cti-etl:config:taskCPU"], "2048");
    const result = parseInfraConfig(infraRaw(config));
    assert.match((result.ok ? [] : result.problems).join("\n"), /^taskCPU is not a known setting/);
  });

  it("lets a key of another namespace through to its provider", () => {
    assert.equal(asTheCliHandsIt("config:\n  aws:region: us-east-1\n  aws:profile: ops\n")["aws:config:profile"], "ops");
  });
});
