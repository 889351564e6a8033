import assert from "node:assert/strict";
import { matchesEventPattern } from "./event-pattern-matcher.ts";

/**
 * The examples of AWS's EventBridge documentation and of Event Ruler's README (the matcher
 * EventBridge runs), with the outcome AWS gives for each.
 */

/** The sample event of the EventBridge docs and Event Ruler's README. */
const ec2Event = {
  version: "0",
  id: "ddddd4-aaaa-7777-4444-345dd43cc333",
  "detail-type": "EC2 Instance State-change Notification",
  source: "aws.ec2",
  account: "012345679012",
  time: "2017-10-02T16:24:49Z",
  region: "us-east-1",
  resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
  detail: {
    "c-count": 5,
    "d-count": 3,
    "x-limit": 301.8,
    "source-ip": "10.0.0.33",
    "instance-id": "i-000000aaaaaa00000",
    state: "running",
  },
};

describe("matchesEventPattern", () => {
  describe("matching values", () => {
    it("matches when every field of the pattern has one of its values, ignoring other fields", () => {
      const pattern = {
        "detail-type": ["EC2 Instance State-change Notification"],
        resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
        detail: { state: ["initializing", "running"] },
      };
      assert.equal(matchesEventPattern(pattern, ec2Event), true);
      assert.equal(matchesEventPattern(pattern, { ...ec2Event, detail: { ...ec2Event.detail, state: "stopped" } }), false);
    });

    it("requires every field the pattern names to be present, with the same nesting", () => {
      assert.equal(matchesEventPattern({ detail: { missing: ["x"] } }, ec2Event), false);
      assert.equal(matchesEventPattern({ state: ["running"] }, ec2Event), false);
    });

    it("matches an array in the event when it shares a value with the pattern", () => {
      const pattern = {
        resources: [
          "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
          "arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f",
          "arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f",
        ],
      };
      const event = {
        resources: [
          "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate",
          "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
        ],
      };
      assert.equal(matchesEventPattern(pattern, event), true);
      assert.equal(matchesEventPattern(pattern, { resources: [event.resources[0]] }), false);
    });

    it("tells numbers from strings and compares numbers by value", () => {
      assert.equal(matchesEventPattern({ detail: { "c-count": [5] } }, ec2Event), true);
      assert.equal(matchesEventPattern({ detail: { "c-count": ["5"] } }, ec2Event), false);
      assert.equal(matchesEventPattern({ detail: { "x-limit": [3.018e2] } }, ec2Event), true);
    });

    it("matches null, true and false as JSON literals", () => {
      assert.equal(matchesEventPattern({ a: [null] }, { a: null }), true);
      assert.equal(matchesEventPattern({ a: [false] }, { a: false }), true);
      assert.equal(matchesEventPattern({ a: ["false"] }, { a: false }), false);
    });
  });

  describe("content filters", () => {
    it("matches a prefix and a suffix on strings only", () => {
      assert.equal(matchesEventPattern({ time: [{ prefix: "2017-10-02" }] }, ec2Event), true);
      assert.equal(matchesEventPattern({ time: [{ prefix: "2017-10-03" }] }, ec2Event), false);
      assert.equal(matchesEventPattern({ source: [{ suffix: "ec2" }] }, ec2Event), true);
      assert.equal(matchesEventPattern({ detail: { "c-count": [{ prefix: "5" }] } }, ec2Event), false);
    });

    it("matches equals-ignore-case", () => {
      assert.equal(matchesEventPattern({ source: [{ "equals-ignore-case": "AWS.EC2" }] }, ec2Event), true);
    });

    it("matches anything but a string, a number, a list or a prefix", () => {
      assert.equal(matchesEventPattern({ detail: { state: [{ "anything-but": "initializing" }] } }, ec2Event), true);
      assert.equal(matchesEventPattern({ detail: { state: [{ "anything-but": "running" }] } }, ec2Event), false);
      assert.equal(matchesEventPattern({ detail: { "x-limit": [{ "anything-but": 123 }] } }, ec2Event), true);
      assert.equal(matchesEventPattern({ detail: { state: [{ "anything-but": ["stopped", "overloaded"] }] } }, ec2Event), true);
      assert.equal(matchesEventPattern({ detail: { state: [{ "anything-but": ["stopped", "running"] }] } }, ec2Event), false);
      assert.equal(matchesEventPattern({ detail: { "x-limit": [{ "anything-but": [100, 200, 300] }] } }, ec2Event), true);
      assert.equal(matchesEventPattern({ detail: { state: [{ "anything-but": { prefix: "init" } }] } }, ec2Event), true);
      assert.equal(matchesEventPattern({ detail: { state: [{ "anything-but": { prefix: "run" } }] } }, ec2Event), false);
    });

    it("does not match anything-but on a field the event lacks", () => {
      assert.equal(matchesEventPattern({ detail: { missing: [{ "anything-but": "x" }] } }, ec2Event), false);
    });

    it("matches numeric ranges on numbers only", () => {
      const pattern = {
        detail: {
          "c-count": [{ numeric: [">", 0, "<=", 5] }],
          "d-count": [{ numeric: ["<", 10] }],
          "x-limit": [{ numeric: ["=", 3.018e2] }],
        },
      };
      assert.equal(matchesEventPattern(pattern, ec2Event), true);
      assert.equal(matchesEventPattern({ detail: { "c-count": [{ numeric: [">", 5] }] } }, ec2Event), false);
      assert.equal(matchesEventPattern({ a: [{ numeric: [">", 0] }] }, { a: "5" }), false);
    });

    it("matches exists on leaf fields only", () => {
      assert.equal(matchesEventPattern({ detail: { "c-count": [{ exists: true }] } }, ec2Event), true);
      assert.equal(matchesEventPattern({ detail: { "c-count": [{ exists: false }] } }, ec2Event), false);
      assert.equal(matchesEventPattern({ detail: { "e-count": [{ exists: false }] } }, ec2Event), true);
      // AWS's note: c-count holding an object is not a leaf, so exists:false still matches.
      assert.equal(matchesEventPattern({ detail: { "c-count": [{ exists: false }] } }, { detail: { "c-count": { c1: 100 } } }), true);
    });

    it("matches the documented complex example", () => {
      const pattern = {
        time: [{ prefix: "2017-10-02" }],
        detail: {
          state: [{ "anything-but": "initializing" }],
          "c-count": [{ numeric: [">", 0, "<=", 5] }],
          "d-count": [{ numeric: ["<", 10] }],
          "x-limit": [{ "anything-but": [100, 200, 300] }],
        },
      };
      assert.equal(matchesEventPattern(pattern, ec2Event), true);
      assert.equal(matchesEventPattern(pattern, { ...ec2Event, detail: { ...ec2Event.detail, "x-limit": 200 } }), false);
    });
  });

  describe("$or", () => {
    const metric = { source: "aws.cloudwatch", metricName: "NetworkIn", namespace: "AWS/EC2", metricType: "MetricType", scope: "Other" };

    it("matches when any alternative matches, and the other fields too", () => {
      const pattern = { source: ["aws.cloudwatch"], $or: [{ metricName: ["CPUUtilization", "ReadLatency"] }, { namespace: ["AWS/EC2", "AWS/ES"] }] };
      assert.equal(matchesEventPattern(pattern, metric), true);
      assert.equal(matchesEventPattern(pattern, { ...metric, namespace: "AWS/S3" }), false);
      assert.equal(matchesEventPattern(pattern, { ...metric, source: "aws.ec2" }), false);
    });

    it("nests $or inside an alternative", () => {
      const pattern = {
        source: ["aws.cloudwatch"],
        $or: [
          { metricName: ["CPUUtilization", "ReadLatency"] },
          { metricType: ["MetricType"], namespace: ["AWS/EC2", "AWS/ES"], $or: [{ metricId: [1234] }, { spaceId: [1000] }] },
          { scope: ["Service"] },
        ],
      };
      assert.equal(matchesEventPattern(pattern, { ...metric, spaceId: 1000 }), true);
      assert.equal(matchesEventPattern(pattern, metric), false);
    });

    it("refuses an $or with fewer than two alternatives", () => {
      assert.throws(() => matchesEventPattern({ $or: [{ a: ["x"] }] }, {}), /at least two pattern objects/);
    });
  });

  describe("arrays of objects", () => {
    const employees = {
      employees: [
        { firstName: "John", lastName: "Doe" },
        { firstName: "Anna", lastName: "Smith" },
        { firstName: "Peter", lastName: "Jones" },
      ],
    };

    it("matches a field of any element", () => {
      assert.equal(matchesEventPattern({ employees: { firstName: ["Anna"] } }, employees), true);
    });

    it("keeps fields of one element together (array consistency)", () => {
      assert.equal(matchesEventPattern({ employees: { firstName: ["Anna"], lastName: ["Jones"] } }, employees), false);
      assert.equal(matchesEventPattern({ employees: { firstName: ["Anna"], lastName: ["Smith"] } }, employees), true);
    });
  });

  describe("what it refuses", () => {
    it("throws on operators it does not implement, so no test passes by accident", () => {
      assert.throws(() => matchesEventPattern({ detail: { "source-ip": [{ cidr: "10.0.0.0/24" }] } }, ec2Event), /does not support "cidr"/);
      assert.throws(() => matchesEventPattern({ source: [{ wildcard: "aws.*" }] }, ec2Event), /does not support "wildcard"/);
    });

    it("throws on a leaf that is not an array", () => {
      assert.throws(() => matchesEventPattern({ source: "aws.ec2" }, ec2Event), /must be an array or an object/);
    });

    it("reads a pattern given as JSON text", () => {
      assert.equal(matchesEventPattern(JSON.stringify({ source: ["aws.ec2"] }), ec2Event), true);
    });
  });
});
