// Dropout1d, Dropout3d, AlphaDropout, FeatureAlphaDropout, MaxUnpool1d/2d/3d, LazyLinear,
// ParameterList, ParameterDict, NLLLoss2d (torch.nn 1.13 semantics; the random masks come from
// PyTorch's bernoulli_ stream).
import { Tensor } from "../../tensor.js";
import { IndexError, ShapeError, ValueError, fmtShape } from "../../errors.js";
import { empty, zeros } from "../../ops/creation.js";
import { dropout2d } from "../../ops/dropout.js";
import { linear } from "../../ops/linear.js";
import { noGrad } from "../../autograd/grad-mode.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { defaultLayerInit } from "../init.js";
import { NLLLoss } from "./loss.js";
import { moduleArgs, py, pyFloat } from "./util.js";

type Rec = Record<string, unknown>;

/** F.dropout1d / dropout3d: one mask value per (sample, channel), as PyTorch's feature_dropout (unbatched input gets a batch dim first). */
export function featureDropout(
  name: string,
  input: Tensor,
  p: number,
  training: boolean,
  dims: [number, number],
): Tensor {
  const nd = input.dim();
  if (nd !== dims[0] && nd !== dims[1])
    throw new ShapeError(
      `${name}: Expected ${dims[0]}D or ${dims[1]}D input, but received a ${nd}D input (${fmtShape(input.shape)})`,
    );
  if (nd === dims[0]) return dropout2d(input.unsqueeze(0), p, training).squeeze(0);
  return dropout2d(input, p, training);
}

/** F.alpha_dropout / feature_alpha_dropout (PyTorch's _dropout_impl with alpha). */
export function alphaDropout(input: Tensor, p = 0.5, training = false, feature = false): Tensor {
  if (!(p >= 0 && p <= 1))
    throw new ValueError(`alpha_dropout: dropout probability has to be between 0 and 1, but got ${p}`);
  if (p === 0 || !training || input.numel() === 0) return input;
  if (p === 1) return input.mul(0);
  const shape = feature ? input.shape.map((s, i) => (i < 2 ? s : 1)) : input.shape;
  const noise = noGrad(() => empty(shape, { dtype: input.dtype }).bernoulli_(1 - p));
  const alpha = 1.7580993408473766;
  const a = 1 / Math.sqrt((alpha * alpha * p + 1) * (1 - p));
  const b = noise
    .add(-1)
    .mul(alpha * a)
    .add(alpha * a * p);
  return input.mul(noise.mul(a)).add(b);
}

abstract class DropoutLike extends Module {
  readonly p: number;
  readonly inplace: boolean;
  constructor(...args: unknown[]) {
    super();
    const o = moduleArgs<{ p: number; inplace: boolean }>(this.constructor.name, args, ["p", "inplace"], {
      p: 0.5,
      inplace: false,
    });
    if (!(o.p >= 0 && o.p <= 1))
      throw new ValueError(`${this.constructor.name}: dropout probability has to be between 0 and 1, but got ${o.p}`);
    [this.p, this.inplace] = [o.p, o.inplace];
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${py(this.inplace)}`;
  }
}
export class Dropout1d extends DropoutLike {
  forward(input: Tensor): Tensor {
    return featureDropout("dropout1d", input, this.p, this.training, [2, 3]);
  }
}
export class Dropout3d extends DropoutLike {
  forward(input: Tensor): Tensor {
    return featureDropout("dropout3d", input, this.p, this.training, [4, 5]);
  }
}
export class AlphaDropout extends DropoutLike {
  forward(input: Tensor): Tensor {
    return alphaDropout(input, this.p, this.training, false);
  }
}
export class FeatureAlphaDropout extends DropoutLike {
  forward(input: Tensor): Tensor {
    return alphaDropout(input, this.p, this.training, true);
  }
}

/** F.max_unpoolNd: the values written back at their max-pooling indices (per plane), zeros elsewhere. */
export function maxUnpool(
  nd: number,
  input: Tensor,
  indices: Tensor,
  kernelSize: number | number[],
  stride: number | number[] | null = null,
  padding: number | number[] = 0,
  outputSize: number[] | null = null,
): Tensor {
  const tup = (v: number | number[]) => (typeof v === "number" ? new Array<number>(nd).fill(v) : v);
  const k = tup(kernelSize),
    s = stride === null ? k : tup(stride),
    p = tup(padding);
  const batched = input.dim() === nd + 2;
  const x = batched ? input : input.unsqueeze(0),
    idx = batched ? indices : indices.unsqueeze(0);
  const inSp = x.shape.slice(2);
  const def = inSp.map((n, i) => (n - 1) * s[i] - 2 * p[i] + k[i]);
  const out = outputSize === null ? def : outputSize.slice(-nd);
  const [N, C] = x.shape;
  const plane = out.reduce((a, b) => a * b, 1);
  const flatIdx = idx.reshape(N, C, -1);
  const mx = flatIdx.numel() ? Math.max(...Array.from(flatIdx.typedArray(), Number)) : 0;
  if (mx >= plane)
    throw new IndexError(
      `max_unpool${nd}d: found an invalid max index ${mx} (output volumes are of size ${fmtShape(out)})`,
    );
  const y = zeros([N, C, plane], { dtype: x.dtype })
    .scatter(2, flatIdx, x.reshape(N, C, -1))
    .reshape([N, C, ...out]);
  return batched ? y : y.squeeze(0);
}

abstract class MaxUnpoolNd extends Module {
  protected abstract readonly nd: number;
  readonly kernelSize: number | number[];
  readonly stride: number | number[] | null;
  readonly padding: number | number[];
  constructor(kernelSize: number | number[], ...args: unknown[]) {
    super();
    const o = moduleArgs<{ stride: number | number[] | null; padding: number | number[] } & Rec>(
      this.constructor.name,
      args,
      ["stride", "padding"],
      { stride: null, padding: 0 },
    );
    [this.kernelSize, this.stride, this.padding] = [kernelSize, o.stride ?? kernelSize, o.padding];
  }
  forward(input: Tensor, indices: Tensor, outputSize: number[] | null = null): Tensor {
    return maxUnpool(this.nd, input, indices, this.kernelSize, this.stride, this.padding, outputSize);
  }
  override extraRepr(): string {
    return `kernel_size=${py(this.kernelSize)}, stride=${py(this.stride)}, padding=${py(this.padding)}`;
  }
}
export class MaxUnpool1d extends MaxUnpoolNd {
  protected readonly nd = 1;
}
export class MaxUnpool2d extends MaxUnpoolNd {
  protected readonly nd = 2;
}
export class MaxUnpool3d extends MaxUnpoolNd {
  protected readonly nd = 3;
}

/** nn.LazyLinear(outFeatures, bias = true): inFeatures from the first input's last dim. */
export class LazyLinear extends Module {
  inFeatures = 0;
  readonly outFeatures: number;
  weight: Parameter;
  bias: Parameter | null;
  private materialized = false;
  constructor(outFeatures: number, ...args: unknown[]) {
    super();
    const o = moduleArgs<{ bias: boolean; dtype: "float32" | "float64" }>("LazyLinear", args, ["bias", "dtype"], {
      bias: true,
      dtype: "float32",
    });
    this.outFeatures = outFeatures;
    this.weight = new Parameter(zeros([0], { dtype: o.dtype }));
    this.bias = o.bias ? new Parameter(zeros([0], { dtype: o.dtype })) : null;
  }
  hasUninitializedParams(): boolean {
    return !this.materialized;
  }
  forward(input: Tensor): Tensor {
    if (!this.materialized) {
      this.inFeatures = input.shape[input.dim() - 1];
      const dt = this.weight.dtype;
      this.weight = new Parameter(zeros([this.outFeatures, this.inFeatures], { dtype: dt }));
      if (this.bias) this.bias = new Parameter(zeros([this.outFeatures], { dtype: dt }));
      defaultLayerInit(this.weight, this.bias);
      this.materialized = true;
    }
    return linear(input, this.weight, this.bias);
  }
}

/** nn.ParameterList: parameters under "0", "1", … (stateDict keys as PyTorch's). */
export class ParameterList extends Module {
  constructor(values: Iterable<Tensor> = []) {
    super();
    for (const v of values) this.append(v);
  }
  override get length(): number {
    return Object.keys(this).filter((k) => /^\d+$/.test(k)).length;
  }
  append(v: Tensor): this {
    this.registerParameter(String(this.length), v instanceof Parameter ? v : new Parameter(v));
    return this;
  }
  extend(vs: Iterable<Tensor>): this {
    for (const v of vs) this.append(v);
    return this;
  }
  at(i: number): Parameter {
    const n = this.length;
    if (!Number.isInteger(i) || i < -n || i >= n)
      throw new IndexError(`ParameterList.at: index ${i} is out of range for ${n} parameters`);
    return (this as unknown as Record<string, Parameter>)[String(i < 0 ? i + n : i)];
  }
  [Symbol.iterator](): Iterator<Parameter> {
    return Array.from({ length: this.length }, (_, i) => this.at(i))[Symbol.iterator]();
  }
  forward(): never {
    throw new ValueError("ParameterList: a container has no forward");
  }
}

/** nn.ParameterDict: parameters under their keys. */
export class ParameterDict extends Module {
  constructor(values: Record<string, Tensor> | Iterable<[string, Tensor]> = {}) {
    super();
    const entries = Symbol.iterator in values ? [...(values as Iterable<[string, Tensor]>)] : Object.entries(values);
    for (const [k, v] of entries) this.set(k, v);
  }
  set(key: string, v: Tensor): void {
    this.registerParameter(key, v instanceof Parameter ? v : new Parameter(v));
  }
  get(key: string): Parameter | undefined {
    return (this as unknown as Record<string, Parameter | undefined>)[key];
  }
  keys(): string[] {
    return this.namedParameters({ recurse: false }).map(([k]) => k);
  }
  forward(): never {
    throw new ValueError("ParameterDict: a container has no forward");
  }
}

/** nn.NLLLoss2d: the deprecated alias of NLLLoss. */
export class NLLLoss2d extends NLLLoss {}
