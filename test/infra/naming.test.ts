import assert from "node:assert/strict";
import fc from "fast-check";
import { resourceNames } from "../../infra/naming.ts";

describe("resourceNames", () => {
  it("derives every name from the project and stack", () => {
    assert.deepEqual(resourceNames("cti-etl", "dev"), {
      base: "cti-etl-dev",
      cluster: "cti-etl-dev",
      taskFamily: "cti-etl-dev",
      logGroup: "/cti-etl/dev/task",
      namespace: "cti-etl-dev-ns",
      workgroup: "cti-etl-dev-wg",
      container: "etl",
    });
  });

  it("turns characters Redshift refuses into dashes", () => {
    assert.equal(resourceNames("cti-etl", "Team_A.Prod").workgroup, "cti-etl-team-a-prod-wg");
  });

  it("keeps Redshift and ECS names valid for any stack name", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (stack) => {
        const names = resourceNames("cti-etl", stack);
        for (const name of [names.namespace, names.workgroup]) assert.match(name, /^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$/);
        assert.match(names.cluster, /^[a-z0-9][a-z0-9-]{0,254}$/);
      }),
    );
  });
});
