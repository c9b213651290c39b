// Activation modules over the functional ops.
import type { Tensor } from "../../tensor.js";
import { elu, gelu, leakyRelu, relu, sigmoid, silu, softplus, tanh, hardtanh, prelu, hardswish, hardsigmoid, mish, selu, logsigmoid, softsign, celu } from "../../ops/activation.js";
import { logSoftmax, softmax } from "../../ops/softmax.js";
import { Module } from "../module.js";
import { moduleArgs, py, pyFloat, type FactoryOptions } from "./util.js";
import { full } from "../../ops/creation.js";
import { Parameter } from "../parameter.js";

/** `inplace` is accepted for PyTorch compatibility; results are always fresh tensors here. */
type Inplace = [] | [boolean | { inplace?: boolean }];

export class ReLU extends Module {
  readonly inplace: boolean;
  constructor(...args: Inplace) {
    super();
    this.inplace = moduleArgs<{ inplace: boolean }>("ReLU", args, ["inplace"], { inplace: false }).inplace;
  }
  forward(input: Tensor): Tensor {
    return relu(input);
  }
  override extraRepr(): string {
    return this.inplace ? "inplace=True" : "";
  }
}

export class LeakyReLU extends Module {
  readonly negativeSlope: number;
  readonly inplace: boolean;
  constructor(...args: [] | [number | { negativeSlope?: number; inplace?: boolean }] | [number, boolean]) {
    super();
    const o = moduleArgs<{ negativeSlope: number; inplace: boolean }>("LeakyReLU", args, ["negativeSlope", "inplace"], { negativeSlope: 0.01, inplace: false });
    this.negativeSlope = o.negativeSlope;
    this.inplace = o.inplace;
  }
  forward(input: Tensor): Tensor {
    return leakyRelu(input, this.negativeSlope);
  }
  override extraRepr(): string {
    return `negative_slope=${pyFloat(this.negativeSlope)}${this.inplace ? ", inplace=True" : ""}`;
  }
}

export class ELU extends Module {
  readonly alpha: number;
  constructor(...args: [] | [number | { alpha?: number; inplace?: boolean }]) {
    super();
    this.alpha = moduleArgs<{ alpha: number; inplace: boolean }>("ELU", args, ["alpha", "inplace"], { alpha: 1 }).alpha;
  }
  forward(input: Tensor): Tensor {
    return elu(input, this.alpha);
  }
  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}`;
  }
}

export class GELU extends Module {
  readonly approximate: "none" | "tanh";
  constructor(...args: [] | ["none" | "tanh" | { approximate?: "none" | "tanh" }]) {
    super();
    this.approximate = moduleArgs<{ approximate: "none" | "tanh" }>("GELU", args, ["approximate"], { approximate: "none" }).approximate;
  }
  forward(input: Tensor): Tensor {
    return gelu(input, this.approximate);
  }
  override extraRepr(): string {
    return `approximate=${py(this.approximate)}`;
  }
}

export class SiLU extends Module {
  constructor(..._args: Inplace) {
    super();
  }
  forward(input: Tensor): Tensor {
    return silu(input);
  }
}

export class Sigmoid extends Module {
  forward(input: Tensor): Tensor {
    return sigmoid(input);
  }
}

export class Tanh extends Module {
  forward(input: Tensor): Tensor {
    return tanh(input);
  }
}

export class Softplus extends Module {
  readonly beta: number;
  readonly threshold: number;
  constructor(...args: [] | [number | { beta?: number; threshold?: number }] | [number, number]) {
    super();
    const o = moduleArgs<{ beta: number; threshold: number }>("Softplus", args, ["beta", "threshold"], { beta: 1, threshold: 20 });
    this.beta = o.beta;
    this.threshold = o.threshold;
  }
  forward(input: Tensor): Tensor {
    return softplus(input, this.beta, this.threshold);
  }
}

export class Hardtanh extends Module {
  readonly minVal: number;
  readonly maxVal: number;
  constructor(...args: [] | [number | { minVal?: number; maxVal?: number }] | [number, number]) {
    super();
    const o = moduleArgs<{ minVal: number; maxVal: number }>("Hardtanh", args, ["minVal", "maxVal"], { minVal: -1, maxVal: 1 });
    this.minVal = o.minVal;
    this.maxVal = o.maxVal;
  }
  forward(input: Tensor): Tensor {
    return hardtanh(input, this.minVal, this.maxVal);
  }
}

export class ReLU6 extends Hardtanh {
  constructor(..._args: Inplace) {
    super(0, 6);
  }
}

function dimOf(name: string, args: readonly unknown[]): number | null {
  return moduleArgs<{ dim: number | null }>(name, args, ["dim"], { dim: null }).dim;
}
function implicitDim(x: Tensor): number {
  // PyTorch's legacy _get_softmax_dim for dim=None.
  return x.dim() === 0 || x.dim() === 1 || x.dim() === 3 ? 0 : 1;
}

export class Softmax extends Module {
  readonly dim: number | null;
  constructor(...args: [] | [number | null | { dim?: number | null }]) {
    super();
    this.dim = dimOf("Softmax", args);
  }
  forward(input: Tensor): Tensor {
    return softmax(input, this.dim ?? implicitDim(input));
  }
  override extraRepr(): string {
    return `dim=${py(this.dim)}`;
  }
}

export class LogSoftmax extends Module {
  readonly dim: number | null;
  constructor(...args: [] | [number | null | { dim?: number | null }]) {
    super();
    this.dim = dimOf("LogSoftmax", args);
  }
  forward(input: Tensor): Tensor {
    return logSoftmax(input, this.dim ?? implicitDim(input));
  }
  override extraRepr(): string {
    return `dim=${py(this.dim)}`;
  }
}

/** PReLU with numParameters slopes initialised to `init` (0.25). */
export class PReLU extends Module {
  readonly numParameters: number;
  weight: Parameter;
  constructor(opts: FactoryOptions & { numParameters?: number; init?: number } = {}) {
    super();
    this.numParameters = opts.numParameters ?? 1;
    this.weight = new Parameter(full([this.numParameters], opts.init ?? 0.25, { dtype: opts.dtype ?? "float32" }));
  }
  forward(input: Tensor): Tensor {
    return prelu(input, this.weight);
  }
  override extraRepr(): string {
    return `num_parameters=${this.numParameters}`;
  }
}

/** Activations without options (`inplace` is accepted and ignored, as results are fresh tensors). */
abstract class Elementwise extends Module {
  constructor(..._inplace: [] | [boolean | { inplace?: boolean }]) {
    super();
  }
  protected abstract fn(x: Tensor): Tensor;
  forward(input: Tensor): Tensor {
    return this.fn(input);
  }
}
export class Hardswish extends Elementwise { protected fn(x: Tensor): Tensor { return hardswish(x); } }
export class Hardsigmoid extends Elementwise { protected fn(x: Tensor): Tensor { return hardsigmoid(x); } }
export class Mish extends Elementwise { protected fn(x: Tensor): Tensor { return mish(x); } }
export class SELU extends Elementwise { protected fn(x: Tensor): Tensor { return selu(x); } }
export class LogSigmoid extends Elementwise { protected fn(x: Tensor): Tensor { return logsigmoid(x); } }
export class Softsign extends Elementwise { protected fn(x: Tensor): Tensor { return softsign(x); } }

export class CELU extends Module {
  readonly alpha: number;
  constructor(...args: [] | [number | { alpha?: number; inplace?: boolean }]) {
    super();
    this.alpha = moduleArgs<{ alpha: number; inplace: boolean }>("CELU", args, ["alpha", "inplace"], { alpha: 1 }).alpha;
  }
  forward(input: Tensor): Tensor {
    return celu(input, this.alpha);
  }
  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}`;
  }
}
