// Conv3d, ConvTranspose1d, ConvTranspose3d and the Lazy convolutions (in_channels taken from
// the first input, as PyTorch's LazyConv*d; parameters are created and initialised then).
// Arguments: torch's positional order, or a trailing options object.
import { Tensor } from "../../tensor.js";
import { ValueError } from "../../errors.js";
import { zeros } from "../../ops/creation.js";
import { noGrad } from "../../autograd/grad-mode.js";
import { conv1d, conv2d, convTranspose2d, type ConvPadding } from "../../ops/conv.js";
import { conv3d, convTranspose1d, convTranspose3d } from "../../ops/conv-nd.js";
import { Parameter } from "../parameter.js";
import { ConvNd, type ConvOptions, type ConvTransposeOptions } from "./conv.js";
import { moduleArgs } from "./util.js";

type T = number | readonly number[];
type Rec = Record<string, unknown>;
const CONV_NAMES = ["stride", "padding", "dilation", "groups", "bias", "paddingMode", "dtype"] as const;
const CONVT_NAMES = [
  "stride",
  "padding",
  "outputPadding",
  "groups",
  "bias",
  "dilation",
  "paddingMode",
  "dtype",
] as const;

const convOpts = (name: string, args: readonly unknown[]): ConvOptions =>
  moduleArgs<ConvOptions & Rec>(name, args, [...CONV_NAMES], {});
const convTOpts = (name: string, args: readonly unknown[]): ConvTransposeOptions =>
  moduleArgs<ConvTransposeOptions & Rec>(name, args, [...CONVT_NAMES], {});

/** nn.Conv3d(inChannels, outChannels, kernelSize, stride, padding, dilation, groups, bias, paddingMode). */
export class Conv3d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: T, ...args: unknown[]) {
    super(3, false, {
      ...convOpts("Conv3d", args),
      inChannels: inChannels,
      outChannels: outChannels,
      kernelSize: kernelSize,
    });
  }
  forward(input: Tensor): Tensor {
    const [x, p] = this.prepared(input);
    return conv3d(x, this.weight, this.bias, this.stride, p, this.dilation, this.groups);
  }
}

/** outputSize → the output padding that gives it (PyTorch's _output_padding). */
function outputPaddingFor(m: ConvNd, name: string, input: Tensor, outputSize: readonly number[] | undefined): number[] {
  if (!outputSize) return m.outputPadding;
  const n = m.kernelSize.length;
  const want = outputSize.slice(-n),
    pad = m.padding as number[];
  return want.map((w, i) => {
    const minSize =
      (input.shape[input.dim() - n + i] - 1) * m.stride[i] - 2 * pad[i] + m.dilation[i] * (m.kernelSize[i] - 1) + 1;
    const extra = w - minSize;
    if (extra < 0 || extra >= Math.max(m.stride[i], m.dilation[i])) {
      throw new ValueError(
        `${name}: requested an output size of ${JSON.stringify(outputSize)}, but valid sizes range from ${minSize} to ${minSize + Math.max(m.stride[i], m.dilation[i]) - 1} on dim ${i}`,
      );
    }
    return extra;
  });
}

/** The convolution functions by spatial rank: one table for the eager and the lazy modules. */
type ConvFn = (x: Tensor, w: Tensor, b: Tensor | null, s: number[], p: ConvPadding, d: number[], g: number) => Tensor;
type ConvTFn = (
  x: Tensor,
  w: Tensor,
  b: Tensor | null,
  s: number[],
  p: number[],
  op: number[],
  g: number,
  d: number[],
) => Tensor;
const CONV: Record<number, ConvFn> = { 1: conv1d, 2: conv2d, 3: conv3d };
const CONV_T: Record<number, ConvTFn> = { 1: convTranspose1d, 2: convTranspose2d, 3: convTranspose3d };

/** A transposed convolution's forward, with PyTorch's `output_size` argument. */
function transposedForward(m: ConvNd, name: string, input: Tensor, outputSize?: readonly number[]): Tensor {
  const op = outputPaddingFor(m, name, input, outputSize);
  const f = CONV_T[m.kernelSize.length];
  return f(input, m.weight, m.bias, m.stride, m.padding as number[], op, m.groups, m.dilation);
}

/** nn.ConvTranspose1d(inChannels, outChannels, kernelSize, stride, padding, outputPadding, groups, bias, dilation). */
export class ConvTranspose1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: T, ...args: unknown[]) {
    super(1, true, { ...convTOpts("ConvTranspose1d", args), inChannels, outChannels, kernelSize });
  }
  forward(input: Tensor, outputSize?: readonly number[]): Tensor {
    return transposedForward(this, "ConvTranspose1d", input, outputSize);
  }
}

/** nn.ConvTranspose3d(inChannels, outChannels, kernelSize, stride, padding, outputPadding, groups, bias, dilation). */
export class ConvTranspose3d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: T, ...args: unknown[]) {
    super(3, true, { ...convTOpts("ConvTranspose3d", args), inChannels, outChannels, kernelSize });
  }
  forward(input: Tensor, outputSize?: readonly number[]): Tensor {
    return transposedForward(this, "ConvTranspose3d", input, outputSize);
  }
}

/**
 * The lazy convolutions: constructed without inChannels; the first forward reads it from the
 * input (dim 1, or dim 0 unbatched), creates the weight (and bias) and initialises them as the
 * eager module would. Until then `weight` is an empty placeholder.
 */
abstract class LazyConvNd extends ConvNd {
  /** Set by the first forward; undefined while ConvNd's constructor runs, so no draw happens then. */
  private materialized?: boolean;
  protected constructor(
    private readonly label: string,
    private readonly nd: number,
    transposed: boolean,
    outChannels: number,
    kernelSize: T,
    opts: ConvOptions & { outputPadding?: T },
  ) {
    super(nd, transposed, { ...opts, inChannels: opts.groups ?? 1, outChannels: outChannels, kernelSize: kernelSize });
    this.transposedFlag = transposed;
  }
  private readonly transposedFlag: boolean;
  /** Creates the parameters for an input with `inChannels` channels. */
  protected materialize(input: Tensor): void {
    if (this.materialized) return;
    const inChannels = input.shape[input.dim() === this.nd + 1 ? 0 : 1];
    const self = this as unknown as { inChannels: number };
    self.inChannels = inChannels;
    const shape = this.transposedFlag
      ? [inChannels, this.outChannels / this.groups, ...this.kernelSize]
      : [this.outChannels, inChannels / this.groups, ...this.kernelSize];
    noGrad(() => {
      this.weight = new Parameter(zeros(shape, { dtype: this.weight.dtype }));
    });
    this.materialized = true;
    this.resetParameters();
  }
  /** PyTorch initialises lazy parameters only once their shape is known. */
  override resetParameters(): void {
    if (this.materialized) super.resetParameters();
  }
  /** True until the first forward has created the parameters. */
  hasUninitializedParams(): boolean {
    return !this.materialized;
  }
  forward(input: Tensor, outputSize?: readonly number[]): Tensor {
    this.materialize(input);
    if (this.transposedFlag) return transposedForward(this, this.label, input, outputSize);
    const [x, p] = this.prepared(input);
    return CONV[this.nd](x, this.weight, this.bias, this.stride, p, this.dilation, this.groups);
  }
}

type Opts = readonly unknown[];
/** nn.LazyConv1d(outChannels, kernelSize, stride, padding, dilation, groups, bias, paddingMode). */
export class LazyConv1d extends LazyConvNd {
  constructor(outChannels: number, kernelSize: T, ...args: Opts) {
    super("LazyConv1d", 1, false, outChannels, kernelSize, convOpts("LazyConv1d", args));
  }
}
/** nn.LazyConv2d(outChannels, kernelSize, …). */
export class LazyConv2d extends LazyConvNd {
  constructor(outChannels: number, kernelSize: T, ...args: Opts) {
    super("LazyConv2d", 2, false, outChannels, kernelSize, convOpts("LazyConv2d", args));
  }
}
/** nn.LazyConv3d(outChannels, kernelSize, …). */
export class LazyConv3d extends LazyConvNd {
  constructor(outChannels: number, kernelSize: T, ...args: Opts) {
    super("LazyConv3d", 3, false, outChannels, kernelSize, convOpts("LazyConv3d", args));
  }
}
/** nn.LazyConvTranspose1d(outChannels, kernelSize, stride, padding, outputPadding, groups, bias, dilation). */
export class LazyConvTranspose1d extends LazyConvNd {
  constructor(outChannels: number, kernelSize: T, ...args: Opts) {
    super("LazyConvTranspose1d", 1, true, outChannels, kernelSize, convTOpts("LazyConvTranspose1d", args));
  }
}
/** nn.LazyConvTranspose2d(outChannels, kernelSize, …). */
export class LazyConvTranspose2d extends LazyConvNd {
  constructor(outChannels: number, kernelSize: T, ...args: Opts) {
    super("LazyConvTranspose2d", 2, true, outChannels, kernelSize, convTOpts("LazyConvTranspose2d", args));
  }
}
/** nn.LazyConvTranspose3d(outChannels, kernelSize, …). */
export class LazyConvTranspose3d extends LazyConvNd {
  constructor(outChannels: number, kernelSize: T, ...args: Opts) {
    super("LazyConvTranspose3d", 3, true, outChannels, kernelSize, convTOpts("LazyConvTranspose3d", args));
  }
}
