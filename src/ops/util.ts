// Shared plumbing of the op layer: wrapping backend results as tensors, turning scalars into
// tensors, PyTorch-style argument parsing, and reducing broadcast gradients.
import { type DType, type TypedArray, arrayFor, castValue } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { CpuStorage, type DeviceType, Storage } from "../storage.js";
import { backendFor } from "../backend/registry.js";
import { contiguousStrides } from "../shape.js";
import { Device } from "../device.js";
import { parseNamed } from "../internal/args.js";

/** A contiguous tensor over what a kernel returned: a fresh host array (CPU) or a device's storage. */
export function wrap(data: TypedArray | Storage, shape: readonly number[], dtype: DType): Tensor {
  return new Tensor(
    data instanceof Storage ? data : new CpuStorage(data),
    [...shape],
    contiguousStrides(shape),
    0,
    dtype,
  );
}

/** A storage for n elements on a device (zeros on the CPU; unspecified contents elsewhere). */
export function allocate(device: DeviceType, n: number, dtype: DType): Storage {
  if (device === "cpu") return new CpuStorage(arrayFor(dtype, n));
  const out = backendFor(device).empty(n, dtype);
  return out instanceof Storage ? out : new CpuStorage(out);
}

/** A contiguous tensor of zeros on a device (the CPU by default). */
export function zerosOf(shape: readonly number[], dtype: DType, device: DeviceType = "cpu"): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const t = new Tensor(allocate(device, n, dtype), [...shape], contiguousStrides(shape), 0, dtype);
  if (device !== "cpu") backendFor(device).fill(t, 0);
  return t;
}

export function scalarTensor(v: number | boolean, dtype: DType): Tensor {
  const a = arrayFor(dtype, 1);
  a[0] = castValue(typeof v === "boolean" ? (v ? 1 : 0) : v, dtype);
  return wrap(a, [], dtype);
}

export type Scalar = number | boolean;
export type TensorLike = Tensor | Scalar;

export const isTensor = (x: unknown): x is Tensor => x instanceof Tensor;

/** A plain options object (not a tensor, device, array or typed array). */
export function isOptions(x: unknown): x is Record<string, unknown> {
  return (
    typeof x === "object" &&
    x !== null &&
    !Array.isArray(x) &&
    !(x instanceof Tensor) &&
    !ArrayBuffer.isView(x) &&
    !(x instanceof Map) &&
    !(x instanceof Device)
  );
}

/**
 * torch-style arguments: positional values in torch's order, or any of them (with defaults) in
 * one trailing options object. parseArgs(args, ["dim", "keepdim"], { keepdim: false }).
 */
export function parseArgs<T extends Record<string, unknown>>(
  op: string,
  args: readonly unknown[],
  names: readonly (keyof T & string)[],
  defaults: Partial<T> = {},
  /** Parameters without a default that torch code may still pass by name (F.max_pool2d(x, kernel_size=3)). */
  required: readonly (keyof T & string)[] = [],
): T {
  return parseNamed(op, args, names, defaults, required, isOptions) as T;
}
