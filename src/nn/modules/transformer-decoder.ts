// nn.TransformerDecoderLayer, nn.TransformerDecoder and nn.Transformer (PyTorch 1.13), with
// torch's submodule names and construction order (so a seed gives torch's weights).
import { type Tensor, fromTypedArray } from "../../tensor.js";
import { ShapeError, fmtShape } from "../../errors.js";
import { add } from "../../ops/binary.js";
import { Module, callModule } from "../module.js";
import { ModuleList } from "./container.js";
import { Linear } from "./linear.js";
import { Dropout } from "./dropout.js";
import { LayerNorm } from "./normalization.js";
import { MultiheadAttention } from "./attention.js";
import {
  type Activation,
  TransformerEncoder,
  TransformerEncoderLayer,
  activationFn,
  applyActivation,
  encoderLayerArgs,
} from "./transformer.js";
import { deepcopyModule } from "../clone.js";
import { xavierUniform_ } from "../init.js";
import type { Args } from "../functional.js";
import { type FactoryOptions, factoryDefaults, factoryDType, moduleArgs } from "./util.js";
import { type ArgsOf, signature } from "../../internal/args.js";

export interface DecoderForwardOptions {
  tgtMask?: Tensor | null;
  memoryMask?: Tensor | null;
  tgtKeyPaddingMask?: Tensor | null;
  memoryKeyPaddingMask?: Tensor | null;
}
type DecoderForwardArgs = Args<
  [
    tgtMask: Tensor | null,
    memoryMask: Tensor | null,
    tgtKeyPaddingMask: Tensor | null,
    memoryKeyPaddingMask: Tensor | null,
  ],
  DecoderForwardOptions
>;
const DECODER_FORWARD_NAMES = ["tgtMask", "memoryMask", "tgtKeyPaddingMask", "memoryKeyPaddingMask"] as const;
const decoderForwardArgs = (name: string, rest: readonly unknown[]): Required<DecoderForwardOptions> =>
  moduleArgs<Required<DecoderForwardOptions> & Record<string, unknown>>(name, rest, [...DECODER_FORWARD_NAMES], {
    tgtMask: null,
    memoryMask: null,
    tgtKeyPaddingMask: null,
    memoryKeyPaddingMask: null,
  });

const decoderLayerArgs = encoderLayerArgs.as("TransformerDecoderLayer");
const decoderArgs = signature<{ decoderLayer: Module; numLayers: number; norm?: Module | null }>()(
  "TransformerDecoder",
  ["decoderLayer", "numLayers", "norm"],
  { norm: null },
);

export class TransformerDecoderLayer extends Module {
  self_attn: MultiheadAttention;
  multihead_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  readonly normFirst: boolean;
  norm1: LayerNorm;
  norm2: LayerNorm;
  norm3: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  dropout3: Dropout;
  activation: (x: Tensor) => Tensor;

  constructor(...args: ArgsOf<typeof decoderLayerArgs>) {
    super();
    const { dModel, nhead, ...o } = decoderLayerArgs.parse(args);
    const dtype = factoryDType("TransformerDecoderLayer", o);
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: o.dropout, batchFirst: o.batchFirst, dtype });
    this.multihead_attn = new MultiheadAttention(dModel, nhead, {
      dropout: o.dropout,
      batchFirst: o.batchFirst,
      dtype,
    });
    this.linear1 = new Linear(dModel, o.dimFeedforward, { dtype });
    this.dropout = new Dropout(o.dropout);
    this.linear2 = new Linear(o.dimFeedforward, dModel, { dtype });
    this.normFirst = o.normFirst;
    this.norm1 = new LayerNorm(dModel, { eps: o.layerNormEps, dtype });
    this.norm2 = new LayerNorm(dModel, { eps: o.layerNormEps, dtype });
    this.norm3 = new LayerNorm(dModel, { eps: o.layerNormEps, dtype });
    this.dropout1 = new Dropout(o.dropout);
    this.dropout2 = new Dropout(o.dropout);
    this.dropout3 = new Dropout(o.dropout);
    this.activation = activationFn("TransformerDecoderLayer", o.activation);
  }
  get selfAttn(): MultiheadAttention {
    return this.self_attn;
  }
  get multiheadAttn(): MultiheadAttention {
    return this.multihead_attn;
  }

  /** tgt (T, N, E) / (N, T, E) / (T, E); memory (S, N, E) / (N, S, E) / (S, E). */
  forward(tgt: Tensor, memory: Tensor, ...rest: DecoderForwardArgs): Tensor {
    const o = decoderForwardArgs("TransformerDecoderLayer.forward", rest);
    const norm = (n: LayerNorm, t: Tensor): Tensor => callModule(n, t) as Tensor;
    let x = tgt;
    if (this.normFirst) {
      x = add(x, this.saBlock(norm(this.norm1, x), o.tgtMask, o.tgtKeyPaddingMask));
      x = add(x, this.mhaBlock(norm(this.norm2, x), memory, o.memoryMask, o.memoryKeyPaddingMask));
      x = add(x, this.ffBlock(norm(this.norm3, x)));
    } else {
      x = norm(this.norm1, add(x, this.saBlock(x, o.tgtMask, o.tgtKeyPaddingMask)));
      x = norm(this.norm2, add(x, this.mhaBlock(x, memory, o.memoryMask, o.memoryKeyPaddingMask)));
      x = norm(this.norm3, add(x, this.ffBlock(x)));
    }
    return x;
  }
  private saBlock(x: Tensor, attnMask: Tensor | null, keyPaddingMask: Tensor | null): Tensor {
    return this.dropout1(this.self_attn(x, x, x, { attnMask, keyPaddingMask, needWeights: false })[0]);
  }
  private mhaBlock(x: Tensor, mem: Tensor, attnMask: Tensor | null, keyPaddingMask: Tensor | null): Tensor {
    return this.dropout2(this.multihead_attn(x, mem, mem, { attnMask, keyPaddingMask, needWeights: false })[0]);
  }
  private ffBlock(x: Tensor): Tensor {
    return this.dropout3(this.linear2(this.dropout(applyActivation(this.activation, this.linear1(x)))));
  }
}

export class TransformerDecoder extends Module {
  layers: ModuleList;
  readonly numLayers: number;
  norm: Module | null;

  constructor(...args: ArgsOf<typeof decoderArgs>) {
    super();
    const { decoderLayer, numLayers, ...o } = decoderArgs.parse(args);
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => deepcopyModule(decoderLayer)));
    this.numLayers = numLayers;
    this.norm = o.norm;
  }

  forward(tgt: Tensor, memory: Tensor, ...rest: DecoderForwardArgs): Tensor {
    const o = decoderForwardArgs("TransformerDecoder.forward", rest);
    let output = tgt;
    for (const mod of this.layers) output = callModule(mod, output, memory, o) as Tensor;
    if (this.norm) output = callModule(this.norm, output) as Tensor;
    return output;
  }
}

export interface TransformerOptions extends FactoryOptions {
  dModel?: number;
  nhead?: number;
  numEncoderLayers?: number;
  numDecoderLayers?: number;
  dimFeedforward?: number;
  dropout?: number;
  activation?: Activation;
  customEncoder?: Module | null;
  customDecoder?: Module | null;
  layerNormEps?: number;
  batchFirst?: boolean;
  normFirst?: boolean;
}
const transformerArgs = signature<TransformerOptions>()(
  "Transformer",
  [
    "dModel",
    "nhead",
    "numEncoderLayers",
    "numDecoderLayers",
    "dimFeedforward",
    "dropout",
    "activation",
    "customEncoder",
    "customDecoder",
    "layerNormEps",
    "batchFirst",
    "normFirst",
    "device",
    "dtype",
  ],
  {
    dModel: 512,
    nhead: 8,
    numEncoderLayers: 6,
    numDecoderLayers: 6,
    dimFeedforward: 2048,
    dropout: 0.1,
    activation: "relu",
    customEncoder: null,
    customDecoder: null,
    layerNormEps: 1e-5,
    batchFirst: false,
    normFirst: false,
    ...factoryDefaults,
  },
);

export interface TransformerForwardOptions extends DecoderForwardOptions {
  srcMask?: Tensor | null;
  srcKeyPaddingMask?: Tensor | null;
}

export class Transformer extends Module {
  encoder: Module;
  decoder: Module;
  readonly dModel: number;
  readonly nhead: number;
  readonly batchFirst: boolean;

  constructor(...args: ArgsOf<typeof transformerArgs>) {
    super();
    const o = transformerArgs.parse(args);
    const dtype = factoryDType("Transformer", o);
    const layerOpts = {
      dimFeedforward: o.dimFeedforward,
      dropout: o.dropout,
      activation: o.activation,
      layerNormEps: o.layerNormEps,
      batchFirst: o.batchFirst,
      normFirst: o.normFirst,
      dtype,
    };
    this.encoder =
      o.customEncoder ??
      new TransformerEncoder(new TransformerEncoderLayer(o.dModel, o.nhead, layerOpts), o.numEncoderLayers, {
        norm: new LayerNorm(o.dModel, { eps: o.layerNormEps, dtype }),
      });
    this.decoder =
      o.customDecoder ??
      new TransformerDecoder(new TransformerDecoderLayer(o.dModel, o.nhead, layerOpts), o.numDecoderLayers, {
        norm: new LayerNorm(o.dModel, { eps: o.layerNormEps, dtype }),
      });
    // torch's _reset_parameters: every matrix re-drawn with xavier_uniform_, in parameters() order.
    for (const p of this.parameters()) if (p.dim() > 1) xavierUniform_(p);
    this.dModel = o.dModel;
    this.nhead = o.nhead;
    this.batchFirst = o.batchFirst;
  }

  forward(
    src: Tensor,
    tgt: Tensor,
    ...rest: Args<
      [
        srcMask: Tensor | null,
        tgtMask: Tensor | null,
        memoryMask: Tensor | null,
        srcKeyPaddingMask: Tensor | null,
        tgtKeyPaddingMask: Tensor | null,
        memoryKeyPaddingMask: Tensor | null,
      ],
      TransformerForwardOptions
    >
  ): Tensor {
    const o = moduleArgs<Required<TransformerForwardOptions> & Record<string, unknown>>(
      "Transformer.forward",
      rest,
      ["srcMask", "tgtMask", "memoryMask", "srcKeyPaddingMask", "tgtKeyPaddingMask", "memoryKeyPaddingMask"],
      {
        srcMask: null,
        tgtMask: null,
        memoryMask: null,
        srcKeyPaddingMask: null,
        tgtKeyPaddingMask: null,
        memoryKeyPaddingMask: null,
      },
    );
    const isBatched = src.dim() === 3;
    const b = this.batchFirst ? 0 : 1;
    if (isBatched && src.shape[b] !== tgt.shape[b])
      throw new ShapeError(
        `Transformer: the batch number of src and tgt must be equal, got src ${fmtShape(src.shape)} and tgt ${fmtShape(tgt.shape)}${this.batchFirst ? " (batch_first)" : ""}`,
      );
    if (src.shape[src.dim() - 1] !== this.dModel || tgt.shape[tgt.dim() - 1] !== this.dModel) {
      throw new ShapeError(
        `Transformer: the feature number of src and tgt must be equal to d_model=${this.dModel}, got src ${fmtShape(src.shape)} and tgt ${fmtShape(tgt.shape)}`,
      );
    }
    const memory = callModule(this.encoder, src, { mask: o.srcMask, srcKeyPaddingMask: o.srcKeyPaddingMask }) as Tensor;
    return callModule(this.decoder, tgt, memory, {
      tgtMask: o.tgtMask,
      memoryMask: o.memoryMask,
      tgtKeyPaddingMask: o.tgtKeyPaddingMask,
      memoryKeyPaddingMask: o.memoryKeyPaddingMask,
    }) as Tensor;
  }

  /** A float (sz, sz) mask with -inf above the diagonal and 0 elsewhere (torch's static method). */
  static generateSquareSubsequentMask(sz: number): Tensor {
    const a = new Float32Array(sz * sz);
    for (let i = 0; i < sz; i++) for (let j = i + 1; j < sz; j++) a[i * sz + j] = -Infinity;
    return fromTypedArray(a, [sz, sz], "float32");
  }
}
