// Embedding: a lookup table initialised from N(0, 1) (padding row zeroed), as PyTorch.
import type { Tensor } from "../../tensor.js";
import { ValueError } from "../../errors.js";
import { zeros } from "../../ops/creation.js";
import { noGrad } from "../../autograd/grad-mode.js";
import { embedding } from "../../ops/embedding.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { normal_ } from "../init.js";
import { type FactoryOptions, factoryDefaults, factoryDType, pyFloat } from "./util.js";
import { type ArgsOf, signature } from "../../internal/args.js";

export interface EmbeddingOptions extends FactoryOptions {
  paddingIdx?: number | null;
  maxNorm?: number | null;
  normType?: number;
  scaleGradByFreq?: boolean;
  sparse?: boolean;
  /** PyTorch's _weight: use this tensor as the table instead of initialising one. */
  _weight?: Tensor;
}

export interface EmbeddingParams extends EmbeddingOptions {
  numEmbeddings: number;
  embeddingDim: number;
}
const embeddingArgs = signature<EmbeddingParams>()(
  "Embedding",
  [
    "numEmbeddings",
    "embeddingDim",
    "paddingIdx",
    "maxNorm",
    "normType",
    "scaleGradByFreq",
    "sparse",
    "_weight",
    "device",
    "dtype",
  ],
  {
    paddingIdx: null,
    maxNorm: null,
    normType: 2,
    scaleGradByFreq: false,
    sparse: false,
    _weight: undefined,
    ...factoryDefaults,
  },
);

export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  readonly maxNorm: number | null;
  readonly normType: number;
  readonly scaleGradByFreq: boolean;
  weight: Parameter;
  constructor(...args: ArgsOf<typeof embeddingArgs>) {
    super();
    const { numEmbeddings, embeddingDim, ...opts } = embeddingArgs.parse(args);
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    let pidx = opts.paddingIdx ?? null;
    if (pidx !== null) {
      if (pidx >= numEmbeddings || pidx < -numEmbeddings)
        throw new ValueError(`Embedding: padding_idx (${pidx}) must be within num_embeddings (${numEmbeddings})`);
      if (pidx < 0) pidx += numEmbeddings;
    }
    if (opts.sparse) throw new ValueError("Embedding: sparse gradients are not supported");
    this.paddingIdx = pidx;
    this.maxNorm = opts.maxNorm ?? null;
    this.normType = opts.normType ?? 2;
    this.scaleGradByFreq = opts.scaleGradByFreq ?? false;
    if (opts._weight) {
      this.weight = new Parameter(opts._weight);
    } else {
      this.weight = new Parameter(zeros([numEmbeddings, embeddingDim], { dtype: factoryDType("Embedding", opts) }));
      this.resetParameters();
    }
  }
  resetParameters(): void {
    normal_(this.weight);
    if (this.paddingIdx !== null) {
      const row = this.paddingIdx;
      noGrad(() => this.weight.select(0, row).fill_(0));
    }
  }
  forward(input: Tensor): Tensor {
    return embedding(input, this.weight, this.paddingIdx, this.maxNorm, this.normType, this.scaleGradByFreq);
  }
  static fromPretrained(
    embeddings: Tensor,
    opts: Omit<EmbeddingOptions, "_weight"> & { freeze?: boolean } = {},
  ): Embedding {
    const [n, d] = embeddings.shape;
    const e = new Embedding(n, d, { ...opts, _weight: embeddings });
    e.weight.requiresGrad = !(opts.freeze ?? true);
    return e;
  }
  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    if (this.maxNorm !== null) s += `, max_norm=${pyFloat(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyFloat(this.normType)}`;
    if (this.scaleGradByFreq) s += ", scale_grad_by_freq=True";
    return s;
  }
}
