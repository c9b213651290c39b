// nn.PairwiseDistance and nn.CosineSimilarity.
import type { Tensor } from "../../tensor.js";
import { cosineSimilarity, pairwiseDistance } from "../../ops/norm-distance.js";
import { Module } from "../module.js";
import { moduleArgs } from "./util.js";

/** nn.PairwiseDistance(p = 2, eps = 1e-6, keepdim = false). */
export class PairwiseDistance extends Module {
  readonly norm: number;
  readonly eps: number;
  readonly keepdim: boolean;
  constructor(...args: unknown[]) {
    super();
    const o = moduleArgs<{ p: number; eps: number; keepdim: boolean }>(
      "PairwiseDistance",
      args,
      ["p", "eps", "keepdim"],
      { p: 2, eps: 1e-6, keepdim: false },
    );
    [this.norm, this.eps, this.keepdim] = [o.p, o.eps, o.keepdim];
  }
  forward(x1: Tensor, x2: Tensor): Tensor {
    return pairwiseDistance(x1, x2, this.norm, this.eps, this.keepdim);
  }
}

/** nn.CosineSimilarity(dim = 1, eps = 1e-8). */
export class CosineSimilarity extends Module {
  readonly dim: number;
  readonly eps: number;
  constructor(...args: unknown[]) {
    super();
    const o = moduleArgs<{ dim: number; eps: number }>("CosineSimilarity", args, ["dim", "eps"], { dim: 1, eps: 1e-8 });
    [this.dim, this.eps] = [o.dim, o.eps];
  }
  forward(x1: Tensor, x2: Tensor): Tensor {
    return cosineSimilarity(x1, x2, this.dim, this.eps);
  }
}
