import assert from "node:assert/strict";
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey } from "@aws-sdk/client-s3";
import { inMemoryObjectSource, objectSourceFromS3Client, type S3Sender } from "./object-source.ts";

/** A fake S3 client holding `objects`, listing two keys per page. */
function fakeS3(objects: Record<string, string>): S3Sender {
  const send = async (command: unknown) => {
    if (command instanceof GetObjectCommand) {
      const body = objects[`${command.input.Bucket}/${command.input.Key}`];
      if (body === undefined) throw new NoSuchKey({ message: "The specified key does not exist.", $metadata: { httpStatusCode: 404 } });
      return { Body: { transformToByteArray: async () => new TextEncoder().encode(body) } };
    }
    if (command instanceof ListObjectsV2Command) {
      const { Bucket, Prefix = "", ContinuationToken } = command.input;
      const keys = Object.keys(objects)
        .filter((k) => k.startsWith(`${Bucket}/${Prefix}`))
        .map((k) => k.slice(`${Bucket}/`.length))
        .sort();
      const start = Number(ContinuationToken ?? 0);
      const page = keys.slice(start, start + 2);
      const more = start + 2 < keys.length;
      return { Contents: page.map((Key) => ({ Key })), IsTruncated: more, NextContinuationToken: more ? String(start + 2) : undefined };
    }
    throw new Error("unexpected command");
  };
  return { send } as unknown as S3Sender;
}

describe("objectSourceFromS3Client", () => {
  const source = objectSourceFromS3Client(fakeS3({ "b/p/1": "one", "b/p/2": "two", "b/p/3": "three", "b/q": "q" }));

  it("reads an object's bytes", async () => {
    assert.equal(new TextDecoder().decode(await source.getObject("b", "p/2")), "two");
  });

  it("answers undefined for a missing key", async () => {
    assert.equal(await source.getObject("b", "nope"), undefined);
  });

  it("lists every page of keys under a prefix", async () => {
    assert.deepEqual(await source.listKeys("b", "p/"), ["p/1", "p/2", "p/3"]);
  });
});

describe("inMemoryObjectSource", () => {
  it("serves objects by s3:// URL and sees objects added later", async () => {
    const objects = new Map<string, string>([["s3://b/a", "A"]]);
    const source = inMemoryObjectSource(objects);
    objects.set("s3://b/ab", "AB");
    assert.deepEqual(await source.listKeys("b", "a"), ["a", "ab"]);
    assert.equal(new TextDecoder().decode(await source.getObject("b", "ab")), "AB");
    assert.equal(await source.getObject("other", "a"), undefined);
  });
});
