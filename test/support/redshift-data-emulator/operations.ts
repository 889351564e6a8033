/**
 * The emulated Data API operations: request validation, and response shapes built from the
 * statement registry. Field names and types follow the API reference:
 * @see https://docs.aws.amazon.com/redshift-data/latest/APIReference/API_Operations.html
 */
import { resourceNotFound, validationError } from "./api-errors.ts";
import { columnMetadata, resultSize, toField } from "./result-fields.ts";
import { isTerminal, type ExecutionMode, type StatementRecord, type StatementRequest, type SubStatement } from "./statement-record.ts";
import type { StatementRegistry } from "./statements.ts";
import { bindNamedParameters, type SqlParameter } from "./translate.ts";

/** Which warehouse requests must name; undefined accepts any. */
export interface TargetPolicy {
  workgroupName?: string;
  clusterIdentifier?: string;
}

export interface OperationContext {
  registry: StatementRegistry;
  target: TargetPolicy;
  /** Rows per GetStatementResult page. */
  resultPageRows: number;
}

type Input = Record<string, unknown>;
type Output = Record<string, unknown>;

/** Operations the emulator implements, by `X-Amz-Target` operation name. */
export const operations: Record<string, (ctx: OperationContext, input: Input) => Output | Promise<Output>> = {
  ExecuteStatement: executeStatement,
  BatchExecuteStatement: batchExecuteStatement,
  DescribeStatement: describeStatement,
  GetStatementResult: getStatementResult,
  CancelStatement: cancelStatement,
};

/** Real Data API operations the emulator does not implement (answered with a clear error). */
export const notEmulatedOperations = new Set([
  "DescribeTable",
  "GetStatementResultV2",
  "ListDatabases",
  "ListSchemas",
  "ListSessions",
  "ListStatements",
  "ListTables",
]);

/** Statement ids: a UUID, with `:n` for a sub-statement. */
const STATEMENT_ID = /^[a-z0-9]{8}(-[a-z0-9]{4}){3}-[a-z0-9]{12}(:\d+)?$/;
const PARAMETER_NAME = /^[0-9a-zA-Z_]+$/;
/** "The maximum query statement size is 100 KB." (Data API considerations) */
const MAX_SQL_BYTES = 100 * 1024;
/** BatchExecuteStatement's documented limit on `Sqls`. */
const MAX_BATCH_SQLS = 40;

function executeStatement(ctx: OperationContext, input: Input): Output {
  const sql = requireSql(input.Sql, "Sql");
  const request = statementRequest(ctx, input, "TRANSACTION");
  checkParametersUsed([sql], request.parameters);
  return submitted(ctx.registry.submit("ExecuteStatement", [sql], false, request));
}

function batchExecuteStatement(ctx: OperationContext, input: Input): Output {
  if (!Array.isArray(input.Sqls) || input.Sqls.length === 0) throw validationError("Sqls must contain at least 1 SQL statement.");
  if (input.Sqls.length > MAX_BATCH_SQLS) throw validationError(`Sqls can contain at most ${MAX_BATCH_SQLS} SQL statements.`);
  const sqls = input.Sqls.map((s, i) => requireSql(s, `Sqls[${i}]`));
  const mode = input.ExecutionMode ?? "TRANSACTION";
  if (mode !== "TRANSACTION" && mode !== "AUTO_COMMIT") throw validationError(`ExecutionMode must be TRANSACTION or AUTO_COMMIT, not ${String(mode)}.`);
  const request = statementRequest(ctx, input, mode);
  checkParametersUsed(sqls, request.parameters);
  return submitted(ctx.registry.submit("BatchExecuteStatement", sqls, true, request));
}

function describeStatement(ctx: OperationContext, input: Input): Output {
  const { statement, sub } = findStatement(ctx, input.Id);
  const shown = ctx.registry.poll(statement);
  const base = location(statement);
  const queryParameters = statement.request.parameters.length > 0 ? { QueryParameters: parameters(statement) } : {};
  if (sub) return { ...base, ...subStatementData(ctx, statement, sub), ...queryParameters };
  const done = isTerminal(shown);
  const subs = statement.subStatements;
  const only = subs[0]!;
  const rows = statement.isBatch ? subs.reduce((n, s) => n + Math.max(s.resultRows, 0), 0) : only.resultRows;
  return {
    ...base,
    Id: statement.id,
    Status: shown,
    CreatedAt: seconds(statement.createdAt),
    UpdatedAt: seconds(statement.updatedAt),
    QueryString: subs.map((s) => s.sql).join(";\n"),
    Duration: done ? durationNs(statement) : -1,
    HasResultSet: done && subs.some((s) => s.hasResultSet),
    ResultRows: done ? rows : -1,
    ResultSize: done ? subs.reduce((n, s) => n + (s.result ? resultSize(s.result.rows) : 0), 0) : -1,
    RedshiftPid: statement.redshiftPid,
    RedshiftQueryId: statement.isBatch ? 0 : only.redshiftQueryId,
    ...(done && statement.error !== undefined ? { Error: statement.error } : {}),
    ...(statement.isBatch
      ? { SubStatements: subs.map((s) => subStatementData(ctx, statement, s)), ExecutionMode: statement.request.executionMode }
      : {}),
    ...queryParameters,
    ResultFormat: "JSON",
  };
}

function getStatementResult(ctx: OperationContext, input: Input): Output {
  const { statement, sub: named } = findStatement(ctx, input.Id);
  if (statement.isBatch && !named) {
    throw validationError(
      `Statement ${statement.id} is a batch: fetch the result of one of its statements, e.g. ${statement.id}:1.`,
    );
  }
  const sub = named ?? statement.subStatements[0]!;
  const status = ctx.registry.shownSubStatus(statement, sub);
  if (status !== "FINISHED" || !sub.result) {
    throw resourceNotFound("Query does not have result. Please check query status with DescribeStatement.", sub.id);
  }
  const offset = pageOffset(input.NextToken, sub.id);
  const page = sub.result.rows.slice(offset, offset + ctx.resultPageRows);
  const types = sub.result.columns.map((c) => c.typeName);
  const next = offset + page.length;
  return {
    Records: page.map((row) => row.map((value, i) => toField(value, types[i]!))),
    ColumnMetadata: sub.result.columns.map((c) => columnMetadata(c.name, c.typeName)),
    TotalNumRows: sub.result.rows.length,
    ...(next < sub.result.rows.length ? { NextToken: Buffer.from(`${sub.id}|${next}`).toString("base64") } : {}),
  };
}

async function cancelStatement(ctx: OperationContext, input: Input): Promise<Output> {
  const { statement } = findStatement(ctx, input.Id);
  if (isTerminal(statement.status)) {
    throw validationError(`Could not cancel a query that is already in ${statement.status} state.`);
  }
  return { Status: await ctx.registry.cancel(statement) };
}

// ---------------------------------------------------------------------------------------

function requireSql(value: unknown, field: string): string {
  if (typeof value !== "string" || value.trim() === "") throw validationError(`${field} must be a non-empty string.`);
  if (Buffer.byteLength(value, "utf8") > MAX_SQL_BYTES) throw validationError(`${field} exceeds the maximum statement size of 100 KB.`);
  return value;
}

function statementRequest(ctx: OperationContext, input: Input, executionMode: ExecutionMode): StatementRequest {
  for (const field of ["SessionId", "SessionKeepAliveSeconds"]) {
    if (input[field] !== undefined) throw validationError(`${field}: sessions are not emulated by the Redshift Data API emulator.`);
  }
  if (input.ResultFormat !== undefined && input.ResultFormat !== "JSON") {
    throw validationError("ResultFormat CSV (GetStatementResultV2) is not emulated by the Redshift Data API emulator.");
  }
  const workgroupName = optionalString(input, "WorkgroupName");
  const clusterIdentifier = optionalString(input, "ClusterIdentifier");
  if (workgroupName === undefined && clusterIdentifier === undefined) {
    throw validationError("Either ClusterIdentifier or WorkgroupName needs to be specified.");
  }
  if (workgroupName !== undefined && clusterIdentifier !== undefined) {
    throw validationError("ClusterIdentifier and WorkgroupName can't both be specified.");
  }
  checkTarget(ctx.target, workgroupName, clusterIdentifier);
  const database = optionalString(input, "Database");
  if (database === undefined) throw validationError("Database needs to be specified.");
  return {
    database,
    ...(workgroupName === undefined ? {} : { workgroupName }),
    ...(clusterIdentifier === undefined ? {} : { clusterIdentifier }),
    ...optional("dbUser", optionalString(input, "DbUser")),
    ...optional("secretArn", optionalString(input, "SecretArn")),
    ...optional("statementName", optionalString(input, "StatementName")),
    ...optional("clientToken", optionalString(input, "ClientToken")),
    parameters: sqlParameters(input.Parameters),
    executionMode,
  };
}

function checkTarget(policy: TargetPolicy, workgroupName?: string, clusterIdentifier?: string): void {
  if (workgroupName !== undefined && policy.workgroupName !== undefined && workgroupName !== policy.workgroupName) {
    throw validationError(`Workgroup ${workgroupName} not found.`);
  }
  if (clusterIdentifier !== undefined && policy.clusterIdentifier !== undefined && clusterIdentifier !== policy.clusterIdentifier) {
    throw validationError(`Cluster ${clusterIdentifier} not found.`);
  }
}

function sqlParameters(value: unknown): SqlParameter[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw validationError("Parameters must be a list.");
  return value.map((p: unknown, i) => {
    const { name, value: v } = (p ?? {}) as { name?: unknown; value?: unknown };
    if (typeof name !== "string" || !PARAMETER_NAME.test(name)) {
      throw validationError(`Parameters[${i}].name must match ${PARAMETER_NAME.source}.`);
    }
    if (typeof v !== "string" || v.length === 0) {
      throw validationError(`Parameters[${i}].value must be a string of length at least 1.`);
    }
    return { name, value: v };
  });
}

function checkParametersUsed(sqls: readonly string[], params: readonly SqlParameter[]): void {
  if (params.length === 0) return;
  const unusedEverywhere = sqls
    .map((sql) => new Set(bindNamedParameters(sql, params).unused))
    .reduce((a, b) => new Set([...a].filter((name) => b.has(name))));
  if (unusedEverywhere.size > 0) {
    throw validationError(`Parameters list contains unused parameters. Unused parameters: [${[...unusedEverywhere].join(", ")}]`);
  }
}

function findStatement(ctx: OperationContext, id: unknown): { statement: StatementRecord; sub?: SubStatement } {
  if (typeof id !== "string" || !STATEMENT_ID.test(id)) throw validationError(`Id must match ${STATEMENT_ID.source}.`);
  const found = ctx.registry.find(id);
  if (!found) throw resourceNotFound("Query does not exist.", id);
  return found;
}

function submitted(statement: StatementRecord): Output {
  return { Id: statement.id, CreatedAt: seconds(statement.createdAt), ...location(statement) };
}

function location(statement: StatementRecord): Output {
  const r = statement.request;
  return {
    Database: r.database,
    ...(r.workgroupName === undefined ? {} : { WorkgroupName: r.workgroupName }),
    ...(r.clusterIdentifier === undefined ? {} : { ClusterIdentifier: r.clusterIdentifier }),
    ...(r.dbUser === undefined ? {} : { DbUser: r.dbUser }),
    ...(r.secretArn === undefined ? {} : { SecretArn: r.secretArn }),
  };
}

function subStatementData(ctx: OperationContext, statement: StatementRecord, sub: SubStatement): Output {
  const status = ctx.registry.shownSubStatus(statement, sub);
  const done = isTerminal(status);
  return {
    Id: sub.id,
    Status: status,
    QueryString: sub.sql,
    CreatedAt: seconds(sub.createdAt),
    UpdatedAt: seconds(sub.updatedAt),
    Duration: done && sub.startedAt !== undefined && sub.endedAt !== undefined ? (sub.endedAt - sub.startedAt) * 1e6 : -1,
    HasResultSet: done && sub.hasResultSet,
    ResultRows: done ? sub.resultRows : -1,
    ResultSize: done ? (sub.result ? resultSize(sub.result.rows) : 0) : -1,
    RedshiftQueryId: sub.redshiftQueryId,
    ...(done && sub.error !== undefined ? { Error: sub.error } : {}),
  };
}

function parameters(statement: StatementRecord): Array<{ name: string; value: string }> {
  return statement.request.parameters.map((p) => ({ name: p.name, value: p.value }));
}

function pageOffset(token: unknown, subId: string): number {
  if (token === undefined || token === null || token === "") return 0;
  const decoded = typeof token === "string" ? Buffer.from(token, "base64").toString() : "";
  const m = /^(.*)\|(\d+)$/.exec(decoded);
  if (!m || m[1] !== subId) throw validationError("NextToken is not valid for this statement.");
  return Number(m[2]);
}

function durationNs(statement: StatementRecord): number {
  return statement.startedAt !== undefined && statement.endedAt !== undefined ? (statement.endedAt - statement.startedAt) * 1e6 : 0;
}

/** JSON 1.1 timestamps are epoch seconds. */
function seconds(ms: number): number {
  return ms / 1000;
}

function optionalString(input: Input, field: string): string | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value === "") throw validationError(`${field} must be a non-empty string.`);
  return value;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

