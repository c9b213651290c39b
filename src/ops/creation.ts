// Creation ops: torch.tensor with PyTorch's dtype inference, and the filled/ranged factories.
import { type DType, type TypedArray, arrayFor, castValue, dtypeOfArray, isDType } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { ShapeError, ValueError } from "../errors.js";
import { contiguousStrides, sizesArg } from "../shape.js";
import { allocate, isOptions, isTensor, wrap } from "./util.js";
import { toDType } from "./cast.js";
import { type DeviceLike, deviceTypeOf } from "../device.js";
import type { DeviceType } from "../storage.js";
import { backendFor } from "../backend/registry.js";
import { toDevice } from "./device-copy.js";
import { checkedAlloc, checkedNumel } from "../checked-size.js";
import { fma, fmaf } from "../random/fma.js";

/** torch.tensor refuses deeper nesting (PyTorch's MAX_DIMS in tensor_new.cpp). */
const MAX_NESTING = 128;

export interface CreateOptions {
  dtype?: DType;
  requiresGrad?: boolean;
  /** "cpu" (the default), "meta", or a device whose backend is available ("webgpu", "wasm"). */
  device?: DeviceLike | null;
  pinMemory?: boolean;
}

export type NestedData = number | boolean | readonly NestedData[];

/** The device type a factory's options ask for ("cpu" when none). */
export function targetDevice(opts: CreateOptions): DeviceType {
  const d = opts.device;
  if (d === undefined || d === null || d === "cpu") return "cpu";
  return d === "meta" ? d : deviceTypeOf("tensor creation", d);
}

/** Applies { device, requiresGrad } to a freshly created tensor (gradients for floating point only, as torch). */
export function finish(t0: Tensor, opts: CreateOptions): Tensor {
  const device = targetDevice(opts);
  const t = device === t0.storage.device ? t0 : toDevice(t0, device, "tensor creation");
  if (opts.requiresGrad) {
    if (t.dtype !== "float32" && t.dtype !== "float64") {
      throw new ValueError(`tensor: only tensors of floating point dtype can require gradients, got ${t.dtype}`);
    }
    t.requiresGrad = true;
  }
  return t;
}

function checkOpts(op: string, opts: CreateOptions): void {
  if (opts.dtype !== undefined && !isDType(opts.dtype))
    throw new ValueError(`${op}: unknown dtype '${String(opts.dtype)}'`);
}

/** torch.tensor: copies data; infers bool, int64 (all integers) or float32, unless dtype is given. */
export function tensor(data: NestedData | TypedArray | Tensor, opts: CreateOptions = {}): Tensor {
  checkOpts("tensor", opts);
  if (isTensor(data)) return finish(toDType(data.detach(), opts.dtype ?? data.dtype, true), opts);
  if (ArrayBuffer.isView(data)) {
    const dt = opts.dtype ?? dtypeOfArray(data);
    const out = arrayFor(dt, data.length);
    for (let i = 0; i < data.length; i++) out[i] = castValue(data[i], dt);
    return finish(wrap(out, [data.length], dt), opts);
  }
  const shape: number[] = [];
  for (let d: NestedData = data; Array.isArray(d); d = (d as readonly NestedData[])[0]) {
    if (shape.length >= MAX_NESTING)
      throw new ValueError(`tensor: too many dimensions 'list' (nested deeper than ${MAX_NESTING})`);
    shape.push((d as readonly NestedData[]).length);
    if ((d as readonly NestedData[]).length === 0) break;
  }
  checkedNumel("tensor", shape);
  const flat: (number | boolean)[] = [];
  const walk = (d: NestedData, depth: number): void => {
    if (depth === shape.length) {
      if (Array.isArray(d)) throw new ShapeError(`tensor: ragged nested sequence (extra nesting at depth ${depth})`);
      if (typeof d !== "number" && typeof d !== "boolean")
        throw new ValueError(`tensor: could not infer dtype of ${typeof d}`);
      flat.push(d as number | boolean);
      return;
    }
    if (!Array.isArray(d) || d.length !== shape[depth]) {
      throw new ShapeError(
        `tensor: expected sequence of length ${shape[depth]} at dim ${depth} (got ${Array.isArray(d) ? d.length : typeof d})`,
      );
    }
    for (const e of d as readonly NestedData[]) walk(e, depth + 1);
  };
  walk(data, 0);
  let dt = opts.dtype;
  if (!dt) {
    if (flat.length > 0 && flat.every((v) => typeof v === "boolean")) dt = "bool";
    else if (flat.every((v) => typeof v === "boolean" || Number.isInteger(v))) dt = flat.length ? "int64" : "float32";
    else dt = "float32";
  }
  const out = arrayFor(dt, flat.length);
  flat.forEach((v, i) => (out[i] = castValue(typeof v === "boolean" ? +v : v, dt as DType)));
  return finish(wrap(out, shape, dt), opts);
}

type SizeArgs = (number | readonly number[] | CreateOptions)[];

/** Splits `f(2, 3, { dtype })` / `f([2, 3], { dtype })` into sizes and options. */
export function sizesAndOptions<O extends object = CreateOptions>(
  args: readonly unknown[],
  op = "factory",
): [number[], O] {
  const last = args[args.length - 1];
  const hasOpts = args.length > 0 && isOptions(last);
  const sizes = sizesArg((hasOpts ? args.slice(0, -1) : args) as (number | readonly number[])[]);
  checkedNumel(op, sizes);
  return [sizes, (hasOpts ? last : {}) as O];
}

export function full(size: readonly number[], value: number | boolean, opts: CreateOptions = {}): Tensor {
  return filled("full", size, value, opts);
}

/** full() under the name of the factory the user called (zeros, ones, eye …) for error messages. */
function filled(op: string, size: readonly number[], value: number | boolean, opts: CreateOptions): Tensor {
  checkOpts(op, opts);
  const dt = opts.dtype ?? (typeof value === "boolean" ? "bool" : Number.isInteger(value) ? "int64" : "float32");
  const device = targetDevice(opts);
  if (device !== "cpu") {
    // Allocated on the device itself: a meta tensor of any size costs nothing.
    const n = device === "meta" ? checkedNumel(op, size) : checkedAlloc(op, size, dt);
    const t = new Tensor(allocate(device, n, dt), [...size], contiguousStrides(size), 0, dt);
    backendFor(device).fill(t, castValue(+value, dt));
    return finish(t, opts);
  }
  const out = arrayFor(dt, checkedAlloc(op, size, dt));
  const v = castValue(+value, dt);
  if (v !== 0) out.fill(v);
  return finish(wrap(out, size, dt), opts);
}

export function zeros(...args: SizeArgs): Tensor {
  const [size, opts] = sizesAndOptions(args, "zeros");
  return filled("zeros", size, 0, { dtype: "float32", ...opts });
}
export function ones(...args: SizeArgs): Tensor {
  const [size, opts] = sizesAndOptions(args, "ones");
  return filled("ones", size, 1, { dtype: "float32", ...opts });
}
export const empty = zeros;

const likeOpts = (x: Tensor, opts: CreateOptions): CreateOptions => ({
  dtype: x.dtype,
  device: x.storage.device,
  ...opts,
});
export const zerosLike = (x: Tensor, opts: CreateOptions = {}): Tensor => full(x.shape, 0, likeOpts(x, opts));
export const onesLike = (x: Tensor, opts: CreateOptions = {}): Tensor => full(x.shape, 1, likeOpts(x, opts));
export const emptyLike = zerosLike;
export const fullLike = (x: Tensor, value: number | boolean, opts: CreateOptions = {}): Tensor =>
  full(x.shape, value, likeOpts(x, opts));

/** torch.arange(end) / arange(start, end, step): int64 when all arguments are integers. */
export function arange(...args: (number | CreateOptions)[]): Tensor {
  const opts = (isOptions(args[args.length - 1]) ? args.pop() : {}) as CreateOptions;
  const nums = args as number[];
  const [start, end, step] = nums.length === 1 ? [0, nums[0], 1] : [nums[0], nums[1], nums[2] ?? 1];
  if (!nums.every((v) => typeof v === "number"))
    throw new ValueError(`arange: expected numbers, got ${nums.map((v) => typeof v).join(", ")}`);
  if (![start, end, step].every(Number.isFinite))
    throw new ValueError(`arange: unsupported range: ${start} -> ${end} (step ${step})`);
  if (step === 0) throw new ValueError("arange: step must be nonzero");
  if ((end - start) / step < 0)
    throw new ValueError(
      `arange: upper bound and larger bound inconsistent with step sign (start ${start}, end ${end}, step ${step})`,
    );
  const dt = opts.dtype ?? (nums.every(Number.isInteger) ? "int64" : "float32");
  const n = Math.ceil((end - start) / step);
  const out = arrayFor(dt, checkedAlloc("arange", [n], dt));
  for (let i = 0; i < n; i++) out[i] = castValue(start + i * step, dt);
  return finish(wrap(out, [n], dt), opts);
}

/** torch.linspace: computed as PyTorch's CPU kernel does, from both ends toward the middle. */
export function linspace(start: number, end: number, steps: number, opts: CreateOptions = {}): Tensor {
  if (!Number.isInteger(steps) || steps < 0)
    throw new ValueError(`linspace: number of steps must be non-negative, got ${steps}`);
  const dt = opts.dtype ?? "float32";
  const out = arrayFor(dt, checkedAlloc("linspace", [steps], dt));
  // One step is the start (the loop below would give the end).
  if (steps === 1) return finish(wrap(out.fill(castValue(start, dt)), [1], dt), opts);
  if (dt === "float32" || dt === "float64") {
    linspaceFloat(out as Float32Array | Float64Array, start, end, steps, dt === "float32");
    return finish(wrap(out, [steps], dt), opts);
  }
  linspaceInt(out, Math.trunc(start), Math.trunc(end), steps, dt);
  return finish(wrap(out, [steps], dt), opts);
}

/**
 * PyTorch 1.13's CPU linspace for integer tensors: a double step; the vectorised loop (two AVX2
 * vectors per iteration) truncates each vector's first element, base, to the integer type and
 * writes base + k * step truncated; the tail is the scalar start + step * i (from the end past
 * halfway). So linspace(0, -3, 50) holds 0 up to index 19, as PyTorch's.
 */
function linspaceInt(out: TypedArray, start: number, end: number, steps: number, dt: DType): void {
  const step = (end - start) / (steps - 1);
  const half = Math.floor(steps / 2);
  const scalar = (i: number): number => Math.trunc(i < half ? start + step * i : end - step * (steps - i - 1));
  const lanes = 32 / out.BYTES_PER_ELEMENT;
  let idx = 0;
  while (idx + 2 * lanes <= steps) {
    for (let u = 0; u < 2; u++, idx += lanes) {
      const base = scalar(idx);
      for (let k = 0; k < lanes; k++) out[idx + k] = castValue(Math.trunc(base + k * step), dt);
    }
  }
  for (; idx < steps; idx++) out[idx] = castValue(scalar(idx), dt);
}

/**
 * PyTorch 1.13's CPU linspace for float tensors, rounding as its kernel does: the step in the
 * tensor's precision; scalar elements start + step * i (from the end past halfway) with one
 * rounding (the compiler contracts it to an FMA); the vectorised loop (two AVX2 vectors per
 * iteration: 16 floats or 8 doubles) writes base + k * step from each vector's first element.
 * Grids built with linspace (affine_grid, torchvision's) then sit on the same side of pixel
 * boundaries as PyTorch's.
 */
function linspaceFloat(
  out: Float32Array | Float64Array,
  start: number,
  end: number,
  steps: number,
  single: boolean,
): void {
  const r = single ? Math.fround : (v: number) => v;
  const fm = single ? fmaf : fma;
  const s = r(start),
    e = r(end);
  const step = r(r(e - s) / (steps - 1));
  const half = Math.floor(steps / 2);
  const scalar = (i: number): number => (i < half ? fm(step, i, s) : fm(-step, steps - i - 1, e));
  const lanes = single ? 8 : 4;
  let idx = 0;
  while (idx + 2 * lanes <= steps) {
    for (let u = 0; u < 2; u++, idx += lanes) {
      const base = scalar(idx);
      for (let k = 0; k < lanes; k++) out[idx + k] = r(base + r(k * step));
    }
  }
  for (; idx < steps; idx++) out[idx] = scalar(idx);
}

export function eye(n: number, m?: number | CreateOptions, opts: CreateOptions = {}): Tensor {
  if (isOptions(m)) return eye(n, n, m);
  const cols = (m as number | undefined) ?? n;
  const t = filled("eye", [n, cols], 0, { dtype: "float32", ...opts });
  const d = t.storage.data;
  for (let i = 0; i < Math.min(n, cols); i++) d[i * cols + i] = 1;
  return t;
}
