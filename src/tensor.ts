// The Tensor: a strided view over shared storage, plus autograd metadata. The math lives in
// src/ops/ (each op file installs its methods on Tensor.prototype), so this file stays about
// what a tensor *is*.
import { type DType, type TypedArray, arrayFor, arrayHolds, dtypeOfArray } from "./dtype.js";
import { DeviceError, ValueError, fmtShape } from "./errors.js";
import { contiguousStrides, isContiguousLayout, numelOf } from "./shape.js";
import type { Node } from "./autograd/node.js";
import { CpuStorage, Storage } from "./storage.js";
import { backendFor } from "./backend/registry.js";
import { checkView } from "./checked-size.js";
import { offsetsOf } from "./backend/ref/iterate.js";

export { CpuStorage, Storage };

export class Tensor {
  storage: Storage;
  /** The sizes; read-only to users (torch.Size is a tuple): views and reshapes make new tensors. */
  readonly shape: readonly number[];
  #strides: number[];
  offset: number;
  readonly dtype: DType;
  /** Whether autograd records operations on this tensor (leaves: set by the user). */
  requiresGrad = false;
  grad: Tensor | null = null;
  /** The autograd node that produced this tensor; null for leaves. */
  gradFn: Node | null = null;
  /** Which output of gradFn this tensor is. */
  outputNr = 0;
  /** Non-leaf tensors keep their .grad only after retainGrad(). */
  retainsGrad = false;
  /** For views: the tensor whose storage this one views (in-place checks need it). */
  base: Tensor | null = null;
  /** For views: base.gradFn when the view was made; when it changes (an in-place op on the base or on another view), autograd re-derives this view's history from the base's. */
  baseGradFn: Node | null = null;

  constructor(storage: Storage, shape: readonly number[], strides: number[], offset: number, dtype: DType) {
    this.storage = storage;
    this.shape = shape;
    this.#strides = strides;
    this.offset = offset;
    this.dtype = dtype;
  }

  get strides(): number[] {
    return this.#strides;
  }
  /** Assigned strides are checked against the storage (a bad one would let kernels read out of it). */
  set strides(strides: number[]) {
    checkView("Tensor.strides", this.shape, strides, this.offset, this.storage.length);
    this.#strides = strides;
  }

  get isLeaf(): boolean {
    return this.gradFn === null;
  }
  get ndim(): number {
    return this.shape.length;
  }
  dim(): number {
    return this.shape.length;
  }
  numel(): number {
    return numelOf(this.shape);
  }
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    if (dim === undefined) return [...this.shape];
    return this.shape[dim < 0 ? dim + this.shape.length : dim];
  }
  stride(dim?: number): number[] | number {
    if (dim === undefined) return [...this.strides];
    return this.strides[dim < 0 ? dim + this.strides.length : dim];
  }
  storageOffset(): number {
    return this.offset;
  }
  elementSize(): number {
    return arrayFor(this.dtype, 0).BYTES_PER_ELEMENT;
  }

  /**
   * For a tensor off the CPU, its values in a CPU tensor, read synchronously where its device can
   * (wasm); else a DeviceError naming the async form. Null on the CPU. `op` names the caller.
   */
  private onHost(op: "item" | "tolist" | "typedArray"): Tensor | null {
    const device = this.storage.device;
    if (device === "cpu") return null;
    if (device === "meta")
      throw new DeviceError(`${op}: a meta tensor has no data (shape ${fmtShape(this.shape)}, dtype ${this.dtype})`);
    const host = backendFor(device).read(this);
    if (host instanceof Promise) {
      throw new DeviceError(
        `${op}: a ${device} tensor can only be read asynchronously; use await x.${op === "typedArray" ? "cpuAsync()" : `${op}Async()`}`,
      );
    }
    return fromTypedArray(host, this.shape, this.dtype);
  }

  isContiguous(): boolean {
    return isContiguousLayout(this.shape, this.strides);
  }
  isFloatingPoint(): boolean {
    return this.dtype === "float32" || this.dtype === "float64";
  }

  /** The contents as a fresh contiguous typed array (a copy; writing to it leaves the tensor alone). */
  typedArray(): TypedArray {
    const host = this.onHost("typedArray");
    if (host) return host.typedArray();
    const n = this.numel(),
      data = this.storage.data;
    if (this.isContiguous()) return data.slice(this.offset, this.offset + n);
    const out = arrayFor(this.dtype, n);
    const offsets = offsetsOf(this.shape, this.strides, this.offset);
    for (let i = 0; i < n; i++) out[i] = data[offsets[i]];
    return out;
  }

  /**
   * The value of a one-element tensor as a JS number, so `total += loss.item()` type-checks; a
   * bool tensor gives 1 or 0 (`Boolean(x.item())` or `x.tolist()` give booleans).
   */
  item(): number {
    if (this.numel() !== 1) {
      throw new ValueError(
        `item: a Tensor with ${this.numel()} elements cannot be converted to Scalar (shape ${fmtShape(this.shape)})`,
      );
    }
    const host = this.onHost("item");
    if (host) return host.item();
    return this.storage.data[this.offset];
  }

  /** Nested JS arrays of the contents, as torch's tolist. */
  tolist(): unknown {
    const host = this.onHost("tolist");
    if (host) return host.tolist();
    const data = this.storage.data,
      isBool = this.dtype === "bool";
    const rec = (d: number, off: number): unknown => {
      if (d === this.shape.length) return isBool ? data[off] !== 0 : data[off];
      const out = new Array<unknown>(this.shape[d]);
      for (let i = 0; i < this.shape[d]; i++) out[i] = rec(d + 1, off + i * this.strides[d]);
      return out;
    };
    return rec(0, this.offset);
  }
}

/** Wraps a typed array as a contiguous tensor without copying. */
export function fromTypedArray(data: TypedArray, shape?: readonly number[], dtype?: DType): Tensor {
  const dt = dtype ?? dtypeOfArray(data);
  const sh = shape ? [...shape] : [data.length];
  if (numelOf(sh) !== data.length) {
    throw new ValueError(`fromTypedArray: shape ${fmtShape(sh)} needs ${numelOf(sh)} elements, got ${data.length}`);
  }
  if (!arrayHolds(data, dt)) {
    throw new ValueError(`fromTypedArray: a ${data.constructor.name} cannot hold dtype ${dt}`);
  }
  return new Tensor(new CpuStorage(data), sh, contiguousStrides(sh), 0, dt);
}

/** A new view of `src`'s storage with other metadata. */
export function makeView(src: Tensor, shape: number[], strides: number[], offset: number): Tensor {
  const t = new Tensor(src.storage, shape, strides, offset, src.dtype);
  t.base = src.base ?? src;
  t.baseGradFn = t.base.gradFn;
  return t;
}
