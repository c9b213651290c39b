// The glue between Flint tensors and the byte-level formats: Tensor <-> RawTensor, keeping
// storage sharing both ways (views saved from one storage load as views of one storage).
import { CpuStorage, type Storage, Tensor } from "../tensor.js";
import { rawFromArray, rawToArray } from "./raw.js";
import { PyFloat, PyOrderedDict, PyTuple, type RawStorage, type RawTensor, type Saved, isRawTensor } from "./types.js";
import { SerializationError } from "./errors.js";
import { type Converted, convertGraph } from "./graph.js";

/** What torch.save accepts: tensors inside numbers, strings, arrays, plain objects and Maps. */
export type Savable =
  | Tensor
  | number
  | string
  | boolean
  | null
  | bigint
  | readonly Savable[]
  | { readonly [k: string]: Savable }
  | ReadonlyMap<string | number, Savable>;
/** What torch.load returns: the same shapes, with tensors. */
export type Loaded =
  | Tensor
  | number
  | string
  | boolean
  | null
  | bigint
  | Loaded[]
  | { [k: string]: Loaded }
  | Map<string | number, Loaded>;

export function toSaved(obj: Savable, storages = new Map<Storage, RawStorage>(), depth = 0): Saved {
  if (depth > 100) throw new SerializationError("save: object nesting deeper than 100 levels");
  if (obj instanceof Tensor) return tensorToRaw(obj, storages);
  if (obj === null || typeof obj !== "object") return obj as Saved;
  if (Array.isArray(obj)) return obj.map((v) => toSaved(v as Savable, storages, depth + 1));
  if (obj instanceof Map) {
    const m = new Map<string | number, Saved>();
    for (const [k, v] of obj) m.set(k, toSaved(v, storages, depth + 1));
    return m;
  }
  const out: { [k: string]: Saved } = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v !== undefined)
      Object.defineProperty(out, k, {
        value: toSaved(v as Savable, storages, depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return out;
}

function tensorToRaw(t: Tensor, storages: Map<Storage, RawStorage>): RawTensor {
  let raw = storages.get(t.storage);
  if (!raw) {
    const data = t.storage.data;
    raw = rawFromArray(data, [data.length], t.dtype).storage;
    storages.set(t.storage, raw);
  }
  return {
    dtype: t.dtype,
    shape: [...t.shape],
    strides: [...t.strides],
    storageOffset: t.offset,
    storage: raw,
    requiresGrad: t.requiresGrad && t.isLeaf,
  };
}

/**
 * Saved -> Loaded without recursion, converting each shared object once (shared lists stay
 * shared, cycles stay cycles), as torch.load does: see graph.ts.
 */
export function fromSaved(root: Saved, storages = new Map<RawStorage, CpuStorage>()): Loaded {
  return convertGraph<Loaded>(
    root,
    (x): Converted<Loaded> => {
      const v = x as Saved;
      if (isRawTensor(v)) return { leaf: rawToTensor(v, storages) };
      if (v instanceof PyFloat) return { leaf: v.value };
      if (v === null || typeof v !== "object") return { leaf: v };
      if (v instanceof PyTuple || Array.isArray(v)) {
        const src = v instanceof PyTuple ? v.items : v;
        const items: Loaded[] = [];
        return {
          shell: items,
          fill: (get) => {
            for (const c of src) items.push(get(c));
          },
        };
      }
      if (v instanceof PyOrderedDict || v instanceof Map) {
        const src = v instanceof PyOrderedDict ? v.entries : v;
        const m = new Map<string | number, Loaded>();
        return {
          shell: m,
          fill: (get) => {
            for (const [k, c] of src) m.set(k, get(c));
          },
        };
      }
      const out: { [k: string]: Loaded } = {};
      return {
        shell: out,
        fill: (get) => {
          for (const [k, c] of Object.entries(v))
            Object.defineProperty(out, k, { value: get(c), enumerable: true, writable: true, configurable: true });
        },
      };
    },
    "torch.load",
  );
}

function rawToTensor(r: RawTensor, storages: Map<RawStorage, CpuStorage>): Tensor {
  let s = storages.get(r.storage);
  const elems = r.storage.bytes.length / bytesPer(r.storage.dtype);
  if (!s) {
    const whole: RawTensor = {
      dtype: r.storage.dtype,
      shape: [elems],
      strides: [1],
      storageOffset: 0,
      storage: r.storage,
    };
    s = new CpuStorage(rawToArray(whole, "load").data);
    storages.set(r.storage, s);
  }
  const { dtype } = rawToArray({ ...r, shape: [0], strides: [1], storageOffset: 0 }, "load");
  const t = new Tensor(s, [...r.shape], [...r.strides], r.storageOffset, dtype);
  if (r.requiresGrad && (dtype === "float32" || dtype === "float64")) t.requiresGrad = true;
  return t;
}

const bytesPer = (d: RawStorage["dtype"]): number =>
  ({ float32: 4, float64: 8, int64: 8, int32: 4, uint8: 1, bool: 1, float16: 2, bfloat16: 2, int16: 2, int8: 1 })[d];
