import assert from "node:assert/strict";
import { parsePolicyDocument, renderPolicyDocument } from "../../../infra/iam/policy-document.ts";

describe("policy-document", () => {
  describe("renderPolicyDocument", () => {
    it("renders statements in IAM's JSON shape, Allow by default", () => {
      const json = renderPolicyDocument([
        { sid: "Read", actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b/in/*"] },
        { sid: "NoPlainHttp", effect: "Deny", principal: { type: "*" }, actions: ["s3:*"], resources: ["arn:aws:s3:::b"], conditions: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }] },
      ]);
      assert.deepEqual(JSON.parse(json), {
        Version: "2012-10-17",
        Statement: [
          { Sid: "Read", Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::b/in/*"] },
          { Sid: "NoPlainHttp", Effect: "Deny", Principal: "*", Action: ["s3:*"], Resource: ["arn:aws:s3:::b"], Condition: { Bool: { "aws:SecureTransport": ["false"] } } },
        ],
      });
    });

    it("merges conditions that share an operator and leaves out Resource in trust policies", () => {
      const [statement] = JSON.parse(
        renderPolicyDocument([
          {
            sid: "Trust",
            actions: ["sts:AssumeRole"],
            principal: { type: "Service", identifiers: ["ecs-tasks.amazonaws.com"] },
            conditions: [
              { test: "StringEquals", variable: "aws:SourceAccount", values: ["1"] },
              { test: "StringEquals", variable: "aws:SourceOrgID", values: ["o-1"] },
            ],
          },
        ]),
      ).Statement;
      assert.deepEqual(statement.Condition, { StringEquals: { "aws:SourceAccount": ["1"], "aws:SourceOrgID": ["o-1"] } });
      assert.deepEqual(statement.Principal, { Service: ["ecs-tasks.amazonaws.com"] });
      assert.ok(!("Resource" in statement));
    });
  });

  describe("parsePolicyDocument", () => {
    it("reads back what was rendered", () => {
      const [parsed] = parsePolicyDocument(renderPolicyDocument([{ sid: "A", actions: ["s3:GetObject"], resources: ["r"] }]));
      assert.deepEqual(parsed, { sid: "A", effect: "Allow", actions: ["s3:GetObject"], notActions: [], resources: ["r"], notResources: [] });
    });

    it("widens single values to lists, from a string or an object", () => {
      const document = { Version: "2012-10-17", Statement: { Effect: "Allow", Action: "s3:*", Resource: "*", Principal: { AWS: "*" } } };
      for (const input of [document, JSON.stringify(document)]) {
        const [parsed] = parsePolicyDocument(input);
        assert.deepEqual(parsed?.actions, ["s3:*"]);
        assert.deepEqual(parsed?.resources, ["*"]);
        assert.deepEqual(parsed?.principal, { AWS: ["*"] });
      }
    });

    it("refuses something that is not a policy document", () => {
      assert.throws(() => parsePolicyDocument({ Version: "2012-10-17" }), /not an IAM policy document/);
      assert.throws(() => parsePolicyDocument("{"), SyntaxError);
    });
  });
});
