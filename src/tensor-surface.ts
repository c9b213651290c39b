// More of torch.Tensor's surface that ported programs use: `x.data` (get and set) and index
// assignment with several index tensors (the new* factories and indexPut / indexPut_ are in
// tensor-methods-ext.ts). Importing this module installs them on Tensor.prototype.
import type { DType } from "./dtype.js";
import { CpuStorage, Tensor } from "./tensor.js";
import { ValueError } from "./errors.js";
import { type IndexSpec, basicIndex } from "./ops/indexing.js";
import { putAdvanced } from "./ops/advanced-index.js";
import { commit } from "./ops/inplace.js";
import { expand } from "./ops/view.js";
import { toDType } from "./ops/cast.js";
import { isTensor, scalarTensor } from "./ops/util.js";

declare module "./tensor.js" {
  interface Tensor {
    /**
     * The tensor's values without autograd history (PyTorch's .data): shares storage but, as in
     * PyTorch, not the version counter, so in-place changes through it are invisible to autograd.
     * Assigning replaces this tensor's storage, shape and dtype (PyTorch's set_data).
     */
    data: Tensor;
    /** Python's `x[specs] = value` (same specs as index(), several index tensors allowed); returns x. */
    indexSet_(specs: IndexSpec | readonly IndexSpec[], value: Tensor | number | boolean): Tensor;
  }
}

const methods: ThisType<Tensor> & Record<string, unknown> = {
  indexSet_(specs: IndexSpec | readonly IndexSpec[], value: Tensor | number | boolean) {
    const list: IndexSpec[] =
      Array.isArray(specs) && !specs.every((s) => typeof s === "number")
        ? [...(specs as IndexSpec[])]
        : [specs as IndexSpec];
    const { out, adv } = basicIndex(this, list);
    const v = isTensor(value)
      ? value.dtype === this.dtype
        ? value
        : toDType(value, this.dtype)
      : scalarTensor(value, this.dtype);
    if (adv.length === 0) commit(out, expand(v, out.shape), "index_put_");
    else commit(out, putAdvanced(out, adv, v, false), "index_put_");
    return this;
  },
};
Object.assign(Tensor.prototype, methods);

Object.defineProperty(Tensor.prototype, "data", {
  configurable: true,
  get(this: Tensor): Tensor {
    // The same memory under its own version counter (CPU); other devices share their storage object.
    const storage = this.storage instanceof CpuStorage ? new CpuStorage(this.storage.data) : this.storage;
    return new Tensor(storage, [...this.shape], [...this.strides], this.offset, this.dtype);
  },
  set(this: Tensor, src: Tensor) {
    if (!(src instanceof Tensor)) throw new ValueError("Tensor.data: assigned value must be a Tensor");
    if (this.requiresGrad && src.dtype !== this.dtype && !(src.dtype === "float32" || src.dtype === "float64")) {
      throw new ValueError(`Tensor.data: a tensor that requires grad cannot take data of dtype ${src.dtype}`);
    }
    (this as unknown as { dtype: DType }).dtype = src.dtype;
    this.storage = src.storage;
    (this as unknown as { shape: number[] }).shape = [...src.shape];
    this.strides = [...src.strides];
    this.offset = src.offset;
  },
});
