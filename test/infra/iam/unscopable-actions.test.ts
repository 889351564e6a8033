import assert from "node:assert/strict";
import { isUnscopable, unscopableActions } from "../../../infra/iam/unscopable-actions.ts";

describe("unscopable-actions", () => {
  it("links the AWS service authorization reference behind every entry", () => {
    for (const [action, link] of Object.entries(unscopableActions)) {
      assert.match(link, /^https:\/\/docs\.aws\.amazon\.com\/service-authorization\/latest\/reference\/list_\w+\.html$/, action);
    }
  });

  it("does not excuse actions that have a resource type", () => {
    for (const action of ["s3:GetObject", "s3:ListBucket", "redshift-data:ExecuteStatement", "redshift-serverless:GetCredentials", "ecr:BatchGetImage"]) {
      assert.equal(isUnscopable(action), false, action);
    }
  });
});
