import assert from "node:assert/strict";
import { existsSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  PyFloat,
  PyOrderedDict,
  PyTuple,
  type RawTensor,
  type Saved,
  SerializationError,
  type StoredDType,
  ZipReader,
  crc32,
  decodeSafetensors,
  decodeTorchZip,
  encodeSafetensors,
  encodeTorchZip,
  rawFromArray,
  rawToArray,
  writeFileAtomic,
  writeFileAtomicAsync,
  writeZip,
} from "../src/serialization/index.js";
import { toTree } from "../scripts/fixtures/serialization_tree.js";

function throwsSer(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SerializationError, `expected a SerializationError, got ${String(e)}`);
    assert.match(e.message, re);
    return true;
  });
}

/** A safetensors file with the given header object and data section. */
function st(header: unknown, data: number | Uint8Array): Uint8Array {
  const h = new TextEncoder().encode(JSON.stringify(header));
  const d = typeof data === "number" ? new Uint8Array(data) : data;
  const out = new Uint8Array(8 + h.length + d.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(d, 8 + h.length);
  return out;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DTYPES: StoredDType[] = [
  "float32",
  "float64",
  "int64",
  "int32",
  "uint8",
  "bool",
  "float16",
  "bfloat16",
  "int16",
  "int8",
];

function randomTensor(rand: () => number): RawTensor {
  const dtype = DTYPES[Math.floor(rand() * DTYPES.length)];
  const shape = Array.from({ length: Math.floor(rand() * 4) }, () => Math.floor(rand() * 4));
  const n = shape.reduce((a, b) => a * b, 1);
  const vals = Array.from({ length: n }, () =>
    dtype === "bool" ? (rand() < 0.5 ? 1 : 0) : Math.floor(rand() * 200) - (dtype === "uint8" ? 0 : 100),
  );
  return rawFromArray(new Float64Array(vals), shape, dtype);
}

function randomSaved(rand: () => number, depth: number): Saved {
  const r = rand();
  if (depth > 3 || r < 0.3) {
    const k = Math.floor(rand() * 9);
    return [
      null,
      true,
      Math.floor(rand() * 1e6) - 5e5,
      new PyFloat(rand() * 10),
      "s" + Math.floor(rand() * 100),
      2n ** BigInt(60 + Math.floor(rand() * 40)),
      randomTensor(rand),
      -(2 ** 40),
      "ü✓",
    ][k];
  }
  const n = Math.floor(rand() * 4);
  const kids = Array.from({ length: n }, () => randomSaved(rand, depth + 1));
  if (r < 0.45) return kids;
  if (r < 0.6) return new PyTuple(kids);
  if (r < 0.75) return new Map<number, Saved>(kids.map((v, i) => [i * 3, v]));
  if (r < 0.85) return new PyOrderedDict(new Map(kids.map((v, i) => [`k${i}`, v])));
  return Object.fromEntries(kids.map((v, i) => [`key${i}`, v]));
}

describe("torch zip round trips", () => {
  it("decodes what it encodes, for random objects", () => {
    const rand = mulberry32(42);
    for (let i = 0; i < 200; i++) {
      const obj = randomSaved(rand, 0);
      const back = decodeTorchZip(encodeTorchZip(obj, `case${i}`), { preserveTypes: true });
      assert.deepStrictEqual(toTree(back), toTree(obj), `case ${i}`);
    }
  });

  it("aligns every record on 64 bytes and writes PyTorch's records", () => {
    const t = rawFromArray(new Float32Array([1, 2, 3]), [3], "float32");
    const u = rawFromArray(new Float64Array([4]), [], "int64");
    const bytes = encodeTorchZip({ t, u, v: { ...t, shape: [2], strides: [1], storageOffset: 1 } }, "model");
    const zip = new ZipReader(bytes);
    assert.deepEqual(zip.names, ["model/data.pkl", "model/data/0", "model/data/1", "model/version"]);
    for (const e of zip.entries.values()) {
      const dv = new DataView(bytes.buffer);
      const start =
        e.localOffset + 30 + dv.getUint16(e.localOffset + 26, true) + dv.getUint16(e.localOffset + 28, true);
      assert.equal(start % 64, 0, e.name);
    }
    assert.equal(new TextDecoder().decode(zip.read("model/version")), "3\n");
    const back = decodeTorchZip(bytes) as Record<string, RawTensor>;
    assert.equal(back.v.storage, back.t.storage);
    assert.deepEqual(Array.from(rawToArray(back.v).data), [2, 3]);
  });

  it("writes ints and floats as Python would", () => {
    const back = decodeTorchZip(encodeTorchZip({ a: 1, b: 1.5, c: -0, d: new PyFloat(2), e: 2 ** 60, f: NaN }), {
      preserveTypes: true,
    }) as Record<string, Saved>;
    assert.equal(back.a, 1);
    assert.deepEqual(back.b, new PyFloat(1.5));
    assert.ok(back.c instanceof PyFloat && Object.is(back.c.value, -0));
    assert.deepEqual(back.d, new PyFloat(2));
    assert.equal(back.e, 2n ** 60n);
    assert.ok(back.f instanceof PyFloat && Number.isNaN(back.f.value));
  });

  it("keeps shared and cyclic containers shared", () => {
    const shared = [1, 2];
    const cyc: Saved[] = [];
    cyc.push(cyc);
    const back = decodeTorchZip(encodeTorchZip({ x: shared, y: shared, cyc })) as Record<string, Saved[]>;
    assert.equal(back.x, back.y);
    assert.equal(back.cyc[0], back.cyc);
  });

  it("bounds nesting depth when saving; loads deep nesting without recursion, as PyTorch", () => {
    let deep: Saved = [];
    for (let i = 0; i < 5000; i++) deep = [deep];
    throwsSer(() => encodeTorchZip(deep), /nested deeper than 1000/);
    const pkl = "\x80\x02" + "]".repeat(20000) + "a".repeat(19999) + ".";
    const data = Uint8Array.from(pkl, (c) => c.charCodeAt(0));
    let back = decodeTorchZip(writeZip([{ name: "a/data.pkl", data }])) as Saved[];
    let depth = 0;
    while (back.length === 1) {
      back = back[0] as Saved[];
      depth++;
    }
    assert.equal(depth, 19999);
  });

  it("reports bad views and missing records clearly", () => {
    const t = rawFromArray(new Float32Array([1, 2]), [2], "float32");
    throwsSer(() => encodeTorchZip({ ...t, shape: [3] }), /reaches element 2 of a storage of 2/);
    const pkl = Uint8Array.from(
      "\x80\x02ctorch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x04tQK\x00K\x04\x85K\x01\x85\x89ccollections\nOrderedDict\n)RtR.",
      (c) => c.charCodeAt(0),
    );
    throwsSer(
      () => decodeTorchZip(writeZip([{ name: "a/data.pkl", data: pkl }])),
      /storage '0' has no record 'a\/data\/0'/,
    );
    throwsSer(
      () =>
        decodeTorchZip(
          writeZip([
            { name: "a/data.pkl", data: pkl },
            { name: "a/data/0", data: new Uint8Array(12) },
          ]),
        ),
      /record 'a\/data\/0' has 12 bytes, but storage '0' needs 4 float32 \(16 bytes\)/,
    );
    const ok = decodeTorchZip(
      writeZip([
        { name: "a/data.pkl", data: pkl },
        { name: "a/data/0", data: new Uint8Array(16) },
      ]),
    ) as RawTensor;
    assert.deepEqual(ok.shape, [4]);
    const enc = new TextEncoder();
    const withOrder = (order: string): Uint8Array =>
      writeZip([
        { name: "a/data.pkl", data: pkl },
        { name: "a/byteorder", data: enc.encode(order) },
        { name: "a/data/0", data: new Uint8Array(16) },
      ]);
    assert.deepEqual((decodeTorchZip(withOrder("little")) as RawTensor).shape, [4]);
    throwsSer(() => decodeTorchZip(withOrder("big")), /byte order 'big' is not supported/);
    throwsSer(
      () =>
        decodeTorchZip(
          writeZip([
            { name: "m/constants.pkl", data: pkl },
            { name: "m/data.pkl", data: pkl },
          ]),
        ),
      /TorchScript archive/,
    );
  });
});

describe("safetensors", () => {
  it("round-trips every dtype, non-contiguous input included", () => {
    const rand = mulberry32(7);
    const tensors: Record<string, RawTensor> = {};
    for (const d of DTYPES) tensors[`t_${d}`] = { ...randomTensor(rand), dtype: d };
    for (const d of DTYPES) tensors[`t_${d}`] = rawFromArray(new Float64Array([1, 0, 1, 1, 0, 1]), [2, 3], d);
    const base = rawFromArray(new Float32Array([0, 1, 2, 3, 4, 5]), [2, 3], "float32");
    tensors.transposed = { ...base, shape: [3, 2], strides: [1, 3] };
    const bytes = encodeSafetensors(tensors, { format: "pt", b: "x" });
    const hlen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.equal(hlen % 8, 0);
    const { tensors: back, metadata } = decodeSafetensors(bytes);
    assert.deepEqual(metadata, { format: "pt", b: "x" });
    assert.deepEqual(Array.from(rawToArray(back.transposed).data), [0, 3, 1, 4, 2, 5]);
    for (const d of DTYPES) assert.deepEqual(rawToArray(back[`t_${d}`]), rawToArray(tensors[`t_${d}`]), d);
    // Reference layout: descending dtype alignment, then name.
    assert.deepEqual(Object.keys(back).slice(0, 3), ["t_int64", "t_float64", "t_float32"]);
  });

  it("writes what the reference implementation writes", () => {
    // From safetensors' own test_serialization (Rust): one F32 tensor "attn.0" of shape [1, 2, 3].
    const t = rawFromArray(new Float32Array([0, 1, 2, 3, 4, 5]), [1, 2, 3], "float32");
    const header = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
    const bytes = encodeSafetensors({ "attn.0": t });
    assert.equal(new TextDecoder().decode(bytes.subarray(8, 8 + header.length)), header);
    assert.equal(bytes.length, 8 + 64 + 24);
    assert.deepEqual(Array.from(encodeSafetensors({})), [8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
  });

  it("enforces the format's rules with clear errors", () => {
    const w = (offs: number[], shape = [16], dtype = "F32"): unknown => ({ w: { dtype, shape, data_offsets: offs } });
    throwsSer(
      () => decodeSafetensors(st(w([0, 99]), 64)),
      /^safetensors: tensor 'w' data_offsets \[0, 99\] exceed data size 64$/,
    );
    throwsSer(
      () => decodeSafetensors(st(w([0, 64], [15]), 64)),
      /tensor 'w' of dtype F32 and shape \[15\] needs 60 bytes, but data_offsets \[0, 64\] hold 64/,
    );
    throwsSer(() => decodeSafetensors(st(w([0, 64], [16], "U16"), 64)), /unsupported dtype "U16"/);
    throwsSer(() => decodeSafetensors(st(w([0, 64]), 72)), /tensors cover 64 bytes but the data section has 72/);
    throwsSer(
      () => decodeSafetensors(st({ a: { dtype: "U8", shape: [4], data_offsets: [4, 8] } }, 8)),
      /bytes \[0, 4\) before tensor 'a' belong to no tensor/,
    );
    throwsSer(
      () =>
        decodeSafetensors(
          st(
            {
              a: { dtype: "U8", shape: [4], data_offsets: [0, 4] },
              b: { dtype: "U8", shape: [4], data_offsets: [2, 6] },
            },
            6,
          ),
        ),
      /tensor 'b' data_offsets \[2, 6\] overlap/,
    );
    throwsSer(() => decodeSafetensors(st({ a: { dtype: "U8", shape: [-1], data_offsets: [0, 0] } }, 0)), /bad shape/);
    throwsSer(() => decodeSafetensors(st({ __metadata__: { a: 1 } }, 0)), /__metadata__ 'a' is not a string/);
    throwsSer(() => decodeSafetensors(new Uint8Array(5)), /shorter than the 8-byte header size/);
    const big = new Uint8Array(16);
    new DataView(big.buffer).setBigUint64(0, 100_000_001n, true);
    throwsSer(() => decodeSafetensors(big), /header size 100000001 exceeds the 100000000-byte limit/);
    new DataView(big.buffer).setBigUint64(0, 9n, true);
    throwsSer(() => decodeSafetensors(big), /header size 9 exceeds the file size 16 - 8/);
    throwsSer(() => decodeSafetensors(st([1], 0)), /header does not start with '\{'/);
    const bad = st({ a: 1 }, 0);
    bad[9] = 0xff;
    throwsSer(() => decodeSafetensors(bad), /not valid UTF-8/);
    // "__proto__" is just a name.
    const p = decodeSafetensors(st(JSON.parse('{"__proto__":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}'), 1));
    assert.deepEqual(Object.keys(p.tensors), ["__proto__"]);
  });
});

describe("writeFileAtomic", () => {
  it("replaces files without leaving temporaries, also when failing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flint-atomic-"));
    try {
      const path = join(dir, "m.safetensors");
      writeFileAtomic(path, new Uint8Array([1, 2, 3]));
      writeFileAtomic(path, new Uint8Array([4, 5]));
      assert.deepEqual([...readFileSync(path)], [4, 5]);
      await writeFileAtomicAsync(path, new Uint8Array([6]));
      assert.deepEqual([...readFileSync(path)], [6]);
      assert.deepEqual(readdirSync(dir), ["m.safetensors"]);
      // Renaming onto a non-empty directory fails: the temporary file must be removed.
      mkdirSync(join(dir, "sub"));
      writeFileSync(join(dir, "sub", "x"), "x");
      assert.throws(() => writeFileAtomic(join(dir, "sub"), new Uint8Array([1])));
      await assert.rejects(writeFileAtomicAsync(join(dir, "sub"), new Uint8Array([1])));
      assert.deepEqual(readdirSync(dir).sort(), ["m.safetensors", "sub"]);
      assert.throws(() => writeFileAtomic(join(dir, "missing", "f"), new Uint8Array([1])));
      assert.ok(!existsSync(join(dir, "missing")));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("materializing views", () => {
  it("refuses expansions that would turn a small file into a huge allocation", () => {
    const t = rawFromArray(new Float32Array([1]), [1], "float32");
    assert.deepEqual(Array.from(rawToArray({ ...t, shape: [2, 3], strides: [0, 0] }).data), [1, 1, 1, 1, 1, 1]);
    throwsSer(
      () => rawToArray({ ...t, shape: [1e6, 1e6], strides: [0, 0] }, "w"),
      /^w: expanded view of shape \[1000000,1000000\] would materialize 1000000000000 elements from a storage of 1$/,
    );
  });
});

describe("zip reader", () => {
  /** One stored entry whose central record defers sizes and offset to a ZIP64 extra field. */
  function zip64Archive(name: string, data: Uint8Array, pad: number): Uint8Array {
    const enc = new TextEncoder().encode(name);
    const parts: number[] = [];
    const u16 = (v: number): void => {
      parts.push(v & 0xff, (v >>> 8) & 0xff);
    };
    const u32 = (v: number): void => {
      u16(v & 0xffff);
      u16(v >>> 16);
    };
    const u64 = (v: number): void => {
      u32(v);
      u32(0);
    };
    for (let i = 0; i < pad; i++) parts.push(0); // junk before the entry: offsets must be honoured
    const local = parts.length;
    u32(0x04034b50);
    u16(45);
    u16(0);
    u16(0);
    u32(0);
    u32(crc32(data));
    u32(data.length);
    u32(data.length);
    u16(enc.length);
    u16(0);
    parts.push(...enc, ...data);
    const cd = parts.length;
    u32(0x02014b50);
    u16(45);
    u16(45);
    u16(0);
    u16(0);
    u32(0);
    u32(crc32(data));
    u32(0xffffffff);
    u32(0xffffffff);
    u16(enc.length);
    u16(28);
    u16(0);
    u16(0);
    u16(0);
    u32(0);
    u32(0xffffffff);
    parts.push(...enc);
    u16(1);
    u16(24);
    u64(data.length);
    u64(data.length);
    u64(local);
    const cdSize = parts.length - cd;
    u32(0x06054b50);
    u16(0);
    u16(0);
    u16(1);
    u16(1);
    u32(cdSize);
    u32(cd);
    u16(0);
    return Uint8Array.from(parts);
  }

  it("follows ZIP64 extra fields and refuses lies", () => {
    const data = new TextEncoder().encode("hello zip64");
    const z = new ZipReader(zip64Archive("x/data.pkl", data, 5));
    assert.deepEqual(z.read("x/data.pkl"), data);
    const lying = zip64Archive("x/data.pkl", data, 0);
    lying[lying.length - 22 - 8 - 16 + 0] = 0xff; // size in the ZIP64 field far beyond the file
    throwsSer(
      () => new ZipReader(lying).read("x/data.pkl"),
      /stored entry 'x\/data.pkl' has compressed size 11 but size 255|exceeds the file size/,
    );
    throwsSer(() => new ZipReader(new Uint8Array(100)), /end of central directory record not found/);
  });
});
