/**
 * The Pulumi CLI's stack-configuration checks, reproduced in TypeScript so tests can run them
 * without the CLI binary: what `pulumi up` / `pulumi preview` do to `Pulumi.yaml` and
 * `Pulumi.<stack>.yaml` before the program starts, and the config they then hand the program.
 *
 * Every rule names the function of github.com/pulumi/pulumi it reproduces (read at commit
 * 1b5949891b3c, August 2026):
 *  - `LoadProjectBytes`, `RewriteShorthandConfigValues`, `Project.Validate`, `ValidateConfigValue`,
 *    `InferFullTypeName` in sdk/go/common/workspace/{loaders,project}.go;
 *  - `LoadProjectStackBytes`, `stackConfigNamespacedWithProject` in sdk/go/common/workspace/loaders.go;
 *  - `ParseKey` in sdk/go/common/resource/config/key.go, `object.MarshalString`/`unmarshalObject`
 *    in sdk/go/common/resource/config/object.go (how a YAML value becomes a config value);
 *  - `mergeConfig`, `validateStackConfigValues`, `validateStackConfigValue`, `parseConfigKey`,
 *    `createConfigValue`, `formatMissingKeys` in pkg/workspace/config.go (called by
 *    `pulumi up` in pkg/cmd/pulumi/operations/up.go, which prefixes "validating stack config: ");
 *  - `nodeLanguageHost.constructConfig` in sdk/nodejs/cmd/pulumi-language-nodejs/main.go (the
 *    `PULUMI_CONFIG` the Node program receives).
 *
 * Left out: ESC environments (`environment:` in the stack file), decryption of `secure:` values,
 * and the JSON-schema pass of `ValidateProject` beyond the `name` check.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

// js-yaml stands in for gopkg.in/yaml.v3. Its CORE_SCHEMA resolves plain scalars as YAML 1.2's core
// schema does (null, bool, int, float; everything else a string), which is what yaml.v3 does when
// decoding into `any`: no timestamps, no `yes`/`on` booleans.
const yaml = createRequire(import.meta.url)("js-yaml") as {
  load(text: string, options: { schema: unknown; filename?: string }): unknown;
  CORE_SCHEMA: unknown;
};

/** The type names a project may declare (`stringTypeName`… in sdk/go/common/workspace/project.go). */
export type ConfigTypeName = "string" | "integer" | "boolean" | "array" | "object";

/** `items` of an array-typed key (`ProjectConfigItemsType`). */
export interface ProjectConfigItemsType {
  readonly type: string;
  readonly items?: ProjectConfigItemsType;
}

/** One declared key of `Pulumi.yaml`'s `config:` block (`ProjectConfigType`). */
export interface ProjectConfigType {
  readonly type?: string;
  readonly description?: string;
  readonly items?: ProjectConfigItemsType;
  readonly default?: unknown;
  readonly value?: unknown;
  readonly secret?: boolean;
}

/** The parts of a Pulumi project the config checks read. */
export interface Project {
  readonly name: string;
  /** Declared keys as written (`taskCpu` or `cti-etl:taskCpu` or `aws:region`). */
  readonly config: Readonly<Record<string, ProjectConfigType>>;
}

/**
 * One stack config value as the CLI keeps it (`config.Value`): text, and whether it is a secret
 * ciphertext or a JSON-encoded object/array.
 */
export interface ConfigValue {
  readonly text: string;
  readonly secure: boolean;
  readonly object: boolean;
}

/** Stack configuration by fully qualified key `<namespace>:<name>` (`config.Map`). */
export type StackConfig = Map<string, ConfigValue>;

/** A refusal by the CLI, worded as the CLI words it. */
export class PulumiCliError extends Error {
  override readonly name = "PulumiCliError";
}

/**
 * Parses `Pulumi.yaml` as `LoadProjectBytes` does: the name check of `ValidateProject`, then
 * `RewriteShorthandConfigValues` (a bare value under `config:` is a `default` for a project key and
 * a `value` for another namespace's), then `Project.Validate`.
 */
export function parseProject(text: string, path = "Pulumi.yaml"): Project {
  const raw = yaml.load(text, { schema: yaml.CORE_SCHEMA, filename: path });
  if (!isMap(raw)) throw new PulumiCliError(`could not unmarshal '${path}': expected project to be an object, was '${typeName(raw)}'`);
  // ValidateProject: "project is missing a non-empty string 'name' attribute".
  if (!("name" in raw)) throw new PulumiCliError(`could not validate '${path}': project is missing a 'name' attribute`);
  if (typeof raw.name !== "string" || raw.name === "") {
    throw new PulumiCliError(`could not validate '${path}': project is missing a non-empty string 'name' attribute`);
  }
  const name = raw.name;
  const config: Record<string, ProjectConfigType> = {};
  if (isMap(raw.config)) {
    for (const [key, declared] of Object.entries(raw.config)) {
      // RewriteShorthandConfigValues: primitives (isPrimitiveValue) and arrays are shorthand.
      if (isPrimitive(declared) || Array.isArray(declared)) {
        config[key] = isNamespacedByProject(name, key) ? { default: declared } : { value: declared };
      } else if (isMap(declared)) {
        config[key] = declared as ProjectConfigType;
      } else {
        config[key] = {};
      }
    }
  }
  const project = { name, config };
  const problem = projectProblem(project);
  if (problem) throw new PulumiCliError(`could not unmarshal '${path}': ${problem}`);
  return project;
}

/** `Project.Validate` (sdk/go/common/workspace/project.go): the first problem, or `undefined`. */
export function projectProblem(project: Project): string | undefined {
  for (const [key, declared] of Object.entries(project.config)) {
    if (declared.default !== undefined && declared.value !== undefined) {
      return `project config '${key}' cannot have both a 'default' and 'value' attribute`;
    }
    if (isNamespacedByProject(project.name, key)) {
      if (declared.type === "array" && declared.items === undefined) {
        return `The configuration key '${key}' declares an array but does not specify the underlying type via the 'items' attribute`;
      }
      if (declared.type !== undefined && declared.default !== undefined && !isValidConfigValue(declared.type, declared.items, declared.default)) {
        return `The default value specified for configuration key '${key}' is not of the expected type '${fullTypeName(declared.type, declared.items)}'`;
      }
    } else {
      if (declared.type !== undefined) return `Configuration key '${key}' is not namespaced by the project and should not define a type`;
      if (declared.default !== undefined) {
        return `Configuration key '${key}' is not namespaced by the project and should not define a default value. Did you mean to use the 'value' attribute instead of 'default'?`;
      }
      if (declared.value === undefined) return `Configuration key '${key}' is namespaced and must provide an attribute 'value'`;
    }
  }
  return undefined;
}

/**
 * Parses `Pulumi.<stack>.yaml`'s `config:` as `LoadProjectStackBytes` does: a key without a
 * namespace gets the project's (`stackConfigNamespacedWithProject`); every key must then parse as
 * `<namespace>:<name>` or `<namespace>:config:<name>` (`ParseKey`); each value becomes text as
 * `object.MarshalString` makes it (scalars as text, `{secure: …}` a secret, the rest JSON).
 */
export function parseStackConfig(project: Project, text: string, path = "Pulumi.<stack>.yaml"): StackConfig {
  const raw = yaml.load(text, { schema: yaml.CORE_SCHEMA, filename: path });
  const config: StackConfig = new Map();
  // An empty stack file is a stack without configuration (LoadProjectStackBytes).
  if (raw === null || raw === undefined) return config;
  if (!isMap(raw)) throw new PulumiCliError(`could not unmarshal '${path}': expected an object, was '${typeName(raw)}'`);
  if (raw.config === undefined || raw.config === null) return config;
  if (!isMap(raw.config)) throw new PulumiCliError(`could not unmarshal '${path}': config must be a map`);
  for (const [written, value] of Object.entries(raw.config)) {
    const key = parseKey(written.includes(":") ? written : `${project.name}:${written}`);
    config.set(key, configValue(value));
  }
  return config;
}

/**
 * `ParseKey` (sdk/go/common/resource/config/key.go): `<namespace>:<name>`, or the old
 * `<namespace>:config:<name>`, as the canonical `<namespace>:<name>`.
 */
export function parseKey(key: string): string {
  const colons = key.split(":").length - 1;
  if (colons === 1) return key;
  if (colons === 2) {
    const [namespace, module, name] = key.split(":");
    if (module === "config" && namespace && name) return `${namespace}:${name}`;
  }
  throw new PulumiCliError(`could not parse ${key} as a configuration key (configuration keys should be of the form \`<namespace>:<name>\`)`);
}

/**
 * Merges the project's declared config into a stack's and validates the result, as
 * `ValidateStackConfigAndApplyProjectConfig` → `mergeConfig(…, validate: true)` does for
 * `pulumi up`/`preview`: a declared key the stack does not set takes the declaration's `default`
 * or `value`; a project-namespaced key with neither is missing (all missing keys in one error);
 * then every explicitly typed key's value is checked against its type (`validateStackConfigValues`).
 * Keys the project does not declare pass through unchecked: the CLI leaves them to the program.
 * Returns a new map; throws {@link PulumiCliError} with the CLI's message.
 */
export function mergeConfig(stackName: string, project: Project, stackConfig: StackConfig): StackConfig {
  const merged: StackConfig = new Map(stackConfig);
  const missing: string[] = [];
  // mergeConfig walks the declared keys in sorted order (sort.Strings).
  for (const declaredKey of Object.keys(project.config).sort(byteOrder)) {
    const declared = project.config[declaredKey]!;
    const key = configKey(project.name, declaredKey);
    const hasDefault = declared.default !== undefined;
    const hasValue = declared.value !== undefined;
    if (merged.has(key)) continue;
    if (!hasValue && !hasDefault) {
      if (namespaceOf(key) === project.name) missing.push(declaredKey);
      continue;
    }
    // createConfigValue: the default wins over the value when both are present.
    merged.set(key, createConfigValue(hasDefault ? declared.default : declared.value));
  }
  if (missing.length > 0) {
    throw new PulumiCliError(`Stack '${stackName}' is missing configuration ${missing.length > 1 ? "values" : "value"} ${formatMissingKeys(missing)}`);
  }
  for (const declaredKey of Object.keys(project.config).sort(byteOrder)) {
    const declared = project.config[declaredKey]!;
    if (declared.type === undefined) continue;
    // validateStackConfigValues reads an unset key as the empty value.
    const value = merged.get(configKey(project.name, declaredKey)) ?? { text: "", secure: false, object: false };
    const problem = stackValueProblem(stackName, declaredKey, declared, value);
    if (problem) throw new PulumiCliError(problem);
  }
  return merged;
}

/**
 * The config the Node language host hands the program: `PULUMI_CONFIG`, keyed
 * `<namespace>:config:<name>` (`nodeLanguageHost.constructConfig`). Secrets would be decrypted by
 * the CLI first; this reproduction has no key to do that and refuses them.
 */
export function programConfig(config: StackConfig): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of config) {
    if (value.secure) throw new PulumiCliError(`${key} is a secret: this reproduction of the CLI cannot decrypt it`);
    const [namespace, name] = key.split(":");
    out[`${namespace}:config:${name}`] = value.text;
  }
  return out;
}

/**
 * The whole path for one stack of a project directory: load `Pulumi.yaml` and
 * `Pulumi.<stack>.yaml`, merge and validate, and return what the program receives.
 */
export function stackConfigAsTheCliHandsIt(projectDir: string, stackName: string): Record<string, string> {
  const project = parseProject(readFileSync(join(projectDir, "Pulumi.yaml"), "utf8"), join(projectDir, "Pulumi.yaml"));
  const stackPath = join(projectDir, `Pulumi.${stackName}.yaml`);
  const stack = parseStackConfig(project, readFileSync(stackPath, "utf8"), stackPath);
  return programConfig(mergeConfig(stackName, project, stack));
}

/** `validateStackConfigValue` (pkg/workspace/config.go): the CLI's message, or `undefined`. */
function stackValueProblem(stackName: string, key: string, declared: ProjectConfigType, value: ConfigValue): string | undefined {
  if (declared.secret === true && !value.secure) {
    return `Stack '${stackName}' with configuration key '${key}' must be encrypted as it's secret`;
  }
  // An object value is JSON; Go's json.Unmarshal into `any` gives float64 numbers, as JSON.parse does.
  const content: unknown = value.object ? JSON.parse(value.text) : value.text;
  if (!isValidConfigValue(declared.type!, declared.items, content)) {
    return `Stack '${stackName}' with configuration key '${key}' must be of type '${fullTypeName(declared.type!, declared.items)}'`;
  }
  return undefined;
}

/**
 * `ValidateConfigValue` (sdk/go/common/workspace/project.go). Stack values arrive as text, so an
 * integer may be a whole number or a string `strconv.Atoi` takes, a boolean `true`/`false` or the
 * strings "true"/"false"; any scalar is a string.
 */
export function isValidConfigValue(type: string, items: ProjectConfigItemsType | undefined, value: unknown): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "integer":
      if (typeof value === "number") return Number.isInteger(value);
      return typeof value === "string" && isAtoi(value);
    case "boolean":
      return value === true || value === false || value === "true" || value === "false";
    case "object":
      return isMap(value);
    default:
      return Array.isArray(value) && items !== undefined && value.every((item) => isValidConfigValue(items.type, items.items, item));
  }
}

/** `InferFullTypeName`: `array<integer>` for an array of integers. */
export function fullTypeName(type: string, items: ProjectConfigItemsType | undefined): string {
  return items === undefined ? type : `array<${fullTypeName(items.type, items.items)}>`;
}

/** `strconv.Atoi` on a 64-bit platform: optional sign, decimal digits, within int64. */
function isAtoi(text: string): boolean {
  if (!/^[+-]?\d+$/.test(text)) return false;
  const n = BigInt(text);
  return n >= -(2n ** 63n) && n < 2n ** 63n;
}

/** `createConfigValue`: string, int and bool as text; anything else (floats too) as a JSON object value. */
function createConfigValue(raw: unknown): ConfigValue {
  if (typeof raw === "string" || typeof raw === "boolean" || (typeof raw === "number" && Number.isInteger(raw))) {
    return { text: String(raw), secure: false, object: false };
  }
  return { text: JSON.stringify(raw), secure: false, object: true };
}

/** A YAML value of the stack file as `config.Value` (`unmarshalObject` + `object.MarshalString`). */
function configValue(raw: unknown): ConfigValue {
  if (typeof raw === "string") return { text: raw, secure: false, object: false };
  if (typeof raw === "boolean" || typeof raw === "number") return { text: JSON.stringify(raw), secure: false, object: false };
  if (isMap(raw) && Object.keys(raw).length === 1 && typeof raw.secure === "string") return { text: raw.secure, secure: true, object: false };
  return { text: JSON.stringify(raw ?? null), secure: false, object: true };
}

/** `parseConfigKey`: a declared key without a namespace is in the project's. */
function configKey(projectName: string, declaredKey: string): string {
  return declaredKey.includes(":") ? parseKey(declaredKey) : `${projectName}:${declaredKey}`;
}

/** `configKeyIsNamespacedByProject`. */
function isNamespacedByProject(projectName: string, key: string): boolean {
  return !key.includes(":") || key.startsWith(`${projectName}:`);
}

function namespaceOf(key: string): string {
  return key.slice(0, key.indexOf(":"));
}

/** `formatMissingKeys`: `'a'`, or `'a', 'b' and 'c'` sorted. */
function formatMissingKeys(keys: string[]): string {
  if (keys.length === 1) return `'${keys[0]}'`;
  const sorted = [...keys].sort(byteOrder).map((key) => `'${key}'`);
  return `${sorted.slice(0, -1).join(", ")} and ${sorted.at(-1)}`;
}

/** Go's sort.Strings compares bytes; so does this (for the ASCII keys config uses). */
function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isPrimitive(value: unknown): boolean {
  return typeof value === "string" || typeof value === "boolean" || (typeof value === "number" && Number.isInteger(value));
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function typeName(value: unknown): string {
  return Array.isArray(value) ? "[]interface {}" : value === null ? "<nil>" : typeof value;
}
