// The hostile-file corpus of issue 19 (test/fixtures/hostile/, made by
// scripts/fixtures/hostile_corpus.py with PyTorch 1.13 / PIL as the baseline), replayed against
// Flint: each file loads in a child process (a crash is a signal, a hang a timeout), quickly and
// in bounded memory, and loads or is rejected as the baseline is, with an error naming the file.
// The few files where Flint is stricter than PyTorch are listed, with the reason, in STRICTER.
// Big attacks (archives declaring gigabytes) are generated here in a temp folder.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { deflateRawSync, constants as zc } from "node:zlib";
import { crc32 } from "../src/serialization/crc32.js";

const DIR = join("test", "fixtures", "hostile");
interface Baseline {
  bytes: number;
  by: string;
  outcome: "loads" | "rejects";
  error: string | null;
}
const baseline = JSON.parse(readFileSync(join(DIR, "baseline.json"), "utf8")) as Record<string, Baseline>;

/** Files Flint rejects although the baseline loads them: each is a deliberate extra check. */
const STRICTER: Record<string, RegExp> = {
  // PyTorch 1.13's reader does not verify CRC-32; a flipped bit in a weight loads silently.
  "bad_crc.pt": /CRC-32 mismatch in 'archive\/data\/0'/,
  // PyTorch reads the record whatever numel the pickle declares for its storage.
  "storage_numel_mismatch.pt": /has 16 bytes, but storage '0' needs 1000 float32/,
  // Two entries sharing one compressed body (the overlapping-entry zip bomb).
  "overlapping_entries.pt": /overlapping entries/,
};

interface ChildResult {
  path: string;
  outcome: string;
  name?: string;
  message?: string;
  ms: number;
  rssMB: number;
  kind?: string;
}

/** Loads `paths` one after another in one child process; the results by path. */
function loadInChild(paths: string[], env: Record<string, string> = {}): Map<string, ChildResult> {
  const r = spawnSync(
    process.execPath,
    ["--max-old-space-size=1024", "--import", "tsx", join("test", "hostile-load-child.ts"), ...paths],
    {
      encoding: "utf8",
      timeout: 60_000,
      env: { ...process.env, ...env },
    },
  );
  const lines = r.stdout
    .trim()
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as ChildResult & { start?: string });
  const last = lines.at(-1)?.start;
  const culprit = last !== undefined ? ` while loading ${last}` : "";
  assert.equal(r.error, undefined, `${String(r.error)}${culprit} (a hang?)`);
  assert.equal(r.signal, null, `child killed by ${r.signal}${culprit}: ${r.stderr.slice(-500)}`);
  assert.equal(r.status, 0, `child exited ${r.status}${culprit}: ${r.stderr.slice(-500)}`);
  return new Map(lines.filter((l) => l.start === undefined).map((l) => [l.path, l]));
}
const loadOne = (path: string, env: Record<string, string> = {}): ChildResult =>
  loadInChild([path], env).get(path) as ChildResult;

describe("hostile corpus vs the PyTorch 1.13 / PIL baseline", () => {
  const names = Object.keys(baseline).sort();
  let results = new Map<string, ChildResult>();
  before(() => {
    results = loadInChild(names.map((n) => join(DIR, n)));
  });
  it("has the whole corpus", () => assert.ok(names.length >= 24, `${names.length} files`));
  for (const name of names) {
    const b = baseline[name];
    const want = STRICTER[name] ? "rejects" : b.outcome;
    it(`${name}: ${want}${STRICTER[name] ? " (stricter than the baseline)" : ""} (baseline ${b.by}: ${b.outcome})`, () => {
      const path = join(DIR, name);
      const got = results.get(path);
      assert.ok(got, `${name} was not loaded`);
      assert.equal(got.outcome, want, `${name}: ${got.message ?? ""}`);
      assert.ok(got.ms < 3000, `${name} took ${got.ms} ms`);
      assert.ok(got.rssMB < 600, `${name}: ${got.rssMB} MB resident afterwards`);
      if (want === "rejects") {
        assert.match(got.name ?? "", /^(SerializationError|ImageDecodeError)$/, `${name}: ${got.name}: ${got.message}`);
        assert.ok((got.message ?? "").includes(path), `${name}: the error does not name the file: ${got.message}`);
        if (STRICTER[name]) assert.match(got.message ?? "", STRICTER[name]);
      }
    });
  }
});

/** A zip whose entries are deflated and declare `size` bytes each (one shared compressed body). */
function deflatedZip(pkl: Uint8Array, records: { name: string; size: number }[]): Uint8Array {
  // 16 MiB of zeros, sync-flushed (not final): repeating it makes a valid stream of any length.
  const chunk = deflateRawSync(new Uint8Array(1 << 24), { finishFlush: zc.Z_SYNC_FLUSH });
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  const enc = new TextEncoder();
  const add = (name: string, body: Uint8Array[], method: number, size: number, crc: number): void => {
    const n = enc.encode(name);
    const csize = body.reduce((s, b) => s + b.length, 0);
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4);
    h.writeUInt16LE(method, 8);
    h.writeUInt32LE(crc, 14);
    h.writeUInt32LE(csize, 18);
    h.writeUInt32LE(size, 22);
    h.writeUInt16LE(n.length, 26);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(method, 10);
    c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(csize, 20);
    c.writeUInt32LE(size, 24);
    c.writeUInt16LE(n.length, 28);
    c.writeUInt32LE(offset, 42);
    central.push(c, n);
    parts.push(h, n, ...body);
    offset += 30 + n.length + csize;
  };
  add("archive/data.pkl", [pkl], 0, pkl.length, crc32(pkl));
  for (const r of records) {
    const reps = Math.ceil(r.size / (1 << 24));
    add(r.name, [...new Array<Uint8Array>(reps).fill(chunk), Uint8Array.of(3, 0)], 8, r.size, 0);
  }
  const cdSize = central.reduce((s, b) => s + b.length, 0);
  const e = Buffer.alloc(22);
  e.writeUInt32LE(0x06054b50, 0);
  e.writeUInt16LE(records.length + 1, 8);
  e.writeUInt16LE(records.length + 1, 10);
  e.writeUInt32LE(cdSize, 12);
  e.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, ...central, e]);
}

/** A pickle of a list of float32 tensors, one per storage key, each of `numel` elements. */
function tensorsPickle(keys: string[], numel: number): Uint8Array {
  const i32 = (n: number): string => String.fromCharCode(n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255);
  const storage = (k: string): string =>
    `(X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x00${k}X\x03\x00\x00\x00cpuJ${i32(numel)}tQ`;
  const tensor = (k: string): string =>
    `ctorch._utils\n_rebuild_tensor_v2\n(${storage(k)}K\x00J${i32(numel)}\x85K\x01\x85\x89ccollections\nOrderedDict\n)RtR`;
  return Uint8Array.from(`\x80\x02](${keys.map(tensor).join("")}e.`, (c) => c.charCodeAt(0));
}

describe("archives declaring gigabytes (generated at test time)", () => {
  const dir = mkdtempSync(join(tmpdir(), "flint-hostile-"));

  it("a record declaring 1.5 GB is refused before inflating (default limit 1 GiB)", { timeout: 40_000 }, () => {
    const path = join(dir, "declares-1.5GB.pt");
    writeFileSync(
      path,
      deflatedZip(tensorsPickle(["0"], 375_000_000), [{ name: "archive/data/0", size: 1_500_000_000 }]),
    );
    const got = loadOne(path);
    assert.equal(got.outcome, "rejects");
    assert.match(
      got.message ?? "",
      /zip: entry 'archive\/data\/0' would inflate to 1500000000 bytes, 1500000000 in all, above the limit of 1073741824 bytes/,
    );
    assert.ok(got.message?.includes(path));
    assert.ok(got.ms < 2000 && got.rssMB < 300, JSON.stringify(got));
  });

  it("records that inflate past a configured limit fail fast, naming the entry", { timeout: 40_000 }, () => {
    const path = join(dir, "three-512MB.pt");
    writeFileSync(
      path,
      deflatedZip(
        tensorsPickle(["0", "1", "2"], 1 << 27),
        ["0", "1", "2"].map((k) => ({ name: `archive/data/${k}`, size: 1 << 29 })),
      ),
    );
    const got = loadOne(path, { FLINT_MAX_INFLATE_BYTES: String(64 << 20) });
    assert.equal(got.outcome, "rejects");
    assert.match(
      got.message ?? "",
      /zip: entry 'archive\/data\/0' would inflate to 536870912 bytes, 536870912 in all, above the limit of 67108864 bytes/,
    );
    assert.ok(got.ms < 2000 && got.rssMB < 300, JSON.stringify(got));
  });

  it("paths that are not regular files are refused at once", { timeout: 40_000 }, () => {
    const paths = ["/dev/zero", "/dev/urandom", dir];
    const all = loadInChild(paths);
    for (const p of paths) {
      const got = all.get(p) as ChildResult;
      assert.equal(got.outcome, "rejects", p);
      assert.match(
        got.message ?? "",
        new RegExp(`^load: ${p.replace(/[/.]/g, "\\$&")} is a (character device|directory), not a regular file`),
      );
      assert.ok(got.ms < 1000, JSON.stringify(got));
    }
  });
});
