import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import {
  BatchExecuteStatementCommand,
  CancelStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  RedshiftDataClient,
  type DescribeStatementCommandOutput,
  type StatusString,
} from "@aws-sdk/client-redshift-data";
import { inMemoryObjectSource, startRedshiftDataEmulator, type RedshiftDataEmulator } from "./index.ts";

const target = { WorkgroupName: "cti-wg", Database: "dev" } as const;
const TERMINAL = new Set<StatusString>(["FINISHED", "FAILED", "ABORTED"]);

/** The rejection `promise` ends with (fails when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  assert.fail("expected the request to be rejected");
}

describe("Redshift Data API emulator (through @aws-sdk/client-redshift-data)", () => {
  const objects = new Map<string, Uint8Array | string>();
  let emulator: RedshiftDataEmulator;
  let client: RedshiftDataClient;

  before(async () => {
    emulator = await startRedshiftDataEmulator({ s3: inMemoryObjectSource(objects), resultPageRows: 2, pollsPerStatus: 1 });
    client = new RedshiftDataClient({
      endpoint: emulator.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
    });
  });

  after(async () => {
    client?.destroy();
    await emulator?.stop();
  });

  afterEach(() => {
    delete emulator.faults.failWhen;
    delete emulator.faults.hangWhen;
    delete emulator.faults.rejectRequestWhen;
  });

  /** Polls DescribeStatement until the statement ends; returns the last answer and every status seen. */
  async function waitForEnd(id: string): Promise<{ described: DescribeStatementCommandOutput; seen: StatusString[] }> {
    const seen: StatusString[] = [];
    for (let poll = 0; poll < 2000; poll++) {
      const described = await client.send(new DescribeStatementCommand({ Id: id }));
      seen.push(described.Status!);
      if (TERMINAL.has(described.Status!)) return { described, seen };
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.fail(`statement ${id} did not end; statuses seen: ${seen.join(", ")}`);
  }

  /** Polls until the statement shows `status`. */
  async function waitForStatus(id: string, status: StatusString): Promise<void> {
    for (let poll = 0; poll < 2000; poll++) {
      const described = await client.send(new DescribeStatementCommand({ Id: id }));
      if (described.Status === status) return;
      assert.ok(!TERMINAL.has(described.Status!), `statement ended ${described.Status} (${described.Error}) before showing ${status}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.fail(`statement ${id} never showed ${status}`);
  }

  /** Runs one statement to its end and requires it FINISHED; returns its id. */
  async function run(sql: string, parameters?: Array<{ name: string; value: string }>): Promise<string> {
    const { Id } = await client.send(new ExecuteStatementCommand({ ...target, Sql: sql, Parameters: parameters }));
    const { described } = await waitForEnd(Id!);
    assert.equal(described.Status, "FINISHED", described.Error);
    return Id!;
  }

  async function count(table: string): Promise<number> {
    const result = await emulator.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
    return result.rows[0]!.n;
  }

  describe("ExecuteStatement and DescribeStatement", () => {
    it("shows SUBMITTED, PICKED, STARTED then FINISHED over successive polls", async () => {
      const { Id, Database, WorkgroupName, CreatedAt } = await client.send(new ExecuteStatementCommand({ ...target, Sql: "select 1" }));
      assert.match(Id!, /^[a-z0-9]{8}(-[a-z0-9]{4}){3}-[a-z0-9]{12}$/);
      assert.deepEqual([Database, WorkgroupName], ["dev", "cti-wg"]);
      assert.ok(CreatedAt instanceof Date);
      const { described, seen } = await waitForEnd(Id!);
      assert.deepEqual([...new Set(seen)], ["SUBMITTED", "PICKED", "STARTED", "FINISHED"]);
      assert.equal(seen[0], "SUBMITTED");
      assert.equal(described.HasResultSet, true);
      assert.equal(described.ResultRows, 1);
      assert.equal(described.QueryString, "select 1");
      assert.ok(described.Duration! >= 0);
      assert.equal(described.SubStatements, undefined);
    });

    it("reports a failed statement with Redshift's ERROR text", async () => {
      const { Id } = await client.send(new ExecuteStatementCommand({ ...target, Sql: "select * from no_such_table" }));
      const { described } = await waitForEnd(Id!);
      assert.equal(described.Status, "FAILED");
      assert.equal(described.Error, 'ERROR: relation "no_such_table" does not exist');
    });

    it("runs a repeated ClientToken once and answers with the same Id", async () => {
      await run("create table idem (n int)");
      const request = { ...target, Sql: "insert into idem values (1)", ClientToken: "token-idem-1" };
      const first = await client.send(new ExecuteStatementCommand(request));
      const second = await client.send(new ExecuteStatementCommand(request));
      assert.equal(second.Id, first.Id);
      await waitForEnd(first.Id!);
      await emulator.statements.idle();
      assert.equal(await count("idem"), 1);
      const other = await client.send(new ExecuteStatementCommand({ ...request, ClientToken: "token-idem-2" }));
      assert.notEqual(other.Id, first.Id);
      await waitForEnd(other.Id!);
      assert.equal(await count("idem"), 2);
    });

    it("binds :name parameters as values and refuses unused ones", async () => {
      const id = await run("select :n::int + 1 as n, :s as s", [
        { name: "n", value: "41" },
        { name: "s", value: "it's" },
      ]);
      const result = await client.send(new GetStatementResultCommand({ Id: id }));
      assert.deepEqual(result.Records, [[{ longValue: 42 }, { stringValue: "it's" }]]);
      const error = await rejection(
        client.send(new ExecuteStatementCommand({ ...target, Sql: "select :a", Parameters: [{ name: "a", value: "1" }, { name: "b", value: "2" }] })),
      );
      assert.equal(error.name, "ValidationException");
      assert.match(error.message, /unused parameters.*\[b\]/);
    });

    it("rejects a request naming neither a workgroup nor a cluster", async () => {
      const error = await rejection(client.send(new ExecuteStatementCommand({ Database: "dev", Sql: "select 1" })));
      assert.equal(error.name, "ValidationException");
      assert.equal(error.$metadata?.httpStatusCode, 400);
    });

    it("answers an unknown statement id with ResourceNotFoundException", async () => {
      const error = await rejection(client.send(new DescribeStatementCommand({ Id: "00000000-0000-0000-0000-000000000000" })));
      assert.equal(error.name, "ResourceNotFoundException");
      assert.equal((error as { ResourceId?: string }).ResourceId, "00000000-0000-0000-0000-000000000000");
    });

    it("accepts Redshift's CREATE TABLE attributes", async () => {
      await run(`create table dist_sorted (k varchar(max) encode zstd, v int) backup no diststyle key distkey (k) compound sortkey (k, v)`);
      await run("insert into dist_sorted values ('a', 1)");
      assert.equal(await count("dist_sorted"), 1);
    });

    it("ends the session after each statement, as the Data API does: temp tables are gone", async () => {
      await run("create temp table session_scratch (n int)");
      const { Id } = await client.send(new ExecuteStatementCommand({ ...target, Sql: "select * from session_scratch" }));
      const { described } = await waitForEnd(Id!);
      assert.equal(described.Status, "FAILED");
      assert.match(described.Error!, /session_scratch/);
    });
  });

  describe("GetStatementResult", () => {
    it("types each field as the Data API does", async () => {
      const id = await run(`select 1::smallint a, 2::int b, 3::bigint c, 1.5::float8 d, 2.25::real e, 12.30::numeric(10,2) f,
        true g, false h, null::int i, 'txt'::varchar(5) j, date '2024-02-29' k, timestamp '2024-02-29 10:11:12' l`);
      const result = await client.send(new GetStatementResultCommand({ Id: id }));
      assert.deepEqual(result.Records, [
        [
          { longValue: 1 },
          { longValue: 2 },
          { longValue: 3 },
          { doubleValue: 1.5 },
          { doubleValue: 2.25 },
          { stringValue: "12.30" },
          { booleanValue: true },
          { booleanValue: false },
          { isNull: true },
          { stringValue: "txt" },
          { stringValue: "2024-02-29" },
          { stringValue: "2024-02-29 10:11:12" },
        ],
      ]);
      assert.deepEqual(
        result.ColumnMetadata!.map((c) => `${c.name}:${c.typeName}`),
        ["a:int2", "b:int4", "c:int8", "d:float8", "e:float4", "f:numeric", "g:bool", "h:bool", "i:int4", "j:varchar", "k:date", "l:timestamp"],
      );
      assert.equal(result.TotalNumRows, 1);
    });

    it("pages with NextToken", async () => {
      const id = await run("select n from generate_series(1, 5) n");
      const pages: number[][] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new GetStatementResultCommand({ Id: id, NextToken: token }));
        pages.push(page.Records!.map((r) => r[0]!.longValue!));
        assert.equal(page.TotalNumRows, 5);
        token = page.NextToken;
      } while (token && pages.length < 10);
      assert.deepEqual(pages, [[1, 2], [3, 4], [5]]);
    });

    it("has no result for a statement without a result set", async () => {
      await run("create table no_result (n int)");
      const id = await run("insert into no_result values (1), (2)");
      const { described } = await waitForEnd(id);
      assert.equal(described.HasResultSet, false);
      assert.equal(described.ResultRows, 2);
      const error = await rejection(client.send(new GetStatementResultCommand({ Id: id })));
      assert.equal(error.name, "ResourceNotFoundException");
    });

    it("has no result yet for a statement that does not show FINISHED", async () => {
      const { Id } = await client.send(new ExecuteStatementCommand({ ...target, Sql: "select 1" }));
      await emulator.statements.idle();
      const error = await rejection(client.send(new GetStatementResultCommand({ Id })));
      assert.equal(error.name, "ResourceNotFoundException");
      await waitForEnd(Id!);
      const result = await client.send(new GetStatementResultCommand({ Id }));
      assert.deepEqual(result.Records, [[{ longValue: 1 }]]);
    });
  });

  describe("BatchExecuteStatement", () => {
    it("runs the statements in order in one transaction, each with its own result", async () => {
      const { Id } = await client.send(
        new BatchExecuteStatementCommand({
          ...target,
          Sqls: ["create table batch_ok (n int)", "insert into batch_ok values (1), (2)", "select count(*) as n from batch_ok"],
        }),
      );
      const { described } = await waitForEnd(Id!);
      assert.equal(described.Status, "FINISHED");
      assert.deepEqual(
        described.SubStatements!.map((s) => [s.Id, s.Status, s.ResultRows, s.HasResultSet]),
        [
          [`${Id}:1`, "FINISHED", 0, false],
          [`${Id}:2`, "FINISHED", 2, false],
          [`${Id}:3`, "FINISHED", 1, true],
        ],
      );
      const third = await client.send(new DescribeStatementCommand({ Id: `${Id}:3` }));
      assert.deepEqual([third.Id, third.Status, third.QueryString], [`${Id}:3`, "FINISHED", "select count(*) as n from batch_ok"]);
      const result = await client.send(new GetStatementResultCommand({ Id: `${Id}:3` }));
      assert.deepEqual(result.Records, [[{ longValue: 2 }]]);
      const whole = await rejection(client.send(new GetStatementResultCommand({ Id })));
      assert.equal(whole.name, "ValidationException");
    });

    it("rolls everything back when the second statement fails, and says which one failed", async () => {
      await run("create table batch_atomic (n int primary key)");
      const { Id } = await client.send(
        new BatchExecuteStatementCommand({
          ...target,
          Sqls: ["insert into batch_atomic values (1)", "insert into batch_atomic values (1)", "insert into batch_atomic values (2)"],
        }),
      );
      const { described } = await waitForEnd(Id!);
      assert.equal(described.Status, "FAILED");
      assert.match(described.Error!, /^ERROR: duplicate key value violates unique constraint/);
      assert.deepEqual(
        described.SubStatements!.map((s) => s.Status),
        ["FINISHED", "FAILED", "ABORTED"],
      );
      assert.equal(described.SubStatements![1]!.Error, described.Error);
      assert.equal(await count("batch_atomic"), 0);
    });

    it("commits each statement on its own with ExecutionMode AUTO_COMMIT", async () => {
      await run("create table batch_autocommit (n int primary key)");
      const { Id } = await client.send(
        new BatchExecuteStatementCommand({
          ...target,
          ExecutionMode: "AUTO_COMMIT",
          Sqls: ["insert into batch_autocommit values (1)", "insert into batch_autocommit values (1)"],
        }),
      );
      const { described } = await waitForEnd(Id!);
      assert.equal(described.Status, "FAILED");
      assert.equal(await count("batch_autocommit"), 1);
    });
  });

  describe("fault injection", () => {
    it("fails the statement failWhen picks with exactly its message, rolling the batch back", async () => {
      await run("create table injected (n int)");
      emulator.faults.failWhen = (sql) => (sql.includes("values (2)") ? "ERROR: injected disk full" : undefined);
      const { Id } = await client.send(
        new BatchExecuteStatementCommand({ ...target, Sqls: ["insert into injected values (1)", "insert into injected values (2)"] }),
      );
      const { described } = await waitForEnd(Id!);
      assert.equal(described.Status, "FAILED");
      assert.equal(described.Error, "ERROR: injected disk full");
      assert.deepEqual(described.SubStatements!.map((s) => s.Status), ["FINISHED", "FAILED"]);
      assert.equal(await count("injected"), 0);
    });

    it("answers requests with the error rejectRequestWhen returns", async () => {
      emulator.faults.rejectRequestWhen = (operation) =>
        operation === "ExecuteStatement" ? { type: "ThrottlingException", message: "Rate exceeded" } : undefined;
      const error = await rejection(client.send(new ExecuteStatementCommand({ ...target, Sql: "select 1" })));
      assert.equal(error.name, "ThrottlingException");
      assert.equal(error.message, "Rate exceeded");
    });
  });

  describe("CancelStatement", () => {
    it("aborts a hanging statement and rolls its transaction back", async () => {
      await run("create table cancelled (n int)");
      emulator.faults.hangWhen = (sql) => sql.includes("hang here");
      const { Id } = await client.send(
        new BatchExecuteStatementCommand({ ...target, Sqls: ["insert into cancelled values (1)", "insert into cancelled values (2) -- hang here"] }),
      );
      await waitForStatus(Id!, "STARTED");
      const cancelled = await client.send(new CancelStatementCommand({ Id }));
      assert.equal(cancelled.Status, true);
      const { described } = await waitForEnd(Id!);
      assert.equal(described.Status, "ABORTED");
      assert.equal(await count("cancelled"), 0);
      await run("insert into cancelled values (3)");
      assert.equal(await count("cancelled"), 1);
    });

    it("aborts a statement still queued behind a hanging one, which then never runs", async () => {
      await run("create table cancelled_queued (n int)");
      emulator.faults.hangWhen = (sql) => sql.includes("hang here");
      const hanging = await client.send(new ExecuteStatementCommand({ ...target, Sql: "select 1 -- hang here" }));
      await waitForStatus(hanging.Id!, "STARTED");
      const queued = await client.send(new ExecuteStatementCommand({ ...target, Sql: "insert into cancelled_queued values (1)" }));
      assert.equal(emulator.statements.get(queued.Id!)?.status, "SUBMITTED");
      assert.equal((await client.send(new CancelStatementCommand({ Id: queued.Id }))).Status, true);
      assert.equal((await client.send(new CancelStatementCommand({ Id: hanging.Id }))).Status, true);
      assert.deepEqual([(await waitForEnd(queued.Id!)).seen, (await waitForEnd(hanging.Id!)).described.Status], [["SUBMITTED", "ABORTED"], "ABORTED"]);
      await emulator.statements.idle();
      assert.equal(await count("cancelled_queued"), 0);
    });

    it("refuses to cancel a statement that already ended", async () => {
      const id = await run("select 1");
      const error = await rejection(client.send(new CancelStatementCommand({ Id: id })));
      assert.equal(error.name, "ValidationException");
      assert.match(error.message, /already in FINISHED state/);
    });
  });

  describe("COPY from S3", () => {
    const header = "key,count,note\n";

    before(async () => {
      await run("create table copied (key varchar(8) not null, count int, note varchar(20))");
    });

    beforeEach(async () => {
      await emulator.db.query("truncate copied");
    });

    it("loads the parts a manifest lists (gzip, header, EMPTYASNULL) and counts them in pg_last_copy_count()", async () => {
      objects.set("s3://out/run1/part-0001.csv.gz", gzipSync(`${header}a,1,first\nb,,\n`));
      objects.set("s3://out/run1/part-0002.csv.gz", gzipSync(`${header}"c,d",3,"say ""hi"""\n`));
      objects.set(
        "s3://out/run1/manifest.json",
        JSON.stringify({
          entries: [
            { url: "s3://out/run1/part-0001.csv.gz", mandatory: true, meta: { content_length: (objects.get("s3://out/run1/part-0001.csv.gz") as Uint8Array).byteLength } },
            { url: "s3://out/run1/part-0002.csv.gz", mandatory: true },
          ],
        }),
      );
      const { Id } = await client.send(
        new BatchExecuteStatementCommand({
          ...target,
          Sqls: [
            `COPY copied FROM 's3://out/run1/manifest.json' IAM_ROLE 'arn:aws:iam::123456789012:role/copy'
               FORMAT AS CSV GZIP IGNOREHEADER 1 MANIFEST EMPTYASNULL MAXERROR 0 COMPUPDATE OFF STATUPDATE OFF`,
            "select pg_last_copy_count() as n",
          ],
        }),
      );
      const { described } = await waitForEnd(Id!);
      assert.equal(described.Status, "FINISHED", described.Error);
      assert.equal(described.SubStatements![0]!.ResultRows, 3);
      const copyCount = await client.send(new GetStatementResultCommand({ Id: `${Id}:2` }));
      assert.deepEqual(copyCount.Records, [[{ longValue: 3 }]]);
      const loaded = await emulator.db.query("select key, count, note from copied order by key");
      assert.deepEqual(loaded.rows, [
        { key: "a", count: 1, note: "first" },
        { key: "b", count: null, note: null },
        { key: "c,d", count: 3, note: 'say "hi"' },
      ]);
    });

    it("fails when a mandatory manifest entry is missing, loading nothing", async () => {
      objects.set("s3://out/run2/part-0001.csv", `${header}a,1,x\n`);
      objects.set(
        "s3://out/run2/manifest.json",
        JSON.stringify({ entries: [{ url: "s3://out/run2/part-0001.csv", mandatory: true }, { url: "s3://out/run2/part-0002.csv", mandatory: true }] }),
      );
      const { Id } = await client.send(
        new ExecuteStatementCommand({ ...target, Sql: "copy copied from 's3://out/run2/manifest.json' iam_role default csv ignoreheader 1 manifest" }),
      );
      const { described } = await waitForEnd(Id!);
      assert.equal(described.Status, "FAILED");
      assert.match(described.Error!, /s3:\/\/out\/run2\/part-0002\.csv is mandatory/);
      assert.equal(await count("copied"), 0);
    });

    it("fails on a bad row with Redshift's load error and where the row is", async () => {
      objects.set("s3://out/run3/part-0001.csv", `${header}a,1,x\nb,not-a-number,y\n`);
      const { Id } = await client.send(
        new ExecuteStatementCommand({ ...target, Sql: "copy copied from 's3://out/run3/' iam_role default csv ignoreheader 1" }),
      );
      const { described } = await waitForEnd(Id!);
      assert.equal(described.Status, "FAILED");
      assert.match(described.Error!, /^ERROR: Load into table 'copied' failed\. Check 'sys_load_error_detail' system table for details\./);
      assert.match(described.Error!, /invalid input syntax for type integer: "not-a-number" at s3:\/\/out\/run3\/part-0001\.csv line 3, column count/);
      assert.equal(await count("copied"), 0);
    });

    it("fails a COPY option it does not emulate, saying so", async () => {
      const { Id } = await client.send(
        new ExecuteStatementCommand({ ...target, Sql: "copy copied from 's3://out/run3/' iam_role default format as parquet" }),
      );
      const { described } = await waitForEnd(Id!);
      assert.equal(described.Status, "FAILED");
      assert.match(described.Error!, /FORMAT PARQUET is not emulated/);
    });
  });

  describe("stop()", () => {
    it("aborts a hanging statement, rolls it back and leaves a PGlite it was given open", async () => {
      await run("create table stopped (n int)");
      const second = await startRedshiftDataEmulator({ db: emulator.db, faults: { hangWhen: () => true } });
      const secondClient = new RedshiftDataClient({
        endpoint: second.endpoint,
        region: "us-east-1",
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
        maxAttempts: 1,
      });
      try {
        const { Id } = await secondClient.send(new ExecuteStatementCommand({ ...target, Sql: "insert into stopped values (1)" }));
        for (let i = 0; i < 2000 && second.statements.get(Id!)?.status !== "STARTED"; i++) await new Promise((r) => setTimeout(r, 5));
        assert.equal(second.statements.get(Id!)?.status, "STARTED");
        await second.stop();
        assert.equal(second.statements.get(Id!)?.status, "ABORTED");
      } finally {
        secondClient.destroy();
        await second.stop();
      }
      assert.equal(await count("stopped"), 0);
      await rejection(fetch(second.endpoint));
    });
  });

  describe("the JSON 1.1 protocol", () => {
    async function post(headers: Record<string, string>, body: unknown) {
      const response = await fetch(emulator.endpoint, {
        method: "POST",
        headers: { "content-type": "application/x-amz-json-1.1", ...headers },
        body: JSON.stringify(body),
      });
      return { status: response.status, type: response.headers.get("content-type"), body: (await response.json()) as Record<string, unknown> };
    }

    it("answers an unknown operation with a JSON error naming it", async () => {
      const answer = await post({ authorization: "AWS4-HMAC-SHA256 x", "x-amz-target": "RedshiftData.DropEverything" }, {});
      assert.equal(answer.status, 400);
      assert.equal(answer.type, "application/x-amz-json-1.1");
      assert.equal(answer.body.__type, "UnknownOperationException");
      assert.match(String(answer.body.Message), /DropEverything/);
    });

    it("refuses a request without an Authorization header", async () => {
      const answer = await post({ "x-amz-target": "RedshiftData.DescribeStatement" }, { Id: "00000000-0000-0000-0000-000000000000" });
      assert.equal(answer.status, 403);
      assert.equal(answer.body.__type, "MissingAuthenticationTokenException");
    });
  });
});
