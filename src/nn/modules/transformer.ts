// nn.TransformerEncoderLayer and nn.TransformerEncoder (PyTorch 1.13). Submodules under torch's
// names (self_attn, linear1, dropout, linear2, norm1, norm2, dropout1, dropout2), created in torch's
// order so that a seed gives torch's weights; the encoder's layers are deep copies of the given one
// (torch's _get_clones). torch's eval-mode fast paths compute the same numbers as the composed
// path, except the encoder's nested-tensor path, whose visible effect is reproduced (see below).
import type { Tensor } from "../../tensor.js";
import { ShapeError, ValueError, fmtShape } from "../../errors.js";
import { isGradEnabled } from "../../autograd/grad-mode.js";
import { add, where } from "../../ops/binary.js";
import { narrow } from "../../ops/view.js";
import { fromTypedArray } from "../../tensor.js";
import { Module, callModule } from "../module.js";
import { ModuleList } from "./container.js";
import { Linear } from "./linear.js";
import { Dropout } from "./dropout.js";
import { LayerNorm } from "./normalization.js";
import { GELU, ReLU } from "./activation.js";
import { MultiheadAttention } from "./attention.js";
import { checkKeyPaddingMaskDType } from "../attention-functional.js";
import { deepcopyModule } from "../clone.js";
import { gelu, relu, type Args } from "../functional.js";
import { type FactoryOptions, factoryDefaults, factoryDType, moduleArgs } from "./util.js";
import { type ArgsOf, signature } from "../../internal/args.js";

/** "relu", "gelu", a function of a tensor, or a module (which is then registered as a child). */
export type Activation = "relu" | "gelu" | ((x: Tensor) => Tensor) | Module;

export interface TransformerLayerOptions extends FactoryOptions {
  dimFeedforward?: number;
  dropout?: number;
  activation?: Activation;
  layerNormEps?: number;
  batchFirst?: boolean;
  normFirst?: boolean;
}
/** TransformerEncoderLayer / TransformerDecoderLayer's parameters, in torch's order. */
export interface TransformerLayerParams extends TransformerLayerOptions {
  dModel: number;
  nhead: number;
}
export const encoderLayerArgs = signature<TransformerLayerParams>()(
  "TransformerEncoderLayer",
  [
    "dModel",
    "nhead",
    "dimFeedforward",
    "dropout",
    "activation",
    "layerNormEps",
    "batchFirst",
    "normFirst",
    "device",
    "dtype",
  ],
  {
    dimFeedforward: 2048,
    dropout: 0.1,
    activation: "relu",
    layerNormEps: 1e-5,
    batchFirst: false,
    normFirst: false,
    ...factoryDefaults,
  },
);
const encoderArgs = signature<EncoderOptions & { encoderLayer: Module; numLayers: number }>()(
  "TransformerEncoder",
  ["encoderLayer", "numLayers", "norm", "enableNestedTensor", "maskCheck"],
  { norm: null, enableNestedTensor: true, maskCheck: true },
);

/** torch's _get_activation_fn for strings; functions and modules pass through. */
export function activationFn(name: string, a: Activation): (x: Tensor) => Tensor {
  if (a === "relu") return relu;
  if (a === "gelu") return gelu;
  if (typeof a === "function") return a as (x: Tensor) => Tensor;
  throw new ValueError(`${name}: activation should be relu/gelu, not ${String(a)}`);
}

/** The activation as called: a module through its hooks, a function directly. */
export function applyActivation(a: (x: Tensor) => Tensor, x: Tensor): Tensor {
  return a instanceof Module ? (callModule(a, x) as Tensor) : a(x);
}

export interface EncoderLayerForwardOptions {
  srcMask?: Tensor | null;
  srcKeyPaddingMask?: Tensor | null;
}

export class TransformerEncoderLayer extends Module {
  self_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  readonly normFirst: boolean;
  norm1: LayerNorm;
  norm2: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  /** torch's activation_relu_or_gelu: 1 for relu, 2 for gelu, 0 otherwise (it gates torch's fast path). */
  readonly activationReluOrGelu: 0 | 1 | 2;
  activation: (x: Tensor) => Tensor;

  constructor(...args: ArgsOf<typeof encoderLayerArgs>) {
    super();
    const { dModel, nhead, ...o } = encoderLayerArgs.parse(args);
    const dtype = factoryDType("TransformerEncoderLayer", o);
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: o.dropout, batchFirst: o.batchFirst, dtype });
    this.linear1 = new Linear(dModel, o.dimFeedforward, { dtype });
    this.dropout = new Dropout(o.dropout);
    this.linear2 = new Linear(o.dimFeedforward, dModel, { dtype });
    this.normFirst = o.normFirst;
    this.norm1 = new LayerNorm(dModel, { eps: o.layerNormEps, dtype });
    this.norm2 = new LayerNorm(dModel, { eps: o.layerNormEps, dtype });
    this.dropout1 = new Dropout(o.dropout);
    this.dropout2 = new Dropout(o.dropout);
    const act = activationFn("TransformerEncoderLayer", o.activation);
    this.activationReluOrGelu = act === relu || act instanceof ReLU ? 1 : act === gelu || act instanceof GELU ? 2 : 0;
    this.activation = act;
  }
  get selfAttn(): MultiheadAttention {
    return this.self_attn;
  }

  /** src (S, N, E), (N, S, E) with batchFirst, or (S, E); srcMask (S, S) or (N*nhead, S, S); srcKeyPaddingMask (N, S) or (S). */
  forward(
    src: Tensor,
    ...rest: Args<[srcMask: Tensor | null, srcKeyPaddingMask: Tensor | null], EncoderLayerForwardOptions>
  ): Tensor {
    const o = moduleArgs<Required<EncoderLayerForwardOptions> & Record<string, unknown>>(
      "TransformerEncoderLayer.forward",
      rest,
      ["srcMask", "srcKeyPaddingMask"],
      { srcMask: null, srcKeyPaddingMask: null },
    );
    checkKeyPaddingMaskDType("TransformerEncoderLayer", o.srcKeyPaddingMask);
    let x = src;
    if (this.normFirst) {
      x = add(x, this.saBlock(callModule(this.norm1, x) as Tensor, o.srcMask, o.srcKeyPaddingMask));
      x = add(x, this.ffBlock(callModule(this.norm2, x) as Tensor));
    } else {
      x = callModule(this.norm1, add(x, this.saBlock(x, o.srcMask, o.srcKeyPaddingMask))) as Tensor;
      x = callModule(this.norm2, add(x, this.ffBlock(x))) as Tensor;
    }
    return x;
  }
  private saBlock(x: Tensor, attnMask: Tensor | null, keyPaddingMask: Tensor | null): Tensor {
    const [y] = this.self_attn(x, x, x, { attnMask, keyPaddingMask, needWeights: false });
    return this.dropout1(y);
  }
  private ffBlock(x: Tensor): Tensor {
    return this.dropout2(this.linear2(this.dropout(applyActivation(this.activation, this.linear1(x)))));
  }
}

export interface EncoderOptions {
  norm?: Module | null;
  enableNestedTensor?: boolean;
  maskCheck?: boolean;
}
export interface EncoderForwardOptions {
  mask?: Tensor | null;
  srcKeyPaddingMask?: Tensor | null;
}

export class TransformerEncoder extends Module {
  layers: ModuleList;
  readonly numLayers: number;
  norm: Module | null;
  readonly enableNestedTensor: boolean;
  readonly maskCheck: boolean;

  constructor(...args: ArgsOf<typeof encoderArgs>) {
    super();
    const { encoderLayer, numLayers, ...o } = encoderArgs.parse(args);
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => deepcopyModule(encoderLayer)));
    this.numLayers = numLayers;
    this.norm = o.norm;
    this.enableNestedTensor = o.enableNestedTensor;
    this.maskCheck = o.maskCheck;
  }

  forward(
    src: Tensor,
    ...rest: Args<[mask: Tensor | null, srcKeyPaddingMask: Tensor | null], EncoderForwardOptions>
  ): Tensor {
    const o = moduleArgs<Required<EncoderForwardOptions> & Record<string, unknown>>(
      "TransformerEncoder.forward",
      rest,
      ["mask", "srcKeyPaddingMask"],
      { mask: null, srcKeyPaddingMask: null },
    );
    const kpm = o.srcKeyPaddingMask;
    checkKeyPaddingMaskDType("TransformerEncoder", kpm);
    const lengths = this.nestedLengths(src, o.mask, kpm);
    let output = src;
    for (const mod of this.layers)
      output = callModule(mod, output, { srcMask: o.mask, srcKeyPaddingMask: kpm }) as Tensor;
    if (lengths) output = toPadded(output, lengths);
    if (this.norm) output = callModule(this.norm, output) as Tensor;
    return output;
  }

  /**
   * torch 1.13 runs the layers on a nested tensor (the padding dropped) when the first layer is a
   * post-norm, batch-first TransformerEncoderLayer in eval mode with relu/gelu, equal norm eps and
   * an even number of heads, the input is batched, only a left-aligned padding mask is given, and
   * no gradient is needed; it then pads back with zeros to the LONGEST sequence, so padded
   * positions come out as zeros and the output can be shorter than the input. The valid positions
   * equal the masked computation, so Flint computes that and returns the valid lengths here.
   */
  private nestedLengths(src: Tensor, mask: Tensor | null, kpm: Tensor | null): number[] | null {
    const first = this.layers.at(0);
    if (!(first instanceof TransformerEncoderLayer) || first.normFirst || first.training) return null;
    const sa = first.self_attn;
    if (!sa.batchFirst || !sa.qkvSameEmbedDim || !first.activationReluOrGelu || first.norm1.eps !== first.norm2.eps)
      return null;
    if (src.dim() !== 3 || !this.enableNestedTensor || !kpm || mask || sa.numHeads % 2 === 1) return null;
    // (With maskCheck off torch would also take a mask that is not left-aligned, and read the
    // wrong positions; Flint keeps the composed path then.)
    const lengths = leftAlignedLengths(kpm);
    if (!lengths) return null;
    const args = [
      src,
      sa.in_proj_weight,
      sa.in_proj_bias,
      sa.out_proj.weight,
      sa.out_proj.bias,
      first.norm1.weight,
      first.norm1.bias,
      first.norm2.weight,
      first.norm2.bias,
      first.linear1.weight,
      first.linear1.bias,
      first.linear2.weight,
      first.linear2.bias,
    ];
    if (isGradEnabled() && args.some((t) => t?.requiresGrad)) return null;
    return lengths;
  }
}

/** Per-row count of unpadded positions if every row is unpadded-then-padded, else null. */
function leftAlignedLengths(kpm: Tensor): number[] | null {
  if (kpm.dim() !== 2)
    throw new ShapeError(
      `TransformerEncoder: expected src_key_padding_mask of shape (N, S), got ${fmtShape(kpm.shape)}`,
    );
  const [n, s] = kpm.shape;
  const a = kpm.contiguous().typedArray();
  const out: number[] = [];
  for (let b = 0; b < n; b++) {
    let len = 0;
    while (len < s && a[b * s + len] === 0) len++;
    for (let j = len; j < s; j++) if (a[b * s + j] === 0) return null;
    out.push(len);
  }
  return out;
}

/** torch's nested_tensor.to_padded_tensor(0.): zeros after each row's length, cut to the longest row. */
function toPadded(x: Tensor, lengths: number[]): Tensor {
  const [n, s] = x.shape;
  const keep = new Uint8Array(n * s);
  lengths.forEach((len, b) => keep.fill(1, b * s, b * s + len));
  return narrow(where(fromTypedArray(keep, [n, s, 1], "bool"), x, 0), 1, 0, Math.max(0, ...lengths));
}
