/**
 * Starts a Node policy pack as `pulumi preview --policy-pack <dir>` starts it, and talks to it as
 * the engine does, so tests exercise the pack in the form the CLI loads, not an in-process import.
 *
 * What the CLI does, at pulumi/pulumi commit 1b5949891b3c:
 *  - `NewPolicyAnalyzer` (pkg/resource/plugin/analyzer_plugin.go) loads `<dir>/PulumiPolicy.yaml`
 *    and, the nodejs language plugin being present, asks it to `RunPlugin` the pack directory with
 *    kind `analyzer` and args `[<engine address>]`, then calls `Handshake` (Unimplemented is fine)
 *    and `ConfigureStack` on the analyzer the pack serves.
 *  - `nodeLanguageHost.RunPlugin` (sdk/nodejs/cmd/pulumi-language-nodejs/main.go) runs
 *    `node <@pulumi/pulumi/cmd/run-policy-pack> <nodeargs…> <args…> <pack dir>` in the pack
 *    directory: for analyzers the runtime's `nodeargs` come after the script, so they reach
 *    run-policy-pack as arguments, not Node. Its environment is the CLI's, plus
 *    `PULUMI_NODEJS_TYPESCRIPT` when the `typescript` option is on, and the stack's identity and
 *    config (`PULUMI_NODEJS_PROJECT`, `…_STACK`, `…_DRY_RUN`, `PULUMI_CONFIG`).
 *  - run-policy-pack (sdk/nodejs/cmd/run-policy-pack/{index,run}.ts) drops the engine address,
 *    registers ts-node whatever the options say, and `require()`s the pack directory.
 *  - `new PolicyPack(…)` (@pulumi/policy policy.ts, server.ts) reads the version from the pack's
 *    package.json, serves the Analyzer gRPC service on 127.0.0.1 and prints the port on stdout.
 */
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as analyzerGrpcTypes from "@pulumi/pulumi/proto/analyzer_grpc_pb.js";
import type * as analyzerPbTypes from "@pulumi/pulumi/proto/analyzer_pb.js";
import { spawnTracked, stop } from "../processes.ts";

const requireHere = createRequire(import.meta.url);
// The gRPC stubs and the gRPC library the @pulumi/pulumi SDK itself uses (one instance, so the
// client's credentials and channel types match the stubs').
const requireFromSdk = createRequire(requireHere.resolve("@pulumi/pulumi/package.json"));
const grpc = requireFromSdk("@grpc/grpc-js") as typeof grpcTypes;
export const analyzerPb = requireFromSdk("./proto/analyzer_pb.js") as typeof analyzerPbTypes;
const analyzerGrpc = requireFromSdk("./proto/analyzer_grpc_pb.js") as typeof analyzerGrpcTypes;
const emptyPb = requireFromSdk("google-protobuf/google/protobuf/empty_pb.js") as { Empty: new () => unknown };
const structPb = requireFromSdk("google-protobuf/google/protobuf/struct_pb.js") as {
  Struct: { fromJavaScript(value: Record<string, unknown>): unknown };
};
const yaml = requireHere("js-yaml") as { load(text: string): unknown };

/** The stack a pack is configured for (`AnalyzerStackConfigureRequest`). */
export interface PackStack {
  readonly project: string;
  readonly stack: string;
  /** Stack config keyed `<namespace>:<name>`, as `ConfigureStack` carries it. */
  readonly config: Readonly<Record<string, string>>;
  readonly dryRun: boolean;
}

/** The command `RunPlugin` spawns for a policy pack. */
export interface PackCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
}

/** `runtime:` of PulumiPolicy.yaml: a name, or `{ name, options }` (`ProjectRuntimeInfo`). */
export function runtimeOptions(policyYaml: string): Record<string, unknown> {
  const runtime = (yaml.load(policyYaml) as { runtime?: unknown } | null)?.runtime;
  if (typeof runtime === "object" && runtime !== null) return ((runtime as { options?: Record<string, unknown> }).options ?? {});
  return {};
}

/**
 * The command, arguments, directory and environment `nodeLanguageHost.RunPlugin` uses for a
 * policy pack (pure): `node <runPath> <nodeargs…> <engine address> <pack dir>`, run in the pack
 * directory.
 */
export function policyPackCommand(input: {
  readonly node: string;
  /** `@pulumi/pulumi/cmd/run-policy-pack`, resolved from the pack directory (`locateModule`). */
  readonly runPath: string;
  readonly packDir: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly engineAddress: string;
  /** The CLI's own environment (`req.Env`). */
  readonly baseEnv: Readonly<Record<string, string | undefined>>;
  readonly stack: PackStack;
}): PackCommand {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(input.baseEnv)) if (value !== undefined) env[key] = value;
  // parseOptions: `typescript` defaults to true; only an explicit false leaves the variable out.
  if (input.options.typescript !== false) env.PULUMI_NODEJS_TYPESCRIPT = "true";
  if (typeof input.options.tsconfig === "string" && input.options.tsconfig !== "") env.PULUMI_NODEJS_TSCONFIG_PATH = input.options.tsconfig;
  env.PULUMI_NODEJS_PROJECT = input.stack.project;
  env.PULUMI_NODEJS_STACK = input.stack.stack;
  env.PULUMI_NODEJS_DRY_RUN = String(input.stack.dryRun);
  env.PULUMI_CONFIG = JSON.stringify(input.stack.config);
  const nodeargs = typeof input.options.nodeargs === "string" ? splitShell(input.options.nodeargs) : [];
  return {
    command: input.node,
    args: [input.runPath, ...nodeargs, input.engineAddress, input.packDir],
    cwd: input.packDir,
    env,
  };
}

/** A started pack: its process and an Analyzer client connected to it. */
export interface RunningPack {
  readonly child: ChildProcess;
  readonly client: analyzerGrpcTypes.AnalyzerClient;
  readonly port: number;
  /** Everything the pack wrote to stderr so far. */
  stderr(): string;
  /** Closes the client and kills the pack by PID. */
  close(): Promise<void>;
}

/**
 * Starts the pack in `packDir` as the CLI does and connects to it: Handshake (Unimplemented is
 * accepted, as `NewPolicyAnalyzer` accepts it), then ConfigureStack. Rejects with the pack's
 * stderr when it exits before printing its port.
 */
export async function startPolicyPack(packDir: string, stack: PackStack, timeoutMs = 60_000): Promise<RunningPack> {
  // locateModule: `node -e "console.log(require.resolve('@pulumi/pulumi/cmd/run-policy-pack'))"` in the pack directory.
  const runPath = createRequire(join(packDir, "package.json")).resolve("@pulumi/pulumi/cmd/run-policy-pack");
  const { NODE_OPTIONS: _testRunnerOptions, ...cliEnv } = process.env;
  const command = policyPackCommand({
    node: process.execPath,
    runPath,
    packDir,
    options: runtimeOptions(readFileSync(join(packDir, "PulumiPolicy.yaml"), "utf8")),
    // run-policy-pack drops the engine address (argv._.shift()); nothing connects to it.
    engineAddress: "127.0.0.1:1",
    baseEnv: cliEnv,
    stack,
  });
  const child = spawnTracked(command.command, command.args, { cwd: command.cwd, env: command.env });
  let stdout = "";
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`policy pack printed no port within ${timeoutMs} ms; stderr:\n${stderr}`)), timeoutMs);
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      const line = /^(\d+)\s*$/m.exec(stdout);
      if (line) {
        clearTimeout(timer);
        resolve(Number(line[1]));
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`policy pack exited (${code ?? signal}) before serving; stderr:\n${stderr}\nstdout:\n${stdout}`));
    });
  });
  const client = new analyzerGrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const running: RunningPack = {
    child,
    client,
    port,
    stderr: () => stderr,
    async close() {
      client.close();
      await stop(child);
    },
  };
  try {
    await handshake(client, packDir);
    const configure = new analyzerPb.AnalyzerStackConfigureRequest()
      .setProject(stack.project)
      .setStack(stack.stack)
      .setDryRun(stack.dryRun);
    for (const [key, value] of Object.entries(stack.config)) configure.getConfigMap().set(key, value);
    await unary<unknown>((cb) => client.configureStack(configure, cb));
  } catch (error) {
    await running.close();
    throw error;
  }
  return running;
}

/** GetAnalyzerInfo. */
export function analyzerInfo(client: analyzerGrpcTypes.AnalyzerClient): Promise<analyzerPbTypes.AnalyzerInfo> {
  return unary((cb) => client.getAnalyzerInfo(new emptyPb.Empty() as never, cb));
}

/** One resource as the engine sends it to Analyze/AnalyzeStack. */
export interface AnalyzedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly properties: Record<string, unknown>;
  readonly parent?: string;
}

/** Analyze one resource (the engine sends its inputs during preview). */
export function analyze(client: analyzerGrpcTypes.AnalyzerClient, resource: AnalyzedResource): Promise<analyzerPbTypes.AnalyzeResponse> {
  const request = new analyzerPb.AnalyzeRequest()
    .setUrn(resource.urn)
    .setType(resource.type)
    .setName(resource.name)
    .setProperties(toStruct(resource.properties) as never)
    // The engine always sends options (marshalResourceOptions); @pulumi/policy refuses a request without.
    .setOptions(new analyzerPb.AnalyzerResourceOptions());
  return unary((cb) => client.analyze(request, cb));
}

/** AnalyzeStack over every resource (the engine sends their outputs). */
export function analyzeStack(client: analyzerGrpcTypes.AnalyzerClient, resources: readonly AnalyzedResource[]): Promise<analyzerPbTypes.AnalyzeResponse> {
  const request = new analyzerPb.AnalyzeStackRequest().setResourcesList(
    resources.map((resource) =>
      new analyzerPb.AnalyzerResource()
        .setUrn(resource.urn)
        .setType(resource.type)
        .setName(resource.name)
        .setParent(resource.parent ?? "")
        .setProperties(toStruct(resource.properties) as never)
        .setOptions(new analyzerPb.AnalyzerResourceOptions()),
    ),
  );
  return unary((cb) => client.analyzeStack(request, cb));
}

/** The diagnostics of a response as `<policy>: <message>` lines, for assertions. */
export function diagnosticLines(response: analyzerPbTypes.AnalyzeResponse): string[] {
  return response.getDiagnosticsList().map((d) => `${d.getPolicyname()}: ${d.getMessage()}${d.getUrn() ? ` (${d.getUrn()})` : ""}`);
}

async function handshake(client: analyzerGrpcTypes.AnalyzerClient, packDir: string): Promise<void> {
  const request = new analyzerPb.AnalyzerHandshakeRequest().setEngineAddress("127.0.0.1:1").setRootDirectory(packDir).setProgramDirectory(packDir);
  try {
    await unary((cb) => client.handshake(request, cb));
  } catch (error) {
    if ((error as { code?: number }).code !== grpc.status.UNIMPLEMENTED) throw error;
  }
}

/** Properties as the engine marshals them: a protobuf Struct of plain JSON values. */
function toStruct(properties: Record<string, unknown>): unknown {
  return structPb.Struct.fromJavaScript(JSON.parse(JSON.stringify(properties)) as Record<string, unknown>);
}

function unary<T>(call: (callback: (error: grpcTypes.ServiceError | null, response: T) => void) => unknown): Promise<T> {
  return new Promise((resolve, reject) => call((error, response) => (error ? reject(error) : resolve(response))));
}

/** `shlex.Split` for the simple cases nodeargs use: whitespace-separated words, quotes grouping. */
export function splitShell(text: string): string[] {
  const words: string[] = [];
  for (const match of text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) words.push(match[1] ?? match[2] ?? match[3]!);
  return words;
}
