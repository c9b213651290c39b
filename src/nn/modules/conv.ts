// Conv1d, Conv2d, ConvTranspose2d with all of PyTorch's options (stride, padding as int, tuple,
// 'same' or 'valid', dilation, groups, bias, paddingMode zeros/reflect/replicate/circular).
import { Tensor } from "../../tensor.js";
import { ValueError } from "../../errors.js";
import { zeros } from "../../ops/creation.js";
import { type ConvPadding, conv1d, conv2d, convTranspose2d } from "../../ops/conv.js";
import { type PadMode, pad } from "../../ops/pad.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { defaultLayerInit } from "../init.js";
import { type FactoryOptions, factoryDefaults, factoryDType, ntuple, py } from "./util.js";
import { type ArgsOf, signature } from "../../internal/args.js";

export type PaddingMode = "zeros" | "reflect" | "replicate" | "circular";

export interface ConvOptions extends FactoryOptions {
  stride?: number | readonly number[];
  padding?: ConvPadding;
  dilation?: number | readonly number[];
  groups?: number;
  bias?: boolean;
  paddingMode?: PaddingMode;
}

interface ConvSizes {
  inChannels: number;
  outChannels: number;
  kernelSize: number | readonly number[];
}
/** Conv1d / Conv2d's parameters: torch's (in_channels, out_channels, kernel_size, stride, …). */
export interface ConvParams extends ConvOptions, ConvSizes {}
const CONV_NAMES = [
  "inChannels",
  "outChannels",
  "kernelSize",
  "stride",
  "padding",
  "dilation",
  "groups",
  "bias",
  "paddingMode",
  "device",
  "dtype",
] as const;
const CONV_DEFAULTS = {
  stride: 1,
  padding: 0,
  dilation: 1,
  groups: 1,
  bias: true,
  paddingMode: "zeros",
  ...factoryDefaults,
} as const;
const conv1dArgs = signature<ConvParams>()("Conv1d", CONV_NAMES, CONV_DEFAULTS);
const conv2dArgs = signature<ConvParams>()("Conv2d", CONV_NAMES, CONV_DEFAULTS);

export abstract class ConvNd extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[] | "same" | "valid";
  readonly dilation: number[];
  readonly outputPadding: number[];
  readonly groups: number;
  readonly paddingMode: PaddingMode;
  weight: Parameter;
  bias: Parameter | null;

  constructor(n: number, transposed: boolean, opts: ConvParams & { outputPadding?: number | readonly number[] }) {
    super();
    const name = this.constructor.name;
    const { inChannels, outChannels, kernelSize } = opts;
    const groups = opts.groups ?? 1;
    if (!Number.isInteger(groups) || groups <= 0)
      throw new ValueError(`${name}: groups must be a positive integer, got ${groups}`);
    if (inChannels % groups !== 0)
      throw new ValueError(`${name}: in_channels (${inChannels}) must be divisible by groups (${groups})`);
    if (outChannels % groups !== 0)
      throw new ValueError(`${name}: out_channels (${outChannels}) must be divisible by groups (${groups})`);
    const padding = opts.padding ?? 0;
    const stride = ntuple(opts.stride ?? 1, n);
    if (typeof padding === "string") {
      if (padding !== "same" && padding !== "valid")
        throw new ValueError(`${name}: invalid padding string '${padding}', should be one of {'valid', 'same'}`);
      if (padding === "same" && stride.some((s) => s !== 1))
        throw new ValueError(`${name}: padding='same' is not supported for strided convolutions`);
    }
    const mode = opts.paddingMode ?? "zeros";
    if (!["zeros", "reflect", "replicate", "circular"].includes(mode))
      throw new ValueError(`${name}: padding_mode must be one of zeros, reflect, replicate, circular, got '${mode}'`);
    if (transposed && mode !== "zeros")
      throw new ValueError(`${name}: only "zeros" padding mode is supported for ${name}`);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = ntuple(kernelSize, n);
    this.stride = stride;
    this.padding = typeof padding === "string" ? padding : ntuple(padding, n);
    this.dilation = ntuple(opts.dilation ?? 1, n);
    this.outputPadding = ntuple(opts.outputPadding ?? 0, n);
    this.groups = groups;
    this.paddingMode = mode;
    const dtype = factoryDType(name, opts);
    const wShape = transposed
      ? [inChannels, outChannels / groups, ...this.kernelSize]
      : [outChannels, inChannels / groups, ...this.kernelSize];
    this.weight = new Parameter(zeros(wShape, { dtype }));
    this.bias = (opts.bias ?? true) ? new Parameter(zeros([outChannels], { dtype })) : null;
    this.resetParameters();
  }

  resetParameters(): void {
    defaultLayerInit(this.weight, this.bias);
  }

  /** F.pad amounts for non-zero padding modes: last dim first, (left, right) each. */
  protected reversedPadding(): number[] {
    const out: number[] = [];
    for (let i = this.kernelSize.length - 1; i >= 0; i--) {
      if (this.padding === "same") {
        const total = this.dilation[i] * (this.kernelSize[i] - 1);
        const left = Math.floor(total / 2);
        out.push(left, total - left);
      } else if (this.padding === "valid") out.push(0, 0);
      else out.push(this.padding[i], this.padding[i]);
    }
    return out;
  }

  /** The input padded explicitly when paddingMode is not zeros (then the conv itself pads 0). */
  protected prepared(input: Tensor): [Tensor, ConvPadding] {
    if (this.paddingMode === "zeros") return [input, this.padding];
    return [pad(input, this.reversedPadding(), this.paddingMode as PadMode), 0];
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${py(this.kernelSize)}, stride=${py(this.stride)}`;
    if (typeof this.padding === "string") s += `, padding=${this.padding}`;
    else if (this.padding.some((p) => p !== 0)) s += `, padding=${py(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${py(this.dilation)}`;
    if (this.outputPadding.some((p) => p !== 0)) s += `, output_padding=${py(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ", bias=False";
    if (this.paddingMode !== "zeros") s += `, padding_mode=${this.paddingMode}`;
    return s;
  }
}

/** 2-D convolution over [N, C, H, W] (or unbatched [C, H, W]). */
export class Conv2d extends ConvNd {
  constructor(...args: ArgsOf<typeof conv2dArgs>) {
    super(2, false, conv2dArgs.parse(args));
  }
  forward(input: Tensor): Tensor {
    const [x, p] = this.prepared(input);
    return conv2d(x, this.weight, this.bias, this.stride, p, this.dilation, this.groups);
  }
}

/** 1-D convolution over [N, C, L] (or unbatched [C, L]). */
export class Conv1d extends ConvNd {
  constructor(...args: ArgsOf<typeof conv1dArgs>) {
    super(1, false, conv1dArgs.parse(args));
  }
  forward(input: Tensor): Tensor {
    const [x, p] = this.prepared(input);
    return conv1d(x, this.weight, this.bias, this.stride, p, this.dilation, this.groups);
  }
}

export interface ConvTransposeOptions extends Omit<ConvOptions, "padding"> {
  padding?: number | readonly number[];
  outputPadding?: number | readonly number[];
}
export interface ConvTransposeParams extends ConvTransposeOptions, ConvSizes {}
const convTranspose2dArgs = signature<ConvTransposeParams>()(
  "ConvTranspose2d",
  [
    "inChannels",
    "outChannels",
    "kernelSize",
    "stride",
    "padding",
    "outputPadding",
    "groups",
    "bias",
    "dilation",
    "paddingMode",
    "device",
    "dtype",
  ],
  { ...CONV_DEFAULTS, outputPadding: 0 },
);

/** Transposed 2-D convolution; weight [in, out/groups, kh, kw]. */
export class ConvTranspose2d extends ConvNd {
  constructor(...args: ArgsOf<typeof convTranspose2dArgs>) {
    super(2, true, convTranspose2dArgs.parse(args));
  }
  /** outputSize (optional) picks the output padding that gives that size, as PyTorch's. */
  forward(input: Tensor, outputSize?: readonly number[]): Tensor {
    let op = this.outputPadding;
    const pad = this.padding as number[];
    if (outputSize) {
      const hw = outputSize.slice(-2);
      op = [0, 1].map((i) => {
        const minSize =
          (input.shape[input.dim() - 2 + i] - 1) * this.stride[i] -
          2 * pad[i] +
          this.dilation[i] * (this.kernelSize[i] - 1) +
          1;
        const extra = hw[i] - minSize;
        if (extra < 0 || extra >= Math.max(this.stride[i], this.dilation[i])) {
          throw new ValueError(
            `ConvTranspose2d: requested an output size of ${JSON.stringify(outputSize)}, but valid sizes range from ${minSize} to ${minSize + Math.max(this.stride[i], this.dilation[i]) - 1} on dim ${i}`,
          );
        }
        return extra;
      });
    }
    return convTranspose2d(input, this.weight, this.bias, this.stride, pad, op, this.groups, this.dilation);
  }
}
