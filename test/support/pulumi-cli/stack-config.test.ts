import assert from "node:assert/strict";
import {
  type ConfigValue,
  isValidConfigValue,
  mergeConfig,
  parseKey,
  parseProject,
  parseStackConfig,
  programConfig,
  type StackConfig,
} from "./stack-config.ts";

const project = parseProject(`
name: shop
config:
  size:
    type: integer
    default: 2
  mode:
    type: string
  flags:
    type: array
    items:
      type: boolean
    default: [true]
  aws:region: us-east-1
  note: hello
`);

const text = (value: string): ConfigValue => ({ text: value, secure: false, object: false });
const stackOf = (yaml: string): StackConfig => parseStackConfig(project, yaml);

describe("pulumi-cli/stack-config", () => {
  describe("parseProject (LoadProjectBytes, RewriteShorthandConfigValues, Project.Validate)", () => {
    it("reads a bare value as a default for a project key and as a value for another namespace's", () => {
      assert.deepEqual(project.config.note, { default: "hello" });
      assert.deepEqual(project.config["aws:region"], { value: "us-east-1" });
    });

    it("refuses a project without a name", () => {
      assert.throws(() => parseProject("runtime: nodejs\n"), /project is missing a 'name' attribute/);
    });

    it("refuses a type on another namespace's key (Project.Validate)", () => {
      assert.throws(
        () => parseProject("name: shop\nconfig:\n  aws:region:\n    type: string\n    value: x\n"),
        /Configuration key 'aws:region' is not namespaced by the project and should not define a type/,
      );
    });

    it("refuses a default of the wrong type (Project.Validate, ValidateConfigValue)", () => {
      assert.throws(
        () => parseProject("name: shop\nconfig:\n  size:\n    type: integer\n    default: big\n"),
        /The default value specified for configuration key 'size' is not of the expected type 'integer'/,
      );
    });

    it("refuses an array without items (Project.Validate)", () => {
      assert.throws(() => parseProject("name: shop\nconfig:\n  xs:\n    type: array\n"), /declares an array but does not specify the underlying type/);
    });
  });

  describe("parseStackConfig (LoadProjectStackBytes, ParseKey, object.MarshalString)", () => {
    it("namespaces a bare key with the project and keeps scalars as text", () => {
      const stack = stackOf("config:\n  size: 4\n  shop:mode: fast\n  shop:on: true\n");
      assert.deepEqual([...stack], [
        ["shop:size", text("4")],
        ["shop:mode", text("fast")],
        ["shop:on", text("true")],
      ]);
    });

    it("reads the old <namespace>:config:<name> form as <namespace>:<name>", () => {
      assert.equal(parseKey("aws:config:region"), "aws:region");
    });

    it("refuses a key with too many colons (ParseKey)", () => {
      assert.throws(() => stackOf("config:\n  a:b:c: 1\n"), /could not parse a:b:c as a configuration key/);
    });

    it("keeps lists and maps as JSON and marks {secure: …} a secret", () => {
      const stack = stackOf("config:\n  shop:flags: [true, false]\n  shop:token:\n    secure: v1:abc\n");
      assert.deepEqual(stack.get("shop:flags"), { text: "[true,false]", secure: false, object: true });
      assert.deepEqual(stack.get("shop:token"), { text: "v1:abc", secure: true, object: false });
    });

    it("reads an empty stack file as no configuration", () => {
      assert.equal(stackOf("").size, 0);
    });
  });

  describe("mergeConfig (pkg/workspace/config.go)", () => {
    it("fills declared defaults and values the stack does not set", () => {
      const merged = mergeConfig("dev", project, stackOf("config:\n  shop:mode: fast\n"));
      assert.deepEqual(merged.get("shop:size"), text("2"));
      assert.deepEqual(merged.get("shop:flags"), { text: "[true]", secure: false, object: true });
      assert.deepEqual(merged.get("aws:region"), text("us-east-1"));
      assert.deepEqual(merged.get("shop:note"), text("hello"));
    });

    it("keeps the stack's value over the declared default", () => {
      assert.deepEqual(mergeConfig("dev", project, stackOf("config:\n  shop:mode: a\n  shop:size: 9\n")).get("shop:size"), text("9"));
    });

    it("stops on a declared project key with neither a default nor a stack value, naming it", () => {
      assert.throws(() => mergeConfig("dev", project, stackOf("config: {}\n")), {
        name: "PulumiCliError",
        message: "Stack 'dev' is missing configuration value 'mode'",
      });
    });

    it("names every missing key in one sorted message (formatMissingKeys)", () => {
      const strict = parseProject("name: p\nconfig:\n  c:\n    type: string\n  a:\n    type: string\n  b: {}\n");
      assert.throws(() => mergeConfig("prod", strict, new Map()), {
        message: "Stack 'prod' is missing configuration values 'a', 'b' and 'c'",
      });
    });

    it("refuses a stack value that is not of the declared type", () => {
      assert.throws(() => mergeConfig("dev", project, stackOf("config:\n  shop:mode: a\n  shop:size: 1.5\n")), {
        message: "Stack 'dev' with configuration key 'size' must be of type 'integer'",
      });
      assert.throws(() => mergeConfig("dev", project, stackOf("config:\n  shop:mode: a\n  shop:flags: [yes]\n")), {
        message: "Stack 'dev' with configuration key 'flags' must be of type 'array<boolean>'",
      });
    });

    it("lets a key the project does not declare through unchecked", () => {
      const merged = mergeConfig("dev", project, stackOf("config:\n  shop:mode: a\n  shop:sizee: huge\n"));
      assert.deepEqual(merged.get("shop:sizee"), text("huge"));
    });

    it("does not require an undeclared key of another namespace", () => {
      const bare = parseProject("name: p\n");
      assert.equal(mergeConfig("dev", bare, new Map()).size, 0);
    });

    it("requires a secret declared key to be encrypted", () => {
      const secretive = parseProject("name: p\nconfig:\n  pw:\n    type: string\n    secret: true\n");
      assert.throws(() => mergeConfig("dev", secretive, new Map([["p:pw", text("plain")]])), {
        message: "Stack 'dev' with configuration key 'pw' must be encrypted as it's secret",
      });
    });
  });

  describe("isValidConfigValue (ValidateConfigValue)", () => {
    it("takes integers as whole numbers or strconv.Atoi text", () => {
      for (const ok of [3, "3", "-3", "+3", 2.0]) assert.ok(isValidConfigValue("integer", undefined, ok), String(ok));
      for (const bad of [1.5, "1.5", "3 ", "", "0x10", "99999999999999999999", true]) assert.ok(!isValidConfigValue("integer", undefined, bad), String(bad));
    });

    it("takes booleans as true/false, literal or text", () => {
      assert.ok(isValidConfigValue("boolean", undefined, "false"));
      assert.ok(!isValidConfigValue("boolean", undefined, "yes"));
    });

    it("takes any text as a string, and nothing else", () => {
      assert.ok(isValidConfigValue("string", undefined, "42"));
      assert.ok(!isValidConfigValue("string", undefined, 42));
    });
  });

  describe("programConfig (nodeLanguageHost.constructConfig)", () => {
    it("keys each value <namespace>:config:<name>, as PULUMI_CONFIG does", () => {
      assert.deepEqual(programConfig(new Map([["aws:region", text("eu-west-1")]])), { "aws:config:region": "eu-west-1" });
    });

    it("refuses a secret it cannot decrypt rather than pass ciphertext on", () => {
      assert.throws(() => programConfig(new Map([["p:pw", { text: "v1:x", secure: true, object: false }]])), /cannot decrypt/);
    });
  });
});
