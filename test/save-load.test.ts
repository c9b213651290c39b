// torch.save / torch.load on Flint tensors: PyTorch-written files load with their values and
// storage sharing; Flint-written files load back identically; failures leave old files intact.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as torch from "../src/index.js";

const dir = "test/fixtures/serialization";
const expected = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")).files as Record<string, unknown>;

interface TensorSpec {
  dtype: string;
  shape: number[];
  hex: string;
}
function expectedValues(spec: TensorSpec): number[] {
  const bytes = Buffer.from(spec.hex, "hex");
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  const size = { float32: 4, float64: 8, int64: 8, int32: 4, uint8: 1, bool: 1 }[spec.dtype] ?? 0;
  for (let i = 0; i < bytes.length / size; i++) {
    switch (spec.dtype) {
      case "float32":
        out.push(dv.getFloat32(i * 4, true));
        break;
      case "float64":
        out.push(dv.getFloat64(i * 8, true));
        break;
      case "int64":
        out.push(Number(dv.getBigInt64(i * 8, true)));
        break;
      case "int32":
        out.push(dv.getInt32(i * 4, true));
        break;
      default:
        out.push(bytes[i]);
    }
  }
  return out;
}

/** The expected.json entries for a file as [name, tensorSpec] pairs (top-level dict entries). */
function expectedTensors(file: string): [string, TensorSpec][] {
  const top = expected[file] as { tensors?: unknown };
  const e = (top.tensors ?? top) as {
    __dict__?: [string, { __tensor__?: TensorSpec }][];
    __odict__?: [string, { __tensor__?: TensorSpec }][];
  };
  return (e.__dict__ ?? e.__odict__ ?? [])
    .filter(([, v]) => v && v.__tensor__)
    .map(([k, v]) => [k, v.__tensor__ as TensorSpec]);
}

const get = (obj: torch.Loaded, key: string): torch.Tensor =>
  (obj instanceof Map ? obj.get(key) : (obj as Record<string, torch.Loaded>)[key]) as torch.Tensor;

for (const file of ["cnn_state_dict.pt", "cnn_state_dict.safetensors", "views.pt"]) {
  test(`torch.load reads PyTorch's ${file} value for value`, () => {
    const obj = torch.load(join(dir, file));
    const specs = expectedTensors(file);
    assert.ok(specs.length > 0);
    for (const [name, spec] of specs) {
      if (!["float32", "float64", "int64", "int32", "uint8", "bool"].includes(spec.dtype)) continue;
      const t = get(obj, name);
      assert.ok(t instanceof torch.Tensor, name);
      assert.deepEqual(t.shape, spec.shape, name);
      assert.equal(t.dtype, spec.dtype, name);
      assert.deepEqual(Array.from(t.typedArray(), Number), expectedValues(spec), name);
    }
  });
}

test("int64 values beyond 2^53 (which Flint's int64 cannot hold exactly) are a clear error", () => {
  assert.throws(
    () => torch.load(join(dir, "dtypes.pt")),
    (e: Error) => e instanceof torch.SerializationError && /2\^53/.test(e.message),
  );
});

test("views loaded from one storage share it, as in PyTorch", () => {
  const obj = torch.load(join(dir, "views.pt"));
  const base = get(obj, "base"),
    t = get(obj, "t"),
    other = get(obj, "other");
  assert.equal(base.storage, t.storage);
  assert.notEqual(base.storage, other.storage);
  base.fill_(7);
  assert.ok((t.tolist() as number[][]).flat().every((v) => v === 7));
});

test("save then load round-trips nested checkpoints, views and dtypes (.pt and .safetensors)", () => {
  const tmp = mkdtempSync(join(tmpdir(), "flint-save-"));
  const w = torch.arange(12, { dtype: torch.float32 }).reshape(3, 4);
  const ckpt = {
    model: { "fc.weight": w, "fc.weightT": w.t(), idx: torch.tensor([1, 2, 3]) },
    epoch: 3,
    lr: 0.01,
    name: "run",
    flags: [true, null],
  };
  torch.save(ckpt, join(tmp, "c.pt"));
  const back = torch.load(join(tmp, "c.pt")) as Record<string, torch.Loaded>;
  const m = back.model as Record<string, torch.Tensor>;
  assert.deepEqual(m["fc.weightT"].tolist(), w.t().tolist());
  assert.equal(m["fc.weight"].storage, m["fc.weightT"].storage);
  assert.equal(m.idx.dtype, "int64");
  assert.equal(back.epoch, 3);
  assert.equal(back.lr, 0.01);
  assert.deepEqual(back.flags, [true, null]);
  torch.save({ a: w.t(), b: torch.tensor([true, false]) }, join(tmp, "s.safetensors"), { metadata: { format: "pt" } });
  const s = torch.load(join(tmp, "s.safetensors")) as Record<string, torch.Tensor>;
  assert.deepEqual(s.a.tolist(), w.t().tolist());
  assert.deepEqual(s.b.tolist(), [true, false]);
  assert.deepEqual(torch.loadSafetensorsMetadata(join(tmp, "s.safetensors")), { format: "pt" });
});

test("a failed save leaves the previous file intact and no temporary files", () => {
  const tmp = mkdtempSync(join(tmpdir(), "flint-save-"));
  const path = join(tmp, "w.safetensors");
  torch.save({ a: torch.ones(2) }, path);
  const before = readFileSync(path);
  assert.throws(
    () => torch.save({ a: torch.ones(2), epoch: 1 } as unknown as torch.Savable, path),
    torch.SerializationError,
  );
  assert.deepEqual(readFileSync(path), before);
  assert.deepEqual(readdirSync(tmp), ["w.safetensors"]);
  assert.throws(() => torch.save({ a: torch.ones(2) }, join(tmp, "missing-dir", "x.pt")));
  assert.equal(existsSync(join(tmp, "missing-dir")), false);
});

test("unknown pickle globals are refused, never executed", () => {
  assert.throws(
    () => torch.load(join(dir, "forbidden.pt")),
    (e: Error) => e instanceof torch.SerializationError && /Counter/.test(e.message),
  );
});

test("saving a whole module is a clear error that points to stateDict, and writes nothing", () => {
  const tmp = mkdtempSync(join(tmpdir(), "flint-save-"));
  const model = new torch.nn.Linear(2, 3);
  assert.throws(
    () => torch.save(model as unknown as torch.Savable, join(tmp, "m.pt")),
    (e: Error) => e instanceof torch.SerializationError && /cannot save a whole nn\.Module.*stateDict/.test(e.message),
  );
  assert.deepEqual(readdirSync(tmp), []);
});
