import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import {
  type RawTensor,
  type Saved,
  SerializationError,
  decodeAny,
  decodeSafetensors,
  decodeTorchZip,
  detectFormat,
  encodeSafetensors,
  encodeTorchZip,
  float32ToBfloat16,
  float32ToFloat16,
  float16ToFloat32,
  bfloat16ToFloat32,
  rawFromArray,
  rawToArray,
  writeZip,
} from "../src/serialization/index.js";
import { FLINT_WRITTEN_DIR, flintWrittenFiles } from "../scripts/fixtures/serialization_flint_written.js";
import { type Tree, toTree } from "../scripts/fixtures/serialization_tree.js";

const FIX = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "serialization");
const read = (name: string): Uint8Array => new Uint8Array(readFileSync(join(FIX, name)));
const expected = JSON.parse(readFileSync(join(FIX, "expected.json"), "utf8")) as {
  allowed_globals: string[];
  files: Record<string, Tree>;
};
type Dict = Record<string, Saved>;

function stTree(bytes: Uint8Array): Tree {
  const { tensors, metadata } = decodeSafetensors(bytes);
  return { tensors: toTree(new Map(Object.entries(tensors))), metadata };
}

/** Builds a torch archive whose data.pkl is `pkl` (for hand-written pickles). */
function archive(pkl: Uint8Array | string, extra: { name: string; data: Uint8Array }[] = []): Uint8Array {
  const data = typeof pkl === "string" ? Uint8Array.from(pkl, (c) => c.charCodeAt(0)) : pkl;
  return writeZip([
    { name: "a/data.pkl", data },
    ...extra,
    { name: "a/version", data: new TextEncoder().encode("3\n") },
  ]);
}

function throwsSer(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof SerializationError && re.test(e.message));
}

describe("PyTorch 1.13 fixtures", () => {
  for (const name of Object.keys(expected.files)) {
    it(`reads ${name} exactly`, () => {
      const bytes = read(name);
      const tree = name.endsWith(".safetensors")
        ? stTree(bytes)
        : toTree(decodeTorchZip(bytes, { preserveTypes: true }));
      assert.deepStrictEqual(tree, expected.files[name]);
    });
  }

  it("re-encodes torch.save archives byte for byte", () => {
    for (const name of ["cnn_state_dict", "sgd_state", "adam_state", "checkpoint", "dtypes", "views", "misc"]) {
      const bytes = read(`${name}.pt`);
      const again = encodeTorchZip(decodeTorchZip(bytes, { preserveTypes: true }), name);
      assert.ok(Buffer.from(again).equals(Buffer.from(bytes)), `${name}.pt differs`);
    }
  });

  it("re-encodes safetensors files byte for byte", () => {
    for (const name of ["cnn_state_dict", "dtypes"]) {
      const bytes = read(`${name}.safetensors`);
      const { tensors, metadata } = decodeSafetensors(bytes);
      assert.ok(Buffer.from(encodeSafetensors(tensors, metadata ?? undefined)).equals(Buffer.from(bytes)), name);
    }
  });

  it("keeps storages shared between views", () => {
    const v = decodeTorchZip(read("views.pt")) as Dict;
    const t = (k: string): RawTensor => v[k] as RawTensor;
    for (const k of ["t", "window", "row", "col"]) assert.equal(t(k).storage, t("base").storage, k);
    assert.notEqual(t("other").storage, t("base").storage);
    assert.equal(v.same, v.base, "the same tensor twice is one object");
    assert.deepEqual([t("window").storageOffset, t("col").storageOffset, t("col").strides], [5, 2, [4]]);
    assert.deepEqual(Array.from(rawToArray(t("t")).data), [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
    assert.equal(t("param").requiresGrad, true);
  });

  it("gives plain JS values by default", () => {
    const sgd = decodeTorchZip(read("sgd_state.pt")) as Dict;
    assert.ok(sgd.state instanceof Map);
    assert.deepEqual([...sgd.state.keys()], [0, 1, 2, 3, 4, 5]);
    const group = (sgd.param_groups as Dict[])[0];
    assert.equal(group.lr, 0.1);
    assert.equal(group.momentum, 0.9);
    assert.deepEqual(group.params, [0, 1, 2, 3, 4, 5]);
    const misc = decodeTorchZip(read("misc.pt")) as Dict;
    assert.deepEqual(
      misc.intkeys,
      new Map<number, Saved>([
        [0, "a"],
        [10, "b"],
        [2, "c"],
      ]),
    );
    assert.deepEqual(
      misc.numstr,
      new Map<string, Saved>([
        ["1", 1],
        ["x", 2],
      ]),
    );
    assert.deepEqual(misc.tuple, [1, [2, 3], []]);
    assert.equal((misc.long as number[]).length, 1500);
    const ck = decodeTorchZip(read("checkpoint.pt")) as Dict;
    assert.equal(ck.epoch, 3);
    assert.equal(ck.name, "flint");
    const sd = decodeTorchZip(read("cnn_state_dict.pt")) as Dict;
    assert.deepEqual(Object.keys(sd), [
      "conv.weight",
      "conv.bias",
      "bn.weight",
      "bn.bias",
      "bn.running_mean",
      "bn.running_var",
      "bn.num_batches_tracked",
      "fc.weight",
      "fc.bias",
    ]);
    assert.deepEqual(rawToArray(sd["bn.num_batches_tracked"] as RawTensor), {
      dtype: "int64",
      data: new Float64Array([2]),
    });
  });

  it("converts stored dtypes to Flint's arrays", () => {
    const d = decodeTorchZip(read("dtypes.pt")) as Record<string, RawTensor>;
    assert.deepEqual(rawToArray(d.f16).data, new Float32Array([1, -2.5, 65504, 2 ** -24, 1049 / 2 ** 20, Infinity]));
    assert.equal(rawToArray(d.bf16).dtype, "float32");
    assert.deepEqual(rawToArray(d.i16), { dtype: "int32", data: new Int32Array([-32768, 32767, 5]) });
    assert.deepEqual(rawToArray(d.bool), { dtype: "bool", data: new Uint8Array([1, 0, 1]) });
    throwsSer(
      () => rawToArray(d.i64, "i64"),
      /i64: int64 value -4611686018427387904 at element 3 cannot be held exactly/,
    );
    for (const x of [0, 1, -2.5, 65504, 6e-8, 1e-3, 1e-8, 70000, -Infinity, 0.1]) {
      assert.equal(
        float16ToFloat32(float32ToFloat16(x)),
        new Float32Array(rawToArray(rawFromArray(new Float32Array([x]), [1], "float16")).data)[0],
      );
    }
    assert.ok(Number.isNaN(float16ToFloat32(float32ToFloat16(NaN))));
    assert.equal(bfloat16ToFloat32(float32ToBfloat16(1.00390625)), 1); // tie rounds to even
    assert.equal(bfloat16ToFloat32(float32ToBfloat16(1.01171875)), 1.015625);
  });

  it("refuses globals outside PyTorch's weights_only allow-list", () => {
    throwsSer(() => decodeTorchZip(read("forbidden.pt")), /global 'collections\.Counter' is not allowed/);
    throwsSer(
      () => decodeTorchZip(archive("\x80\x02cos\nsystem\nX\x02\x00\x00\x00ls\x85R.")),
      /'os\.system' is not allowed/,
    );
    throwsSer(
      () => decodeTorchZip(archive("\x80\x02ctorch\nTensor\n)R.")),
      /torch\.Tensor is allowed by PyTorch's weights_only loader but not supported/,
    );
    throwsSer(() => decodeTorchZip(archive("\x80\x02]q\x00)R.")), /REDUCE on a list/);
    throwsSer(
      () => decodeTorchZip(archive("\x80\x02ccollections\nOrderedDict\n)\x81.")),
      /NEWOBJ of global collections\.OrderedDict is not allowed/,
    );
    throwsSer(() => decodeTorchZip(archive("\x80\x02]}b.")), /BUILD on a list/);
    throwsSer(() => decodeTorchZip(archive("\x80\x02h\x07.")), /memo index 7 is not defined/);
    throwsSer(
      () => decodeTorchZip(archive("\x80\x02ccollections\nOrderedDict\n.")),
      /bare global 'collections\.OrderedDict'/,
    );
  });

  it("lists the same allowed globals as torch 1.13", async () => {
    const { ALLOWED_GLOBALS } = await import("../src/serialization/pickle-globals.js");
    assert.deepEqual([...ALLOWED_GLOBALS].sort(), [...expected.allowed_globals].sort());
  });

  it("detects formats", () => {
    assert.equal(detectFormat(read("views.pt")), "torch-zip");
    assert.equal(detectFormat(read("dtypes.safetensors")), "safetensors");
    assert.equal(detectFormat(Uint8Array.from([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc])), "torch-legacy");
    assert.equal(detectFormat(new Uint8Array(3)), "unknown");
    assert.equal(Object.keys(decodeAny(read("dtypes.safetensors")) as Dict).length, 13);
    assert.ok((decodeAny(read("sgd_state.pt")) as Dict).state instanceof Map);
    throwsSer(() => decodeAny(new Uint8Array(20)), /not a safetensors file or a PyTorch archive/);
  });
});

describe("Flint-written files (verified by PyTorch)", () => {
  const fwExpected = JSON.parse(readFileSync(join(FLINT_WRITTEN_DIR, "expected.json"), "utf8")) as {
    files: Record<string, Tree>;
  };
  for (const f of flintWrittenFiles()) {
    it(`still writes ${f.name} exactly as verified`, () => {
      assert.ok(Buffer.from(f.bytes).equals(readFileSync(join(FLINT_WRITTEN_DIR, f.name))), `${f.name} bytes changed`);
      assert.deepStrictEqual(f.tree, fwExpected.files[f.name]);
      const back = f.name.endsWith(".pt") ? toTree(decodeTorchZip(f.bytes, { preserveTypes: true })) : stTree(f.bytes);
      assert.deepStrictEqual(back, f.tree);
    });
  }
  it("has nothing unverified in the directory", () => {
    const names = readdirSync(FLINT_WRITTEN_DIR)
      .filter((n) => n !== "expected.json")
      .sort();
    assert.deepEqual(names, Object.keys(fwExpected.files).sort());
  });
});
