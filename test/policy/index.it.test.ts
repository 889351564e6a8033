/**
 * The policy pack (policy/index.cjs) loaded as `pulumi preview --policy-pack policy` loads it: its
 * own process, started as the Node language host starts a pack (@pulumi/pulumi/cmd/run-policy-pack,
 * see test/support/pulumi-cli/policy-pack.ts for the CLI source behind each step), then every
 * resource the program declares under the mocks sent through the Analyzer gRPC service it serves.
 * Defect 5: the ESM TypeScript pack died here with TS5097 before serving.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { resourceRules, stackRules } from "../../policy/rules.ts";
import { loadProgram, project, readStackConfig, type RecordedResource, stack } from "../infra/support/pulumi-mocks.ts";
import {
  type AnalyzedResource,
  analyze,
  analyzerInfo,
  analyzerPb,
  analyzeStack,
  diagnosticLines,
  type RunningPack,
  startPolicyPack,
} from "../support/pulumi-cli/policy-pack.ts";

const packDir = fileURLToPath(new URL("../../policy", import.meta.url));
const urnOf = (r: RecordedResource) => `urn:pulumi:${stack}::${project}::${r.type}::${r.name}`;

/** A recorded resource as the engine sends it: Analyze gets the inputs (preview), AnalyzeStack the state. */
function asAnalyzed(r: RecordedResource, properties: Record<string, unknown>): AnalyzedResource {
  return { urn: urnOf(r), type: r.type, name: r.name, properties };
}

describe("policy pack (policy/index.cjs, as `pulumi preview --policy-pack policy` runs it)", function () {
  this.timeout(120_000);
  let pack: RunningPack | undefined;
  let resources: readonly RecordedResource[];

  before(async () => {
    ({ resources } = await loadProgram());
    pack = await startPolicyPack(packDir, { project, stack, config: readStackConfig(stack), dryRun: true });
  });

  after(async () => {
    await pack?.close();
  });

  it("serves every rule of policy/rules.ts, all mandatory (GetAnalyzerInfo)", async () => {
    const info = await analyzerInfo(pack!.client);
    assert.equal(info.getName(), "cti-etl-security");
    const policies = info.getPoliciesList();
    assert.deepEqual(policies.map((p) => p.getName()).sort(), [...resourceRules, ...stackRules].map((r) => r.name).sort());
    for (const policy of policies) assert.equal(policy.getEnforcementlevel(), analyzerPb.EnforcementLevel.MANDATORY, policy.getName());
  });

  it("finds no violation on any resource the program declares (Analyze, with its inputs)", async () => {
    const custom = resources.filter((r) => r.custom);
    assert.ok(custom.length > 20, `only ${custom.length} resources recorded`);
    const violations: string[] = [];
    for (const r of custom) violations.push(...diagnosticLines(await analyze(pack!.client, asAnalyzed(r, r.inputs))));
    assert.deepEqual(violations, []);
  });

  it("finds no violation on the stack the program declares (AnalyzeStack, with its state)", async () => {
    const response = await analyzeStack(pack!.client, resources.filter((r) => r.custom).map((r) => asAnalyzed(r, r.state)));
    assert.deepEqual(diagnosticLines(response), []);
  });

  it("reports a log group without retention (Analyze)", async () => {
    const logGroup = resources.find((r) => r.type === "aws:cloudwatch/logGroup:LogGroup")!;
    const { retentionInDays: _dropped, ...inputs } = logGroup.inputs;
    const lines = diagnosticLines(await analyze(pack!.client, asAnalyzed(logGroup, inputs)));
    // @pulumi/policy's reportViolation sends "<description>\n<message>".
    assert.deepEqual(lines, ["log-retention-set: CloudWatch log groups have a retention period\nretentionInDays is undefined: set a retention period"]);
  });

  it("reports a bucket that lost its public access block (AnalyzeStack)", async () => {
    const kept = resources.filter((r) => r.custom && r.type !== "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
    const lines = diagnosticLines(await analyzeStack(pack!.client, kept.map((r) => asAnalyzed(r, r.state))));
    assert.ok(lines.length > 0);
    for (const line of lines) assert.match(line, /^s3-public-access-block-present: .*\nbucket \S+ has no public access block with all four settings on \(urn:pulumi:dev::cti-etl::aws:s3\/bucket:Bucket::/);
  });
});
