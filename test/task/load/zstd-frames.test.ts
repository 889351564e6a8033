import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { EtlError } from "../../../task/src/errors.ts";
import { zstdFrameLength, zstdFrames, zstdFramesOf } from "../../../task/src/load/zstd-frames.ts";

/** One frame made by the zstd command (not by the code under test), from stdin: no content size unless `size`. */
const zstdCli = (data: Buffer, ...flags: string[]) => execFileSync("zstd", ["-q", "-c", ...flags], { input: data, maxBuffer: 1 << 26 });

/** A skippable frame (RFC 8878 §3.1.2): magic 0x184D2A5?, a 4-byte length, that many bytes. */
function skippable(payload: Buffer, nibble = 7): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32LE(0x184d2a50 + nibble, 0);
  head.writeUInt32LE(payload.length, 4);
  return Buffer.concat([head, payload]);
}

// Frames of every shape: compressed, raw (random bytes), RLE (one byte repeated), several
// blocks (past zstd's 128 KiB block), with and without checksum, content size, and skippable frames.
const FRAMES: Buffer[] = [
  zstdCli(Buffer.from("key,data\n"), "--check"),
  zstdCli(Buffer.from("a,1\nb,2\n".repeat(5000)), "--no-check"),
  zstdCli(randomBytes(3000), "--check"),
  zstdCli(Buffer.alloc(200_000, 0x61), "--check", "--stream-size=200000"),
  zstdCli(Buffer.concat([randomBytes(150_000), Buffer.from("x,y\n".repeat(60_000))]), "-1", "--check", "--size-hint=390000"),
  zstdCli(Buffer.alloc(0)),
  skippable(Buffer.from("metadata")),
  skippable(Buffer.alloc(0), 0),
];

describe("zstdFrameLength", () => {
  it("finds the end of frames of every shape the zstd command writes, and of skippable frames", () => {
    for (const [i, frame] of FRAMES.entries()) {
      assert.equal(zstdFrameLength(frame, 0), frame.length, `frame ${i}`);
      const after = Buffer.concat([Buffer.from("pad"), frame, FRAMES[0]!]);
      assert.equal(zstdFrameLength(after, 3), frame.length, `frame ${i} inside other bytes`);
    }
  });

  it("asks for more bytes while the frame is cut short", () => {
    for (const frame of FRAMES) for (const cut of [0, 3, 5, 7, frame.length >> 1, frame.length - 1]) assert.equal(zstdFrameLength(frame.subarray(0, Math.max(0, cut)), 0), undefined);
  });

  it("refuses bytes that are not a frame (gzip here), as LOAD_FAILED naming the data", () => {
    const gzip = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
    assert.throws(() => zstdFrameLength(gzip, 0, "s3://b/p.csv.zst"), (e: unknown) => e instanceof EtlError && e.code === "LOAD_FAILED" && /s3:\/\/b\/p\.csv\.zst is not zstd: no frame starts at byte 0/.test(e.message));
  });
});

describe("zstdFrames", () => {
  async function* chunksOf(bytes: Buffer, cuts: number[]) {
    let from = 0;
    for (const at of [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)) {
      yield bytes.subarray(from, at);
      from = at;
    }
    yield bytes.subarray(from);
  }

  it("gives the frames back whole and in order, however the bytes are cut into chunks (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: FRAMES.length - 1 }), { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 12 }), async (order, cuts) => {
        const frames = order.map((i) => FRAMES[i]!);
        const bytes = Buffer.concat(frames);
        const got: Buffer[] = [];
        for await (const frame of zstdFrames(chunksOf(bytes, cuts))) got.push(Buffer.from(frame));
        assert.deepEqual(got, frames);
        assert.deepEqual(zstdFramesOf(bytes).map((f) => Buffer.from(f)), frames);
      }),
      { numRuns: 200 },
    );
  });

  it("decompresses, frame by frame, to what the zstd command reads from all of them", async () => {
    const bytes = Buffer.concat(FRAMES.slice(0, 5));
    const whole = execFileSync("zstd", ["-q", "-d", "-c"], { input: bytes, maxBuffer: 1 << 26 });
    const byFrame = Buffer.concat(zstdFramesOf(bytes).map((frame) => execFileSync("zstd", ["-q", "-d", "-c"], { input: frame, maxBuffer: 1 << 26 })));
    assert.ok(byFrame.equals(whole));
  });

  it("refuses data that ends inside a frame, as LOAD_FAILED", async () => {
    const cut = Buffer.concat([FRAMES[0]!, FRAMES[1]!.subarray(0, 20)]);
    await assert.rejects(async () => {
      for await (const _ of zstdFrames(chunksOf(cut, [4]), "part-1.csv.zst")) void _;
    }, (e: unknown) => e instanceof EtlError && e.code === "LOAD_FAILED" && /part-1\.csv\.zst ends inside a zstd frame/.test(e.message));
    assert.throws(() => zstdFramesOf(cut), /ends inside a zstd frame/);
  });
});
