// dtypes, their storage arrays, and PyTorch's type-promotion rules.
import { checkAllocCount } from "./checked-size.js";
import { SLAB_MAX_BYTES, SLAB_MIN_BYTES, slabFloat32, slabFloat64, slabInt32, slabUint8 } from "./small-arrays.js";
import { POOL_MIN_BYTES, noteNewBuffer, takeBuffer } from "./buffer-pool.js";

export type DType = "float32" | "float64" | "int64" | "int32" | "uint8" | "bool";
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

// Element counts up to this need no memory-limit check (see checked-size.ts).
const MAX_UNCHECKED = 1 << 24;

export const float32: DType = "float32";
export const float64: DType = "float64";
export const int64: DType = "int64";
export const int32: DType = "int32";
export const uint8: DType = "uint8";
export const bool: DType = "bool";
// torch's aliases
export const float: DType = "float32";
export const double: DType = "float64";
export const long: DType = "int64";
export const int: DType = "int32";

const DTYPES: readonly DType[] = ["float32", "float64", "int64", "int32", "uint8", "bool"];

export function isDType(x: unknown): x is DType {
  return typeof x === "string" && (DTYPES as readonly string[]).includes(x);
}

/**
 * Where the active CPU backend keeps large float32 storage when not in JavaScript arrays: the
 * WebAssembly backend's memory (src/backend/wasm/heap-storage.ts), so that parameters, gradients,
 * optimizer state and inputs made by creation ops (zeros, empty, rand, clone of a JS array...) are
 * read by the kernels in place instead of copied in on every call. null (the default): JS arrays.
 * The allocator returns null when it declines (over its cap or budget); arrayFor then makes a JS array.
 */
let float32Host: ((n: number) => Float32Array | null) | null = null;
/** Set by the backend registry (src/backend/registry.ts) when the CPU backend changes. */
export function setFloat32Host(alloc: ((n: number) => Float32Array | null) | null): void {
  float32Host = alloc;
}

/**
 * Storage array for a dtype. int64 lives in a Float64Array: JavaScript has no fast 64-bit
 * integer array (BigInt64Array boxes every read), and class indices, counts and shapes are all
 * far below 2^53, where doubles hold integers exactly.
 */
export function arrayFor(dtype: DType, n: number): TypedArray {
  // The last line of defence: ops check their output sizes by name first (checked-size.ts).
  if (!(Number.isInteger(n) && n >= 0 && n <= MAX_UNCHECKED)) checkAllocCount("allocation", n, dtype);
  const bytes = n * itemSize(dtype);
  if (float32Host !== null && dtype === "float32" && bytes >= POOL_MIN_BYTES) {
    const a = float32Host(n);
    if (a !== null) return a.fill(0);
  }
  if (bytes >= SLAB_MIN_BYTES && bytes <= SLAB_MAX_BYTES) return slabArray(dtype, n);
  switch (dtype) {
    case "float32":
      return new Float32Array(n);
    case "float64":
    case "int64":
      return new Float64Array(n);
    case "int32":
      return new Int32Array(n);
    case "uint8":
    case "bool":
      return new Uint8Array(n);
  }
}

/** A zeroed small array as a view into a shared slab (src/small-arrays.ts). */
function slabArray(dtype: DType, n: number): TypedArray {
  switch (dtype) {
    case "float32":
      return slabFloat32(n);
    case "float64":
    case "int64":
      return slabFloat64(n);
    case "int32":
      return slabInt32(n);
    case "uint8":
    case "bool":
      return slabUint8(n);
  }
}

/** Whether `a` is the storage array type of `dtype` (int64 is stored in a Float64Array, bool in a Uint8Array). */
export function arrayHolds(a: TypedArray, dtype: DType): boolean {
  const kind = dtype === "int64" ? "float64" : dtype === "bool" ? "uint8" : dtype;
  // (dtypeOfArray calls any other array uint8: a Uint8ClampedArray must not pass for one.)
  return kind === "uint8" ? a instanceof Uint8Array : dtypeOfArray(a) === kind;
}

/** The dtype whose storage array type matches `a` (Float64Array is float64, not int64). */
export function dtypeOfArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Float64Array) return "float64";
  if (a instanceof Int32Array) return "int32";
  return "uint8";
}

export function itemSize(dtype: DType): number {
  switch (dtype) {
    case "float32":
    case "int32":
      return 4;
    case "float64":
    case "int64":
      return 8;
    case "uint8":
    case "bool":
      return 1;
  }
}

export const isFloating = (d: DType): boolean => d === "float32" || d === "float64";
export const isIntegral = (d: DType): boolean => d === "int64" || d === "int32" || d === "uint8";

/**
 * Converts a JS number to the value a tensor of `dtype` stores (truncation toward zero, as C
 * casts). `from`, the source tensor's dtype when there is one, decides whether an int32 overflow
 * wraps (integers) or gives the x86 "integer indefinite" (floats).
 */
export function castValue(v: number, dtype: DType, from?: DType): number {
  switch (dtype) {
    case "float32":
      return Math.fround(v);
    case "float64":
      return v;
    // Out of range and NaN give the "integer indefinite" value, as x86's conversion in PyTorch's CPU kernels.
    case "int64":
      return Number.isFinite(v) && Math.abs(v) < 2 ** 63 ? Math.trunc(v) : -(2 ** 63);
    // (integers narrowed to int32 wrap around, as C++ integer casts do)
    case "int32":
      return (from !== undefined && !isFloating(from)) || (Number.isFinite(v) && v > -2147483649 && v < 2147483648)
        ? Math.trunc(v) | 0
        : -2147483648;
    case "uint8":
      return Math.trunc(v) & 255;
    case "bool":
      return v !== 0 ? 1 : 0;
  }
}

// Category order used by promotion: bool < integer < floating.
function category(d: DType): number {
  return d === "bool" ? 0 : isFloating(d) ? 2 : 1;
}

/** promote_types(a, b) for two tensor dtypes. */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === b) return a;
  const ca = category(a),
    cb = category(b);
  if (ca !== cb) return ca > cb ? a : b;
  if (ca === 2) return "float64";
  // integers: uint8 < int32 < int64
  const rank = (d: DType) => (d === "uint8" ? 0 : d === "int32" ? 1 : 2);
  return rank(a) > rank(b) ? a : b;
}

/** An operand of type promotion: a tensor's dtype with its dimensionality, or a JS scalar. */
export type PromotionOperand = { dtype: DType; dim: number } | number | boolean;

/**
 * torch.result_type: dimensioned tensors take priority, then zero-dim tensors, then scalars; a
 * lower-priority operand only matters when its category (bool < int < float) is higher, and then
 * scalars bring the default dtype of their category (float -> float32, int -> int64).
 */
export function resultType(operands: readonly PromotionOperand[]): DType {
  let dimRes: DType | null = null,
    zeroRes: DType | null = null,
    scalarRes: DType | null = null;
  for (const op of operands) {
    if (typeof op === "object") {
      if (op.dim > 0) dimRes = dimRes ? promoteTypes(dimRes, op.dtype) : op.dtype;
      else zeroRes = zeroRes ? promoteTypes(zeroRes, op.dtype) : op.dtype;
    } else {
      const d: DType = typeof op === "boolean" ? "bool" : Number.isInteger(op) ? "int64" : "float32";
      scalarRes = scalarRes ? promoteTypes(scalarRes, d) : d;
    }
  }
  let res: DType | null = dimRes;
  for (const next of [zeroRes, scalarRes]) {
    if (next === null) continue;
    if (res === null) res = next;
    else if (category(next) > category(res)) res = next;
  }
  return res ?? "float32";
}

/** Node's Buffer; absent in a browser, where every array is zero-filled. */
const nodeBuffer = (globalThis as { Buffer?: { allocUnsafeSlow(bytes: number): { buffer: ArrayBuffer } } }).Buffer;

/** Makes uninitialized storage of at least 4 KiB, or returns undefined to leave it to V8. */
export type StorageAllocator = (bytes: number) => ArrayBuffer | undefined;
let storageAllocator: StorageAllocator | null = null;

/**
 * Installs (or with null removes) the allocator uninitArray takes fresh buffers from; Node's
 * torch.tuneProcess() installs the native addon's caching allocator. Returns the previous one.
 */
export function setStorageAllocator(alloc: StorageAllocator | null): StorageAllocator | null {
  const was = storageAllocator;
  storageAllocator = alloc;
  return was;
}

/** The allocator uninitArray uses, or null for V8's. */
export const getStorageAllocator = (): StorageAllocator | null => storageAllocator;

// From 4 KiB up (POOL_MIN_BYTES), skipping the zero fill pays (measured: a zeroed 64 KiB array
// 5.6 us, unfilled 0.7 us), and so does recycling.

/**
 * Storage for a kernel output that the kernel writes in full. Large buffers skip zero-filling
 * (Buffer.allocUnsafeSlow): a fresh zeroed multi-megabyte array costs page faults and a memset
 * on every training step, where recycled heap memory costs nothing.
 */
export function uninitArray(dtype: DType, n: number): TypedArray {
  if (!(Number.isInteger(n) && n >= 0 && n <= MAX_UNCHECKED)) checkAllocCount("allocation", n, dtype);
  const bytes = n * itemSize(dtype);
  if (bytes < POOL_MIN_BYTES) return arrayFor(dtype, n);
  if (float32Host !== null && dtype === "float32") {
    const a = float32Host(n);
    if (a !== null) return a;
  }
  // A buffer freed by the last backward pass (./buffer-pool.ts), else one from the storage
  // allocator torch.tuneProcess() installs (native/storage.cc), else a fresh one; in a browser
  // fresh arrays are zero-filled.
  const buf =
    takeBuffer(bytes) ??
    storageAllocator?.(bytes) ??
    (nodeBuffer ? nodeBuffer.allocUnsafeSlow(bytes).buffer : new ArrayBuffer(bytes));
  noteNewBuffer(buf);
  switch (dtype) {
    case "float32":
      return new Float32Array(buf, 0, n);
    case "float64":
    case "int64":
      return new Float64Array(buf, 0, n);
    case "int32":
      return new Int32Array(buf, 0, n);
    case "uint8":
    case "bool":
      return new Uint8Array(buf, 0, n);
  }
}
