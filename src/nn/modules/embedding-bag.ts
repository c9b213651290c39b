// nn.EmbeddingBag / F.embedding_bag: sums, means or maxima of bags of embeddings, without
// materialising the per-index embeddings' batch layout. Bags come from a 2-D input (one bag per
// row) or a 1-D input with offsets; per-sample weights scale rows (mode 'sum'). Composed from
// embedding + index_add-style scatter, so gradients reach the weight (and the sample weights).
import { Tensor } from "../../tensor.js";
import { ShapeError, ValueError, fmtShape } from "../../errors.js";
import { embedding } from "../../ops/embedding.js";
import { zeros } from "../../ops/creation.js";
import { stack } from "../../ops/join.js";
import { noGrad } from "../../autograd/grad-mode.js";
import { wrap } from "../../ops/util.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { moduleArgs, py, pyFloat } from "./util.js";

export type BagMode = "sum" | "mean" | "max";
type Rec = Record<string, unknown>;

export interface EmbeddingBagFnOptions {
  offsets?: Tensor | null;
  maxNorm?: number | null;
  normType?: number;
  scaleGradByFreq?: boolean;
  mode?: BagMode;
  sparse?: boolean;
  perSampleWeights?: Tensor | null;
  includeLastOffset?: boolean;
  paddingIdx?: number | null;
}

/** F.embedding_bag(input, weight, offsets, maxNorm, normType, scaleGradByFreq, mode = 'mean', sparse, perSampleWeights, includeLastOffset, paddingIdx). */
export function embeddingBagImpl(input: Tensor, weight: Tensor, o: EmbeddingBagFnOptions = {}): Tensor {
  const mode = o.mode ?? "mean";
  if (!["sum", "mean", "max"].includes(mode))
    throw new ValueError(`embedding_bag: mode has to be one of sum, mean or max, got '${mode}'`);
  const psw = o.perSampleWeights ?? null;
  if (psw && mode !== "sum")
    throw new ValueError(
      `embedding_bag: per_sample_weights was not None. per_sample_weights is only supported for mode='sum' (got mode='${mode}')`,
    );
  let flat: Tensor, starts: number[];
  if (input.dim() === 2) {
    if (o.offsets) throw new ValueError("embedding_bag: if input is 2D, then offsets has to be None");
    const [b, l] = input.shape;
    flat = input.reshape(-1);
    starts = Array.from({ length: b }, (_, i) => i * l);
  } else if (input.dim() === 1) {
    if (!o.offsets) throw new ValueError("embedding_bag: offsets has to be a 1D Tensor but got None");
    flat = input;
    starts = Array.from(o.offsets.typedArray(), Number);
    if (o.includeLastOffset) starts = starts.slice(0, -1);
    if (starts.length && starts[0] !== 0)
      throw new ValueError(
        `embedding_bag: offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from position 0. However, got ${starts[0]}`,
      );
  } else
    throw new ShapeError(
      `embedding_bag: input has to be 1D or 2D Tensor, but got Tensor of dimension ${input.dim()} (${fmtShape(input.shape)})`,
    );
  const n = flat.numel(),
    B = starts.length,
    D = weight.shape[1];
  const idx = Array.from(flat.typedArray(), Number);
  const pad = o.paddingIdx ?? null;
  const padIdx = pad === null ? null : pad < 0 ? pad + weight.shape[0] : pad;
  // bag[i]: the bag of element i; kept: element i takes part (not padding_idx).
  const bagOf = new Float64Array(n),
    keep = new Float64Array(n);
  for (let b = 0; b < B; b++) {
    const end = b + 1 < B ? starts[b + 1] : o.includeLastOffset && o.offsets ? Number(o.offsets.typedArray()[B]) : n;
    for (let i = starts[b]; i < end; i++) {
      bagOf[i] = b;
      keep[i] = padIdx !== null && idx[i] === padIdx ? 0 : 1;
    }
  }
  let rows = embedding(flat, weight, null, o.maxNorm ?? null, o.normType ?? 2, o.scaleGradByFreq ?? false);
  const keepT = wrap(weight.dtype === "float32" ? Float32Array.from(keep) : keep, [n, 1], weight.dtype);
  rows = rows.mul(keepT);
  if (psw) rows = rows.mul(psw.reshape(-1, 1));
  if (mode === "max") {
    const bags = Array.from({ length: B }, (_, b) => {
      const members = Array.from({ length: n }, (_, i) => i).filter((i) => bagOf[i] === b && keep[i] === 1);
      if (members.length === 0) return zeros([D], { dtype: weight.dtype });
      return rows.indexSelect(0, wrap(Float64Array.from(members), [members.length], "int64")).amax(0);
    });
    return B ? stack(bags, 0) : zeros([0, D], { dtype: weight.dtype });
  }
  const bagIdx = wrap(bagOf, [n, 1], "int64").expand(n, D);
  let out = zeros([B, D], { dtype: weight.dtype }).scatterAdd(0, bagIdx, rows);
  if (mode === "mean") {
    const counts = new Float64Array(B);
    for (let i = 0; i < n; i++) counts[bagOf[i]] += keep[i];
    const c = counts.map((v) => Math.max(v, 1));
    out = out.div(wrap(weight.dtype === "float32" ? Float32Array.from(c) : c, [B, 1], weight.dtype));
  }
  return out;
}

/** nn.EmbeddingBag(numEmbeddings, embeddingDim, maxNorm, normType = 2, scaleGradByFreq, mode = 'mean', sparse, _weight, includeLastOffset, paddingIdx). */
export class EmbeddingBag extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly maxNorm: number | null;
  readonly normType: number;
  readonly scaleGradByFreq: boolean;
  readonly mode: BagMode;
  readonly includeLastOffset: boolean;
  readonly paddingIdx: number | null;
  weight: Parameter;
  constructor(numEmbeddings: number, embeddingDim: number, ...args: unknown[]) {
    super();
    const o = moduleArgs<
      {
        maxNorm: number | null;
        normType: number;
        scaleGradByFreq: boolean;
        mode: BagMode;
        sparse: boolean;
        weight: Tensor | null;
        includeLastOffset: boolean;
        paddingIdx: number | null;
        dtype: "float32" | "float64";
      } & Rec
    >(
      "EmbeddingBag",
      args,
      [
        "maxNorm",
        "normType",
        "scaleGradByFreq",
        "mode",
        "sparse",
        "weight",
        "includeLastOffset",
        "paddingIdx",
        "dtype",
      ],
      {
        maxNorm: null,
        normType: 2,
        scaleGradByFreq: false,
        mode: "mean",
        sparse: false,
        weight: null,
        includeLastOffset: false,
        paddingIdx: null,
        dtype: "float32",
      },
    );
    [this.numEmbeddings, this.embeddingDim] = [numEmbeddings, embeddingDim];
    [this.maxNorm, this.normType, this.scaleGradByFreq, this.mode, this.includeLastOffset] = [
      o.maxNorm,
      o.normType,
      o.scaleGradByFreq,
      o.mode,
      o.includeLastOffset,
    ];
    let pad = o.paddingIdx;
    if (pad !== null) {
      if (pad >= numEmbeddings || pad < -numEmbeddings)
        throw new ValueError("EmbeddingBag: padding_idx must be within num_embeddings");
      if (pad < 0) pad += numEmbeddings;
    }
    this.paddingIdx = pad;
    if (o.weight) {
      if (o.weight.shape[0] !== numEmbeddings || o.weight.shape[1] !== embeddingDim)
        throw new ShapeError("EmbeddingBag: shape of weight does not match num_embeddings and embedding_dim");
      this.weight = new Parameter(o.weight);
    } else {
      this.weight = new Parameter(zeros([numEmbeddings, embeddingDim], { dtype: o.dtype }));
      this.resetParameters();
    }
  }
  /** normal_(0, 1), the padding row zeroed (PyTorch's reset_parameters). */
  resetParameters(): void {
    noGrad(() => {
      this.weight.normal_();
      if (this.paddingIdx !== null) this.weight.select(0, this.paddingIdx).fill_(0);
    });
  }
  forward(input: Tensor, offsets: Tensor | null = null, perSampleWeights: Tensor | null = null): Tensor {
    return embeddingBagImpl(input, this.weight, {
      offsets,
      maxNorm: this.maxNorm,
      normType: this.normType,
      scaleGradByFreq: this.scaleGradByFreq,
      mode: this.mode,
      perSampleWeights,
      includeLastOffset: this.includeLastOffset,
      paddingIdx: this.paddingIdx,
    });
  }
  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.maxNorm !== null) s += `, max_norm=${pyFloat(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyFloat(this.normType)}`;
    if (this.scaleGradByFreq) s += ", scale_grad_by_freq=True";
    s += `, mode=${py(this.mode)}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    return s;
  }
}
