// default_collate and default_convert, as PyTorch 1.13: tensors are stacked along a new first
// dimension; numbers become a tensor (int64 when all are integers — Python ints — else float64,
// as Python floats); booleans a bool tensor; typed arrays (numpy arrays' counterpart) tensors;
// strings stay a list; arrays and plain objects are collated element-wise / key-wise.
import { Tensor, fromTypedArray } from "../../tensor.js";
import { stack } from "../../ops/join.js";
import { tensor } from "../../ops/creation.js";
import { uninitArray, type DType, type TypedArray } from "../../dtype.js";
import { FlintError } from "../../errors.js";

/** What default_collate makes of a batch of T. */
export type Collated<T> = T extends Tensor
  ? Tensor
  : T extends number | boolean | TypedArray
    ? Tensor
    : T extends string
      ? string[]
      : T extends readonly unknown[]
        ? { [K in keyof T]: Collated<T[K]> }
        : T extends object
          ? { [K in keyof T]: Collated<T[K]> }
          : unknown;

/** default_collate's TypeError for elements it cannot batch. */
export class CollateError extends FlintError {
  constructor(message: string) {
    super(message);
    this.name = "CollateError";
  }
}

const TYPED: [new (n: number) => TypedArray, DType][] = [
  [Float32Array, "float32"],
  [Float64Array, "float64"],
  [Int32Array, "int32"],
  [Uint8Array, "uint8"],
];

function typedDtype(x: unknown): DType | null {
  for (const [cls, dtype] of TYPED) if (x instanceof cls) return dtype;
  return null;
}

function describe(x: unknown): string {
  if (x === null) return "null";
  if (typeof x !== "object") return typeof x;
  const name = (x as object).constructor?.name ?? "Object";
  if (isImageLike(x))
    return `${name === "Object" ? "" : name + " "}image { width, height, channels, data } (add transforms.ToTensor() to get tensors)`;
  return name;
}

function isImageLike(x: unknown): boolean {
  const o = x as { width?: unknown; height?: unknown; channels?: unknown; data?: unknown };
  return (
    typeof o === "object" &&
    o !== null &&
    typeof o.width === "number" &&
    typeof o.height === "number" &&
    typeof o.channels === "number" &&
    o.data instanceof Uint8Array
  );
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== "object" || x === null) return false;
  const proto = Object.getPrototypeOf(x) as unknown;
  return proto === Object.prototype || proto === null;
}

/** torch.stack(batch, 0), with a copy-only fast path for contiguous tensors not needing grad. */
function stackTensors(batch: Tensor[]): Tensor {
  const first = batch[0];
  const same = batch.every(
    (t) =>
      t.dtype === first.dtype && t.shape.length === first.shape.length && t.shape.every((d, i) => d === first.shape[i]),
  );
  if (!same || batch.some((t) => t.requiresGrad)) return stack(batch, 0);
  const n = first.numel();
  // Every element is written below: uninitialised storage, from the caching allocator
  // torch.tuneProcess() installs when there is one (a fresh V8 array of a batch's size is
  // zero-filled, and glibc often hands it pages never touched: ~200 page faults a CIFAR batch).
  const out = uninitArray(first.dtype, n * batch.length);
  batch.forEach((t, i) => {
    if (t.isContiguous()) out.set(t.storage.data.subarray(t.offset, t.offset + n), i * n);
    else out.set(t.typedArray(), i * n);
  });
  return fromTypedArray(out, [batch.length, ...first.shape], first.dtype);
}

/** Puts each field of a batch of samples into a tensor with an outer batch dimension. */
export function defaultCollate<T>(batch: T[]): Collated<T> {
  return collate(batch as unknown[]) as Collated<T>;
}

function collate(batch: unknown[]): unknown {
  const elem = batch[0];
  if (elem instanceof Tensor) {
    if (!batch.every((b) => b instanceof Tensor))
      throw new CollateError(
        `default_collate: batch mixes Tensor and ${describe(batch.find((b) => !(b instanceof Tensor)))}`,
      );
    return stackTensors(batch as Tensor[]);
  }
  const dtype = typedDtype(elem);
  if (dtype !== null) {
    return stackTensors(
      batch.map((b) => {
        const d = typedDtype(b);
        if (d === null) throw new CollateError(`default_collate: batch mixes ${describe(elem)} and ${describe(b)}`);
        return fromTypedArray((b as TypedArray).slice(), [(b as TypedArray).length], d);
      }),
    );
  }
  if (typeof elem === "number") {
    if (!batch.every((b) => typeof b === "number"))
      throw new CollateError(
        `default_collate: batch mixes number and ${describe(batch.find((b) => typeof b !== "number"))}`,
      );
    const ints = (batch as number[]).every((v) => Number.isInteger(v));
    return tensor(batch as number[], { dtype: ints ? "int64" : "float64" });
  }
  if (typeof elem === "boolean") return tensor(batch as boolean[], { dtype: "bool" });
  if (typeof elem === "string") return batch;
  if (Array.isArray(elem)) {
    const len = elem.length;
    if (!batch.every((b) => Array.isArray(b) && b.length === len)) {
      throw new CollateError("default_collate: each element in list of batch should be of equal size");
    }
    return Array.from({ length: len }, (_, i) => collate(batch.map((b) => (b as unknown[])[i])));
  }
  if (elem instanceof Map) {
    return new Map(Array.from(elem.keys(), (k) => [k, collate(batch.map((b) => (b as Map<unknown, unknown>).get(k)))]));
  }
  if (isPlainObject(elem) && !isImageLike(elem)) {
    return Object.fromEntries(
      Object.keys(elem).map((k) => [k, collate(batch.map((b) => (b as Record<string, unknown>)[k]))]),
    );
  }
  throw new CollateError(
    `default_collate: batch must contain tensors, typed arrays, numbers, dicts or lists; found ${describe(elem)}`,
  );
}

/** default_convert (batchSize: null): typed arrays become tensors, containers are recursed. */
export function defaultConvert<T>(data: T): unknown {
  const dtype = typedDtype(data);
  if (dtype !== null) return fromTypedArray((data as TypedArray).slice(), [(data as TypedArray).length], dtype);
  if (Array.isArray(data)) return data.map((d) => defaultConvert(d));
  if (data instanceof Map) return new Map(Array.from(data, ([k, v]) => [k, defaultConvert(v)]));
  if (isPlainObject(data) && !isImageLike(data))
    return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, defaultConvert(v)]));
  return data;
}
