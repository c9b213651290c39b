// Checked sizes: every allocation and every view is validated here before a typed array is made
// or a native kernel reads through it, so a hostile size (NaN, negative, fractional, a product
// past 2^53, more memory than the machine has) fails with an error naming the op and the sizes,
// as PyTorch's "Storage size calculation overflowed with sizes=[…]" and "setStorage: …" do,
// instead of a RangeError from a typed-array constructor or an out-of-bounds native read.
import { ShapeError, ValueError, fmtShape } from "./errors.js";

/** Bytes per element of each dtype's storage array. */
const ITEM_BYTES: Readonly<Record<string, number>> = { float32: 4, float64: 8, int64: 8, int32: 4, uint8: 1, bool: 1 };

/**
 * What the engine and machine allow. This module imports nothing from Node (the browser build
 * shares it): Node's backend selection (src/backend/select.ts) calls setEngineLimits with
 * os.totalmem() and buffer.maxLength; elsewhere these defaults hold.
 */
let machineMemory = 2 ** 32;
let maxLength = 2 ** 32;

export function setEngineLimits(limits: { totalMemory: number; maxLength: number }): void {
  machineMemory = limits.totalMemory;
  maxLength = limits.maxLength;
  maxAllocBytes = envLimit();
}

function envLimit(): number {
  const raw = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env
    ?.FLINT_MAX_ALLOC_BYTES;
  if (raw !== undefined && raw !== "") {
    const v = Number(raw);
    if (Number.isFinite(v) && v > 0) return v;
  }
  return machineMemory;
}

/**
 * The largest single tensor allocation in bytes. Defaults to the machine's memory (a bigger one
 * can only fail later, slowly, or get the process killed); FLINT_MAX_ALLOC_BYTES or
 * setMaxAllocBytes() change it.
 */
let maxAllocBytes = envLimit();

export function setMaxAllocBytes(bytes: number): void {
  if (!(Number.isFinite(bytes) && bytes > 0))
    throw new ValueError(`setMaxAllocBytes: expected a positive number of bytes, got ${bytes}`);
  maxAllocBytes = bytes;
}
export const getMaxAllocBytes = (): number => maxAllocBytes;

/** Checks each size is a non-negative integer; returns their product, checked against 2^53. */
export function checkedNumel(op: string, sizes: readonly number[]): number {
  let n = 1;
  for (const s of sizes) {
    if (typeof s !== "number" || !Number.isInteger(s) || s < 0) {
      throw new ShapeError(
        `${op}: invalid size ${String(s)} in ${fmtShape(sizes)} (sizes must be non-negative integers)`,
      );
    }
    n *= s;
  }
  // A product past 2^53 is no longer exact; a zero size anywhere makes the product exact again,
  // but PyTorch still refuses when the other sizes overflow, so check the non-zero sizes too.
  let nz = 1;
  for (const s of sizes) if (s !== 0) nz *= s;
  if (!Number.isSafeInteger(nz)) {
    throw new ShapeError(`${op}: Storage size calculation overflowed with sizes=${fmtShape(sizes)}`);
  }
  return n;
}

/** checkedNumel plus the memory limit for a `dtype` storage of that many elements. */
export function checkedAlloc(op: string, sizes: readonly number[], dtype: string): number {
  const n = checkedNumel(op, sizes);
  checkAllocCount(op, n, dtype, sizes);
  return n;
}

/** The allocation of n elements of dtype fits the limit (sizes only for the message). */
export function checkAllocCount(op: string, n: number, dtype: string, sizes?: readonly number[]): void {
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) {
    throw new ShapeError(`${op}: invalid element count ${n}${sizes ? ` for sizes=${fmtShape(sizes)}` : ""}`);
  }
  const bytes = n * (ITEM_BYTES[dtype] ?? 8);
  if (bytes > maxAllocBytes) {
    throw new ValueError(
      `${op}: can't allocate memory: you tried to allocate ${bytes} bytes` +
        `${sizes ? ` for sizes=${fmtShape(sizes)}` : ""} (${dtype}), above the limit of ${maxAllocBytes} bytes ` +
        "(FLINT_MAX_ALLOC_BYTES or setMaxAllocBytes() raise it)",
    );
  }
  if (n > maxLength) {
    throw new ValueError(
      `${op}: cannot allocate ${n} elements${sizes ? ` for sizes=${fmtShape(sizes)}` : ""}: ` +
        `a tensor's storage holds at most ${maxLength} elements in this JavaScript engine`,
    );
  }
}

/**
 * A view (sizes, strides, storage offset) must reach only elements inside a storage of
 * `storageLength` elements, as PyTorch's setStorage check. Sizes must be non-negative integers,
 * strides integers, the offset a non-negative integer.
 */
export function checkView(
  op: string,
  sizes: readonly number[],
  strides: readonly number[],
  offset: number,
  storageLength: number,
): void {
  const where = (): string => `sizes ${fmtShape(sizes)}, strides ${fmtShape(strides)}, storage offset ${offset}`;
  if (sizes.length !== strides.length) {
    throw new ShapeError(`${op}: mismatch in length of strides and shape (${where()})`);
  }
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new ShapeError(`${op}: Tensor: invalid storage offset ${offset} (${where()})`);
  }
  const numel = checkedNumel(op, sizes);
  let hi = 0;
  for (let i = 0; i < sizes.length; i++) {
    const st = strides[i];
    if (typeof st !== "number" || !Number.isSafeInteger(st))
      throw new ShapeError(`${op}: invalid stride ${String(st)} (${where()})`);
    if (st < 0) throw new ShapeError(`${op}: negative strides are not supported (${where()})`);
    if (sizes[i] > 0) hi += (sizes[i] - 1) * st;
  }
  if (numel === 0) return;
  const need = offset + hi + 1;
  if (!Number.isSafeInteger(need) || need > storageLength) {
    throw new ShapeError(
      `${op}: setStorage: ${where()} requiring a storage size of ${need} elements are out of bounds for storage of size ${storageLength}`,
    );
  }
}
