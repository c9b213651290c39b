// nn.MultiheadAttention (PyTorch 1.13): parameters under torch's names (in_proj_weight, or
// q/k/v_proj_weight when kdim/vdim differ; in_proj_bias; bias_k, bias_v; out_proj.*), torch's
// initialisation in torch's order of random draws, and forward through multi_head_attention_forward.
import type { Tensor } from "../../tensor.js";
import { ValueError } from "../../errors.js";
import { zeros } from "../../ops/creation.js";
import { transpose } from "../../ops/view.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { constant_, xavierNormal_, xavierUniform_ } from "../init.js";
import { checkKeyPaddingMaskDType, mhaForward } from "../attention-functional.js";
import type { Args } from "../functional.js";
import { Linear } from "./linear.js";
import { type FactoryOptions, factoryDefaults, factoryDType, moduleArgs } from "./util.js";
import { type ArgsOf, signature } from "../../internal/args.js";

/** A Linear under another name, as torch's out_proj (it only matters to quantization and printing). */
export class NonDynamicallyQuantizableLinear extends Linear {}

export interface MultiheadAttentionOptions extends FactoryOptions {
  dropout?: number;
  bias?: boolean;
  addBiasKv?: boolean;
  addZeroAttn?: boolean;
  kdim?: number | null;
  vdim?: number | null;
  batchFirst?: boolean;
}

export interface MultiheadAttentionForwardOptions {
  keyPaddingMask?: Tensor | null;
  needWeights?: boolean;
  attnMask?: Tensor | null;
  averageAttnWeights?: boolean;
}
type ForwardArgs = Args<
  [keyPaddingMask: Tensor | null, needWeights: boolean, attnMask: Tensor | null, averageAttnWeights: boolean],
  MultiheadAttentionForwardOptions
>;
const mhaArgs = signature<MultiheadAttentionOptions & { embedDim: number; numHeads: number }>()(
  "MultiheadAttention",
  [
    "embedDim",
    "numHeads",
    "dropout",
    "bias",
    "addBiasKv",
    "addZeroAttn",
    "kdim",
    "vdim",
    "batchFirst",
    "device",
    "dtype",
  ],
  {
    dropout: 0,
    bias: true,
    addBiasKv: false,
    addZeroAttn: false,
    kdim: null,
    vdim: null,
    batchFirst: false,
    ...factoryDefaults,
  },
);

export class MultiheadAttention extends Module {
  readonly embedDim: number;
  readonly kdim: number;
  readonly vdim: number;
  readonly numHeads: number;
  readonly dropout: number;
  readonly batchFirst: boolean;
  readonly headDim: number;
  readonly addZeroAttn: boolean;
  // Parameters under torch's keys, declared in torch's registration order (stateDict order).
  in_proj_weight: Parameter | null = null;
  q_proj_weight: Parameter | null = null;
  k_proj_weight: Parameter | null = null;
  v_proj_weight: Parameter | null = null;
  in_proj_bias: Parameter | null = null;
  out_proj: NonDynamicallyQuantizableLinear;
  bias_k: Parameter | null = null;
  bias_v: Parameter | null = null;

  constructor(...args: ArgsOf<typeof mhaArgs>) {
    super();
    const { embedDim, numHeads, ...o } = mhaArgs.parse(args);
    const dtype = factoryDType("MultiheadAttention", o);
    this.embedDim = embedDim;
    this.kdim = o.kdim ?? embedDim;
    this.vdim = o.vdim ?? embedDim;
    this.numHeads = numHeads;
    this.dropout = o.dropout;
    this.batchFirst = o.batchFirst;
    this.headDim = Math.floor(embedDim / numHeads);
    if (!(numHeads > 0) || this.headDim * numHeads !== embedDim) {
      throw new ValueError(
        `MultiheadAttention: embed_dim must be divisible by num_heads, got embed_dim=${embedDim} and num_heads=${numHeads}`,
      );
    }
    if (!(o.dropout >= 0 && o.dropout <= 1))
      throw new ValueError(`MultiheadAttention: dropout probability has to be between 0 and 1, but got ${o.dropout}`);
    const empty = (shape: number[]): Parameter => new Parameter(zeros(shape, { dtype }));
    if (this.qkvSameEmbedDim) {
      this.in_proj_weight = empty([3 * embedDim, embedDim]);
    } else {
      this.q_proj_weight = empty([embedDim, embedDim]);
      this.k_proj_weight = empty([embedDim, this.kdim]);
      this.v_proj_weight = empty([embedDim, this.vdim]);
    }
    if (o.bias) this.in_proj_bias = empty([3 * embedDim]);
    // Linear's own init draws first (Kaiming), then _reset_parameters below, as in torch.
    this.out_proj = new NonDynamicallyQuantizableLinear(embedDim, embedDim, { bias: o.bias, dtype });
    if (o.addBiasKv) {
      this.bias_k = empty([1, 1, embedDim]);
      this.bias_v = empty([1, 1, embedDim]);
    }
    this.addZeroAttn = o.addZeroAttn;
    this.resetParameters();
  }

  /** torch's _qkv_same_embed_dim: one packed in_proj_weight when kdim and vdim equal embedDim. */
  get qkvSameEmbedDim(): boolean {
    return this.kdim === this.embedDim && this.vdim === this.embedDim;
  }
  get inProjWeight(): Parameter | null {
    return this.in_proj_weight;
  }
  get inProjBias(): Parameter | null {
    return this.in_proj_bias;
  }
  get qProjWeight(): Parameter | null {
    return this.q_proj_weight;
  }
  get kProjWeight(): Parameter | null {
    return this.k_proj_weight;
  }
  get vProjWeight(): Parameter | null {
    return this.v_proj_weight;
  }
  get outProj(): NonDynamicallyQuantizableLinear {
    return this.out_proj;
  }
  get biasK(): Parameter | null {
    return this.bias_k;
  }
  get biasV(): Parameter | null {
    return this.bias_v;
  }

  /** torch's _reset_parameters: xavier_uniform_ on the input projection(s), zero biases, xavier_normal_ on bias_k/v. */
  resetParameters(): void {
    if (this.in_proj_weight) xavierUniform_(this.in_proj_weight);
    for (const w of [this.q_proj_weight, this.k_proj_weight, this.v_proj_weight]) if (w) xavierUniform_(w);
    if (this.in_proj_bias) {
      constant_(this.in_proj_bias, 0);
      if (this.out_proj.bias) constant_(this.out_proj.bias, 0);
    }
    if (this.bias_k) xavierNormal_(this.bias_k);
    if (this.bias_v) xavierNormal_(this.bias_v);
  }

  /**
   * query (L, N, E) / (N, L, E) with batchFirst / (L, E) unbatched; key and value likewise with S.
   * Returns [attnOutput, attnWeights] (weights null when needWeights is false), as torch's tuple.
   */
  forward(query: Tensor, key: Tensor, value: Tensor, ...rest: ForwardArgs): [Tensor, Tensor | null] {
    const o = moduleArgs<Required<MultiheadAttentionForwardOptions> & Record<string, unknown>>(
      "MultiheadAttention.forward",
      rest,
      ["keyPaddingMask", "needWeights", "attnMask", "averageAttnWeights"],
      { keyPaddingMask: null, needWeights: true, attnMask: null, averageAttnWeights: true },
    );
    checkKeyPaddingMaskDType("MultiheadAttention", o.keyPaddingMask);
    const isBatched = query.dim() === 3;
    // torch transposes batch-first inputs while keeping "query is key is value" identities,
    // which decide how the packed projection is split.
    if (this.batchFirst && isBatched) {
      if (key === value) {
        if (query === key) query = key = value = transpose(query, 1, 0);
        else {
          query = transpose(query, 1, 0);
          key = value = transpose(key, 1, 0);
        }
      } else {
        [query, key, value] = [transpose(query, 1, 0), transpose(key, 1, 0), transpose(value, 1, 0)];
      }
    }
    const [out, weights] = mhaForward(
      "MultiheadAttention",
      query,
      key,
      value,
      {
        embedDimToCheck: this.embedDim,
        numHeads: this.numHeads,
        inProjWeight: this.in_proj_weight,
        inProjBias: this.in_proj_bias,
        biasK: this.bias_k,
        biasV: this.bias_v,
        addZeroAttn: this.addZeroAttn,
        dropoutP: this.dropout,
        outProjWeight: this.out_proj.weight,
        outProjBias: this.out_proj.bias,
      },
      {
        training: this.training,
        keyPaddingMask: o.keyPaddingMask,
        needWeights: o.needWeights,
        attnMask: o.attnMask,
        averageAttnWeights: o.averageAttnWeights,
        useSeparateProjWeight: !this.qkvSameEmbedDim,
        qProjWeight: this.q_proj_weight,
        kProjWeight: this.k_proj_weight,
        vProjWeight: this.v_proj_weight,
      },
    );
    return [this.batchFirst && isBatched ? transpose(out, 1, 0) : out, weights];
  }
}
