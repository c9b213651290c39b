/**
 * Helpers over RawTensor: validating a strided view against its storage, gathering a view
 * into contiguous bytes, and converting to and from the typed arrays Flint's tensors use.
 */
import { SerializationError, check } from "./errors.js";
import { ITEM_SIZE, type RawStorage, type RawTensor, type StoredDType } from "./types.js";

/**
 * Checks that shape/strides/offset are non-negative integers and that every element the view
 * can address lies inside the storage; returns the number of elements. `ctx` prefixes errors.
 */
export function checkView(t: RawTensor, ctx: string): number {
  check(
    t.dtype === t.storage.dtype,
    () => `${ctx}: tensor dtype ${t.dtype} differs from its storage's ${t.storage.dtype}`,
  );
  check(
    Array.isArray(t.shape) && Array.isArray(t.strides) && t.shape.length === t.strides.length,
    () => `${ctx}: shape [${String(t.shape)}] and strides [${String(t.strides)}] differ in length`,
  );
  check(
    Number.isSafeInteger(t.storageOffset) && t.storageOffset >= 0,
    () => `${ctx}: bad storage offset ${String(t.storageOffset)}`,
  );
  const itemSize = ITEM_SIZE[t.dtype];
  check(
    t.storage.bytes.length % itemSize === 0,
    () => `${ctx}: storage of ${t.storage.bytes.length} bytes is not a whole number of ${t.dtype} elements`,
  );
  const storageNumel = t.storage.bytes.length / itemSize;
  let numel = 1;
  let maxIndex = t.storageOffset;
  for (let d = 0; d < t.shape.length; d++) {
    const n = t.shape[d];
    const s = t.strides[d];
    check(Number.isSafeInteger(n) && n >= 0, () => `${ctx}: bad size ${String(n)} in shape [${String(t.shape)}]`);
    check(Number.isSafeInteger(s) && s >= 0, () => `${ctx}: bad stride ${String(s)} in strides [${String(t.strides)}]`);
    numel *= n;
    if (n > 0) maxIndex += (n - 1) * s;
  }
  check(Number.isSafeInteger(numel), () => `${ctx}: shape [${String(t.shape)}] has too many elements`);
  check(
    numel === 0 || maxIndex < storageNumel,
    () =>
      `${ctx}: view (shape [${String(t.shape)}], strides [${String(t.strides)}], offset ${t.storageOffset}) ` +
      `reaches element ${maxIndex} of a storage of ${storageNumel}`,
  );
  return numel;
}

export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = acc;
    acc *= shape[d];
  }
  return strides;
}

/** True when the view is row-major contiguous (size-1 dims may have any stride, as in torch). */
export function isContiguous(t: RawTensor): boolean {
  let expected = 1;
  for (let d = t.shape.length - 1; d >= 0; d--) {
    if (t.shape[d] === 0) return true;
    if (t.shape[d] !== 1 && t.strides[d] !== expected) return false;
    expected *= t.shape[d];
  }
  return true;
}

/**
 * How many more elements than its storage holds a view may expand to (stride-0 dims) when it is
 * materialized: a small file must not be able to demand gigabytes of memory.
 */
export const MAX_EXPANSION = 2 ** 24;

/** The view's elements in row-major order as a fresh little-endian byte array. */
export function contiguousBytes(t: RawTensor, ctx = "tensor"): Uint8Array {
  const numel = checkView(t, ctx);
  const size = ITEM_SIZE[t.dtype];
  const src = t.storage.bytes;
  check(
    numel <= src.length / size + MAX_EXPANSION,
    () =>
      `${ctx}: expanded view of shape [${String(t.shape)}] would materialize ${numel} elements from a storage of ${src.length / size}`,
  );
  if (isContiguous(t)) return src.slice(t.storageOffset * size, (t.storageOffset + numel) * size);
  const out = new Uint8Array(numel * size);
  const nd = t.shape.length;
  const idx = new Array<number>(nd).fill(0);
  let pos = t.storageOffset;
  for (let i = 0; i < numel; i++) {
    out.set(src.subarray(pos * size, pos * size + size), i * size);
    // Odometer increment over the multi-index, adjusting the storage position as we go.
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]++;
      pos += t.strides[d];
      if (idx[d] < t.shape[d]) break;
      pos -= idx[d] * t.strides[d];
      idx[d] = 0;
    }
  }
  return out;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function float16ToFloat32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

export function bfloat16ToFloat32(b: number): number {
  u32[0] = (b & 0xffff) << 16;
  return f32[0];
}

/** Rounds to the nearest float16 (ties to even), as torch's float->half conversion does. */
export function float32ToFloat16(x: number): number {
  f32[0] = x;
  const bits = u32[0];
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const m = mant | 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rem = m & ((1 << shift) - 1);
    let r = m >>> shift;
    if (rem > half || (rem === half && r & 1)) r++;
    return sign | r;
  }
  let r = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && r & 1)) r++;
  return sign | r;
}

/** Rounds to the nearest bfloat16 (ties to even), as torch's float->bfloat16 conversion does. */
export function float32ToBfloat16(x: number): number {
  f32[0] = x;
  const bits = u32[0];
  if (Number.isNaN(x)) return ((bits >>> 16) | 0x40) & 0xffff;
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

export type FlintDType = "float32" | "float64" | "int64" | "int32" | "uint8" | "bool";
export type FlintArray = Float32Array | Float64Array | Int32Array | Uint8Array;

/** The Flint dtype each stored dtype loads as (half floats widen to float32, small ints to int32). */
export const FLINT_DTYPE: Readonly<Record<StoredDType, FlintDType>> = {
  float32: "float32",
  float64: "float64",
  int64: "int64",
  int32: "int32",
  uint8: "uint8",
  bool: "bool",
  float16: "float32",
  bfloat16: "float32",
  int16: "int32",
  int8: "int32",
};

/**
 * The view's elements, row-major, in the typed array Flint stores that dtype in. int64 lands in
 * a Float64Array and must be exact: a value beyond 2^53 is an error, never silently rounded.
 */
export function rawToArray(t: RawTensor, ctx = "tensor"): { dtype: FlintDType; data: FlintArray } {
  const bytes = contiguousBytes(t, ctx);
  const n = bytes.length / ITEM_SIZE[t.dtype];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dtype = FLINT_DTYPE[t.dtype];
  switch (t.dtype) {
    case "float32":
      return { dtype, data: new Float32Array(bytes.buffer, 0, n) };
    case "float64":
      return { dtype, data: new Float64Array(bytes.buffer, 0, n) };
    case "int32":
      return { dtype, data: new Int32Array(bytes.buffer, 0, n) };
    case "uint8":
      return { dtype, data: bytes };
    case "bool":
      return { dtype, data: bytes.map((b) => (b ? 1 : 0)) };
    case "int64": {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const v = dv.getBigInt64(i * 8, true);
        if (v > 9007199254740992n || v < -9007199254740992n) {
          throw new SerializationError(`${ctx}: int64 value ${v} at element ${i} cannot be held exactly (beyond 2^53)`);
        }
        out[i] = Number(v);
      }
      return { dtype, data: out };
    }
    case "float16":
    case "bfloat16": {
      const out = new Float32Array(n);
      const conv = t.dtype === "float16" ? float16ToFloat32 : bfloat16ToFloat32;
      for (let i = 0; i < n; i++) out[i] = conv(dv.getUint16(i * 2, true));
      return { dtype, data: out };
    }
    case "int16":
    case "int8": {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = t.dtype === "int16" ? dv.getInt16(i * 2, true) : dv.getInt8(i);
      return { dtype, data: out };
    }
  }
}

/** Wraps a row-major typed array as a RawTensor with its own storage (bytes are copied). */
export function rawFromArray(data: FlintArray, shape: number[], dtype: StoredDType): RawTensor {
  const n = data.length;
  const storage: RawStorage = { dtype, bytes: new Uint8Array(n * ITEM_SIZE[dtype]) };
  const dv = new DataView(storage.bytes.buffer);
  for (let i = 0; i < n; i++) {
    const v = data[i];
    switch (dtype) {
      case "float32":
        dv.setFloat32(i * 4, v, true);
        break;
      case "float64":
        dv.setFloat64(i * 8, v, true);
        break;
      case "int64":
        if (!Number.isFinite(v)) throw new SerializationError(`int64 tensor: element ${i} is ${v}`);
        dv.setBigInt64(i * 8, BigInt(Math.trunc(v)), true);
        break;
      case "int32":
        dv.setInt32(i * 4, v, true);
        break;
      case "int16":
        dv.setInt16(i * 2, v, true);
        break;
      case "int8":
        dv.setInt8(i, v);
        break;
      case "uint8":
        dv.setUint8(i, v);
        break;
      case "bool":
        dv.setUint8(i, v ? 1 : 0);
        break;
      case "float16":
        dv.setUint16(i * 2, float32ToFloat16(v), true);
        break;
      case "bfloat16":
        dv.setUint16(i * 2, float32ToBfloat16(v), true);
        break;
    }
  }
  return { dtype, shape: [...shape], strides: contiguousStrides(shape), storageOffset: 0, storage };
}
