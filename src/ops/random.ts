// Random tensors and in-place samplers, drawing from PyTorch's CPU streams (src/random), so a
// seed gives the same numbers as torch.manual_seed in PyTorch.
import { type DType, type TypedArray, arrayFor, isFloating } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { DTypeError, ValueError } from "../errors.js";
import { backend } from "../backend/backend.js";
import { numelOf } from "../shape.js";
import {
  Generator,
  defaultGenerator,
  uniform,
  normal,
  randint as drawInt,
  randperm as drawPerm,
  bernoulli as drawBernoulli,
  bernoulliTensor,
} from "../random/index.js";
import { type CreateOptions, finish, full, sizesAndOptions, targetDevice } from "./creation.js";
import { checkedAlloc } from "../checked-size.js";
import { wrap, zerosOf } from "./util.js";
import { record } from "../autograd/record.js";
import { toDevice } from "./device-copy.js";

export interface RandomOptions extends CreateOptions {
  generator?: Generator;
}

const gen = (o: { generator?: Generator }): Generator => o.generator ?? defaultGenerator;

function floatDType(op: string, d: DType | undefined): DType {
  const dt = d ?? "float32";
  if (!isFloating(dt)) throw new DTypeError(`${op}: expected a floating point dtype, got ${dt}`);
  return dt;
}

/** A meta tensor for a random factory: no memory, and no draws from the generator (as PyTorch). */
const onMeta = (size: readonly number[], dtype: DType, o: RandomOptions): Tensor =>
  full(size, 0, { dtype, device: "meta", requiresGrad: o.requiresGrad });

/** torch.rand(*size, { dtype, generator, requiresGrad }): U[0, 1). */
export function rand(...args: (number | readonly number[] | RandomOptions)[]): Tensor {
  const [size, o] = sizesAndOptions<RandomOptions>(args, "rand");
  const dt = floatDType("rand", o.dtype);
  if (targetDevice(o) === "meta") return onMeta(size, dt, o);
  const data = arrayFor(dt, checkedAlloc("rand", size, dt)) as Float32Array | Float64Array;
  uniform(gen(o), data, 0, 1);
  return finish(wrap(data, size, dt), o);
}

/** torch.randn: standard normal. */
export function randn(...args: (number | readonly number[] | RandomOptions)[]): Tensor {
  const [size, o] = sizesAndOptions<RandomOptions>(args, "randn");
  const dt = floatDType("randn", o.dtype);
  if (targetDevice(o) === "meta") return onMeta(size, dt, o);
  const data = arrayFor(dt, checkedAlloc("randn", size, dt)) as Float32Array | Float64Array;
  normal(gen(o), data, 0, 1);
  return finish(wrap(data, size, dt), o);
}

/** torch.randint(low?, high, size, { dtype = int64, generator }). */
export function randint(...args: (number | readonly number[] | RandomOptions)[]): Tensor {
  const o = (
    args.length && typeof args[args.length - 1] === "object" && !Array.isArray(args[args.length - 1]) ? args.pop() : {}
  ) as RandomOptions;
  const size = args.pop() as readonly number[] | undefined;
  if (!Array.isArray(size))
    throw new ValueError("randint: expected (low?, high, size) with size an array, e.g. randint(0, 10, [3])");
  const [low, high] = args.length === 1 ? [0, args[0] as number] : [args[0] as number, args[1] as number];
  const dt = o.dtype ?? "int64";
  if (targetDevice(o) === "meta") return onMeta(size, dt, o);
  const data = arrayFor(dt, numelOf(size));
  drawInt(gen(o), data, low, high);
  return finish(wrap(data, size, dt), o);
}

/** torch.randperm(n, { dtype = int64, generator }). */
export function randperm(n: number, o: RandomOptions = {}): Tensor {
  const p = drawPerm(gen(o), n);
  const dt = o.dtype ?? "int64";
  return wrap(dt === "int64" || dt === "float64" ? p : copyTo(p, dt), [n], dt);
}

const copyTo = (src: Float64Array, dt: DType): TypedArray => {
  const out = arrayFor(dt, src.length);
  out.set(src);
  return out;
};

const likeOpts = (x: Tensor, o: RandomOptions): RandomOptions => ({ dtype: x.dtype, ...o });
export const randLike = (x: Tensor, o: RandomOptions = {}): Tensor => rand(x.shape, likeOpts(x, o));
export const randnLike = (x: Tensor, o: RandomOptions = {}): Tensor => randn(x.shape, likeOpts(x, o));
export function randintLike(x: Tensor, low: number, high?: number | RandomOptions, o: RandomOptions = {}): Tensor {
  if (typeof high !== "number") return randint(0, low, x.shape, { dtype: x.dtype, ...(high ?? {}) });
  return randint(low, high, x.shape, { dtype: x.dtype, ...o });
}

/**
 * Fills x in place from a sampler that writes a contiguous array: PyTorch draws in x's element
 * order, which for a contiguous tensor is memory order; other layouts get a contiguous draw copied in.
 */
function fillWith(x: Tensor, draw: (a: TypedArray) => void): Tensor {
  const n = x.numel(),
    device = x.storage.device;
  // Meta tensors have no values to draw (and draw nothing from the generator, as PyTorch).
  if (device === "meta") return x;
  if (device !== "cpu") {
    // Other devices: the same draws on the host, then one upload.
    const host = fillWith(zerosOf(x.shape, x.dtype), draw);
    backend().assign(x, toDevice(host, device));
  } else if (x.isContiguous()) {
    draw(x.storage.data.subarray(x.offset, x.offset + n));
  } else {
    // PyTorch's iterator walks dims sorted by stride (memory order), so a permuted view receives
    // the draws in storage order: draw contiguously, then write through the same permutation.
    const order = [...x.shape.keys()].sort((a, b) => x.strides[b] - x.strides[a]);
    const tmp = arrayFor(x.dtype, n);
    draw(tmp);
    const dst = x.permute(order);
    backend().assign(dst, wrap(tmp, dst.shape, x.dtype));
  }
  x.storage.version++;
  return x;
}

export function uniform_(x: Tensor, from = 0, to = 1, o: { generator?: Generator } = {}): Tensor {
  floatDType("uniform_", x.dtype);
  return fillWith(x, (a) => uniform(gen(o), a as Float32Array | Float64Array, from, to));
}
export function normal_(x: Tensor, mean = 0, std = 1, o: { generator?: Generator } = {}): Tensor {
  floatDType("normal_", x.dtype);
  if (std < 0) throw new ValueError(`normal_: expects std >= 0.0, but found std ${std}`);
  const contiguous = x.isContiguous();
  return fillWith(x, (a) => normal(gen(o), a as Float32Array | Float64Array, mean, std, contiguous));
}
export function bernoulli_(x: Tensor, p = 0.5, o: { generator?: Generator } = {}): Tensor {
  return fillWith(x, (a) => drawBernoulli(gen(o), a as Float64Array, p));
}
export function random_(x: Tensor, low: number, high: number, o: { generator?: Generator } = {}): Tensor {
  return fillWith(x, (a) => drawInt(gen(o), a as Float64Array, low, high));
}

/** torch.bernoulli(probs): one draw per element with that element's probability. */
export function bernoulli(p: Tensor, o: { generator?: Generator } = {}): Tensor {
  const probs = p.typedArray() as Float32Array | Float64Array;
  floatDType("bernoulli", p.dtype);
  const out = arrayFor(p.dtype, probs.length);
  bernoulliTensor(gen(o), out, probs);
  // PyTorch records the draw with zero gradient for the probabilities (derivatives.yaml: zeros_like).
  return record("BernoulliBackward", [p], wrap(out, p.shape, p.dtype), () => [zerosOf(p.shape, p.dtype)]);
}

// --- the default generator ---
export const manualSeed = (seed: number | bigint): Generator => defaultGenerator.manualSeed(seed);
export const seed = (): number | bigint => defaultGenerator.seed();
export const initialSeed = (): number | bigint => defaultGenerator.initialSeed();
export const getRngState = (): Uint8Array => defaultGenerator.getState();
export const setRngState = (state: Uint8Array): void => {
  defaultGenerator.setState(state);
};
export { Generator, defaultGenerator };
