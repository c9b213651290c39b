// Activation modules over the functional ops.
import type { Tensor } from "../../tensor.js";
import {
  elu,
  gelu,
  leakyRelu,
  relu,
  sigmoid,
  silu,
  softplus,
  tanh,
  hardtanh,
  prelu,
  hardswish,
  hardsigmoid,
  mish,
  selu,
  logsigmoid,
  softsign,
  celu,
} from "../../ops/activation.js";
import { logSoftmax, softmax } from "../../ops/softmax.js";
import { Module } from "../module.js";
import { factoryDefaults, factoryDType, py, pyFloat, type FactoryOptions } from "./util.js";
import { type ArgsOf, signature } from "../../internal/args.js";
import { full } from "../../ops/creation.js";
import { Parameter } from "../parameter.js";

// `inplace` is accepted for PyTorch compatibility; results are always fresh tensors here.
type Inplace = { inplace?: boolean };
const inplaceArgs = (name: string) => signature<Inplace>()(name, ["inplace"], { inplace: false });
const noArgs = (name: string) => signature<Record<never, never>>()(name, [], {});
const reluArgs = inplaceArgs("ReLU");
const leakyReluArgs = signature<{ negativeSlope?: number } & Inplace>()("LeakyReLU", ["negativeSlope", "inplace"], {
  negativeSlope: 0.01,
  inplace: false,
});
const eluArgs = signature<{ alpha?: number } & Inplace>()("ELU", ["alpha", "inplace"], { alpha: 1, inplace: false });
const celuArgs = signature<{ alpha?: number } & Inplace>()("CELU", ["alpha", "inplace"], { alpha: 1, inplace: false });
const geluArgs = signature<{ approximate?: "none" | "tanh" }>()("GELU", ["approximate"], { approximate: "none" });
const siluArgs = inplaceArgs("SiLU");
const sigmoidArgs = noArgs("Sigmoid");
const tanhArgs = noArgs("Tanh");
const softplusArgs = signature<{ beta?: number; threshold?: number }>()("Softplus", ["beta", "threshold"], {
  beta: 1,
  threshold: 20,
});
/** torch's Hardtanh also takes the deprecated min_value / max_value, which win when given. */
interface HardtanhParams extends Inplace {
  minVal?: number;
  maxVal?: number;
  minValue?: number | null;
  maxValue?: number | null;
}
const hardtanhArgs = signature<HardtanhParams>()("Hardtanh", ["minVal", "maxVal", "inplace", "minValue", "maxValue"], {
  minVal: -1,
  maxVal: 1,
  inplace: false,
  minValue: null,
  maxValue: null,
});
const relu6Args = inplaceArgs("ReLU6");
const softmaxArgs = signature<{ dim?: number | null }>()("Softmax", ["dim"], { dim: null });
const logSoftmaxArgs = softmaxArgs.as("LogSoftmax");
const preluArgs = signature<FactoryOptions & { numParameters?: number; init?: number }>()(
  "PReLU",
  ["numParameters", "init", "device", "dtype"],
  { numParameters: 1, init: 0.25, ...factoryDefaults },
);
const elementwiseArgs = {
  Hardswish: inplaceArgs("Hardswish"),
  Hardsigmoid: inplaceArgs("Hardsigmoid"),
  Mish: inplaceArgs("Mish"),
  SELU: inplaceArgs("SELU"),
  LogSigmoid: noArgs("LogSigmoid"),
  Softsign: noArgs("Softsign"),
};

export class ReLU extends Module {
  readonly inplace: boolean;
  constructor(...args: ArgsOf<typeof reluArgs>) {
    super();
    this.inplace = reluArgs.parse(args).inplace;
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
  constructor(...args: ArgsOf<typeof leakyReluArgs>) {
    super();
    const o = leakyReluArgs.parse(args);
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
  constructor(...args: ArgsOf<typeof eluArgs>) {
    super();
    this.alpha = eluArgs.parse(args).alpha;
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
  constructor(...args: ArgsOf<typeof geluArgs>) {
    super();
    this.approximate = geluArgs.parse(args).approximate;
  }
  forward(input: Tensor): Tensor {
    return gelu(input, this.approximate);
  }
  override extraRepr(): string {
    return `approximate=${py(this.approximate)}`;
  }
}

export class SiLU extends Module {
  constructor(...args: ArgsOf<typeof siluArgs>) {
    super();
    siluArgs.parse(args);
  }
  forward(input: Tensor): Tensor {
    return silu(input);
  }
}

export class Sigmoid extends Module {
  constructor(...args: ArgsOf<typeof sigmoidArgs>) {
    super();
    sigmoidArgs.parse(args);
  }
  forward(input: Tensor): Tensor {
    return sigmoid(input);
  }
}

export class Tanh extends Module {
  constructor(...args: ArgsOf<typeof tanhArgs>) {
    super();
    tanhArgs.parse(args);
  }
  forward(input: Tensor): Tensor {
    return tanh(input);
  }
}

export class Softplus extends Module {
  readonly beta: number;
  readonly threshold: number;
  constructor(...args: ArgsOf<typeof softplusArgs>) {
    super();
    const o = softplusArgs.parse(args);
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
  constructor(...args: ArgsOf<typeof hardtanhArgs>) {
    super();
    const o = hardtanhArgs.parse(args);
    this.minVal = o.minValue ?? o.minVal;
    this.maxVal = o.maxValue ?? o.maxVal;
  }
  forward(input: Tensor): Tensor {
    return hardtanh(input, this.minVal, this.maxVal);
  }
}

export class ReLU6 extends Hardtanh {
  constructor(...args: ArgsOf<typeof relu6Args>) {
    relu6Args.parse(args);
    super(0, 6);
  }
}

function implicitDim(x: Tensor): number {
  // PyTorch's legacy _get_softmax_dim for dim=None.
  return x.dim() === 0 || x.dim() === 1 || x.dim() === 3 ? 0 : 1;
}

export class Softmax extends Module {
  readonly dim: number | null;
  constructor(...args: ArgsOf<typeof softmaxArgs>) {
    super();
    this.dim = softmaxArgs.parse(args).dim;
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
  constructor(...args: ArgsOf<typeof logSoftmaxArgs>) {
    super();
    this.dim = logSoftmaxArgs.parse(args).dim;
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
  constructor(...args: ArgsOf<typeof preluArgs>) {
    super();
    const opts = preluArgs.parse(args);
    this.numParameters = opts.numParameters;
    this.weight = new Parameter(full([this.numParameters], opts.init, { dtype: factoryDType("PReLU", opts) }));
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
  constructor(args: readonly unknown[]) {
    super();
    elementwiseArgs[this.constructor.name as keyof typeof elementwiseArgs].parse(args);
  }
  protected abstract fn(x: Tensor): Tensor;
  forward(input: Tensor): Tensor {
    return this.fn(input);
  }
}
export class Hardswish extends Elementwise {
  constructor(...args: ArgsOf<typeof elementwiseArgs.Hardswish>) {
    super(args);
  }
  protected fn(x: Tensor): Tensor {
    return hardswish(x);
  }
}
export class Hardsigmoid extends Elementwise {
  constructor(...args: ArgsOf<typeof elementwiseArgs.Hardsigmoid>) {
    super(args);
  }
  protected fn(x: Tensor): Tensor {
    return hardsigmoid(x);
  }
}
export class Mish extends Elementwise {
  constructor(...args: ArgsOf<typeof elementwiseArgs.Mish>) {
    super(args);
  }
  protected fn(x: Tensor): Tensor {
    return mish(x);
  }
}
export class SELU extends Elementwise {
  constructor(...args: ArgsOf<typeof elementwiseArgs.SELU>) {
    super(args);
  }
  protected fn(x: Tensor): Tensor {
    return selu(x);
  }
}
export class LogSigmoid extends Elementwise {
  constructor(...args: ArgsOf<typeof elementwiseArgs.LogSigmoid>) {
    super(args);
  }
  protected fn(x: Tensor): Tensor {
    return logsigmoid(x);
  }
}
export class Softsign extends Elementwise {
  constructor(...args: ArgsOf<typeof elementwiseArgs.Softsign>) {
    super(args);
  }
  protected fn(x: Tensor): Tensor {
    return softsign(x);
  }
}

export class CELU extends Module {
  readonly alpha: number;
  constructor(...args: ArgsOf<typeof celuArgs>) {
    super();
    this.alpha = celuArgs.parse(args).alpha;
  }
  forward(input: Tensor): Tensor {
    return celu(input, this.alpha);
  }
  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}`;
  }
}
