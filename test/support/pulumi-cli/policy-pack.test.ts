import assert from "node:assert/strict";
import { policyPackCommand, runtimeOptions, splitShell } from "./policy-pack.ts";

const stack = { project: "p", stack: "dev", config: { "aws:region": "us-east-1" }, dryRun: true };
const base = { node: "/usr/bin/node", runPath: "/r/run-policy-pack", packDir: "/x/policy", engineAddress: "127.0.0.1:9", baseEnv: { PATH: "/bin", GONE: undefined }, stack };

describe("pulumi-cli/policy-pack", () => {
  describe("policyPackCommand (nodeLanguageHost.RunPlugin, kind analyzer)", () => {
    it("puts nodeargs after the run-policy-pack script, then the engine address, then the pack directory", () => {
      const command = policyPackCommand({ ...base, options: { nodeargs: "--import tsx" } });
      assert.deepEqual(command.args, ["/r/run-policy-pack", "--import", "tsx", "127.0.0.1:9", "/x/policy"]);
      assert.equal(command.cwd, "/x/policy");
    });

    it("adds the stack's identity and config to the CLI's environment", () => {
      const { env } = policyPackCommand({ ...base, options: {} });
      assert.equal(env.PATH, "/bin");
      assert.ok(!("GONE" in env));
      assert.equal(env.PULUMI_NODEJS_PROJECT, "p");
      assert.equal(env.PULUMI_NODEJS_STACK, "dev");
      assert.equal(env.PULUMI_NODEJS_DRY_RUN, "true");
      assert.deepEqual(JSON.parse(env.PULUMI_CONFIG!), { "aws:region": "us-east-1" });
    });

    it("sets PULUMI_NODEJS_TYPESCRIPT unless typescript is explicitly false (parseOptions default)", () => {
      assert.equal(policyPackCommand({ ...base, options: {} }).env.PULUMI_NODEJS_TYPESCRIPT, "true");
      assert.ok(!("PULUMI_NODEJS_TYPESCRIPT" in policyPackCommand({ ...base, options: { typescript: false } }).env));
    });
  });

  describe("runtimeOptions", () => {
    it("reads options of a runtime map and none of a bare runtime name", () => {
      assert.deepEqual(runtimeOptions("runtime:\n  name: nodejs\n  options:\n    nodeargs: --x\n"), { nodeargs: "--x" });
      assert.deepEqual(runtimeOptions("runtime: nodejs\n"), {});
    });
  });

  describe("splitShell", () => {
    it("splits on whitespace and keeps quoted words whole", () => {
      assert.deepEqual(splitShell(`--import tsx  "--a b" 'c d'`), ["--import", "tsx", "--a b", "c d"]);
    });
  });
});
