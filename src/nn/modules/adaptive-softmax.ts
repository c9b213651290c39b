// nn.AdaptiveLogSoftmaxWithLoss (Grave et al.'s adaptive softmax) as PyTorch 1.13: a head over
// the shortlist plus one entry per cluster, and per cluster a two-layer projection; forward gives
// { output: target log-probabilities, loss }, logProb the full [N, nClasses] log-probabilities.
import type { Tensor } from "../../tensor.js";
import { ShapeError, ValueError, fmtShape } from "../../errors.js";
import { cat } from "../../ops/join.js";
import { Module } from "../module.js";
import { Linear } from "./linear.js";
import { ModuleList, Sequential } from "./container.js";
import { moduleArgs } from "./util.js";
import { wrap } from "../../ops/util.js";

export interface ASMOutput {
  output: Tensor;
  loss: Tensor;
}

export class AdaptiveLogSoftmaxWithLoss extends Module {
  readonly inFeatures: number;
  readonly nClasses: number;
  readonly cutoffs: number[];
  readonly divValue: number;
  readonly headBias: boolean;
  readonly shortlistSize: number;
  readonly nClusters: number;
  readonly headSize: number;
  head: Linear;
  tail: ModuleList;
  /** (inFeatures, nClasses, cutoffs, divValue = 4, headBias = false). */
  constructor(inFeatures: number, nClasses: number, cutoffs: number[], ...args: unknown[]) {
    super();
    const o = moduleArgs<{ divValue: number; headBias: boolean; dtype: "float32" | "float64" }>(
      "AdaptiveLogSoftmaxWithLoss",
      args,
      ["divValue", "headBias", "dtype"],
      { divValue: 4, headBias: false, dtype: "float32" },
    );
    const sorted = [...cutoffs].sort((a, b) => a - b);
    if (
      cutoffs.some((c, i) => c !== sorted[i]) ||
      cutoffs.length === 0 ||
      cutoffs[0] <= 0 ||
      cutoffs[cutoffs.length - 1] > nClasses - 1 ||
      new Set(cutoffs).size !== cutoffs.length ||
      cutoffs.some((c) => !Number.isInteger(c))
    ) {
      throw new ValueError(
        "AdaptiveLogSoftmaxWithLoss: cutoffs should be a sequence of unique, positive integers sorted in an increasing order, where each value is between 1 and n_classes-1",
      );
    }
    [this.inFeatures, this.nClasses, this.divValue, this.headBias] = [inFeatures, nClasses, o.divValue, o.headBias];
    this.cutoffs = [...cutoffs, nClasses];
    this.shortlistSize = this.cutoffs[0];
    this.nClusters = this.cutoffs.length - 1;
    this.headSize = this.shortlistSize + this.nClusters;
    this.head = new Linear(inFeatures, this.headSize, { bias: o.headBias, dtype: o.dtype });
    this.tail = new ModuleList();
    for (let i = 0; i < this.nClusters; i++) {
      const hsz = Math.floor(inFeatures / this.divValue ** (i + 1));
      const osz = this.cutoffs[i + 1] - this.cutoffs[i];
      this.tail.append(
        new Sequential(
          new Linear(inFeatures, hsz, { bias: false, dtype: o.dtype }),
          new Linear(hsz, osz, { bias: false, dtype: o.dtype }),
        ),
      );
    }
  }
  private cluster(i: number, x: Tensor): Tensor {
    return (this.tail.at(i).call as (t: Tensor) => Tensor)(x);
  }
  forward(input0: Tensor, target0: Tensor): ASMOutput {
    const batched = target0.dim() > 0;
    if (target0.dim() > 1)
      throw new ShapeError(
        `AdaptiveLogSoftmaxWithLoss: 0D or 1D target tensor expected, multi-target not supported (got ${fmtShape(target0.shape)})`,
      );
    if (batched && (input0.dim() !== 2 || input0.shape[0] !== target0.shape[0]))
      throw new ShapeError(
        `AdaptiveLogSoftmaxWithLoss: 1D target tensor expects 2D input tensors of the same batch size, got input ${fmtShape(input0.shape)} and target ${fmtShape(target0.shape)}`,
      );
    if (!batched && input0.dim() !== 1)
      throw new ShapeError(
        `AdaptiveLogSoftmaxWithLoss: 0D target tensor expects 1D input tensors, got ${fmtShape(input0.shape)}`,
      );
    const input = batched ? input0 : input0.unsqueeze(0),
      target = batched ? target0 : target0.unsqueeze(0);
    const B = target.shape[0];
    const t = Array.from(target.typedArray(), Number);
    const gatherInds = new Float64Array(B);
    let output = input.newZeros(B);
    const bounds = [0, ...this.cutoffs];
    let used = 0;
    for (let i = 0; i < bounds.length - 1; i++) {
      const rows = t.flatMap((v, r) => (v >= bounds[i] && v < bounds[i + 1] ? [r] : []));
      if (rows.length === 0) continue;
      if (i === 0) for (const r of rows) gatherInds[r] = t[r];
      else {
        const rowT = wrap(Float64Array.from(rows), [rows.length], "int64");
        const rel = wrap(Float64Array.from(rows.map((r) => t[r] - bounds[i])), [rows.length, 1], "int64");
        const logp = this.cluster(i - 1, input.indexSelect(0, rowT)).logSoftmax(1);
        for (const r of rows) gatherInds[r] = this.shortlistSize + i - 1;
        output = output.indexPut([rowT], logp.gather(1, rel).squeeze(1));
      }
      used += rows.length;
    }
    if (used !== B)
      throw new ValueError(
        `AdaptiveLogSoftmaxWithLoss: target values should be in [0, ${this.nClasses - 1}] but values in range [${Math.min(...t)}, ${Math.max(...t)}] were found`,
      );
    const headLogprob = (this.head.call as (x: Tensor) => Tensor)(input).logSoftmax(1);
    output = output.add(headLogprob.gather(1, wrap(gatherInds, [B, 1], "int64")).squeeze(1));
    const loss = output.neg().mean();
    return { output: batched ? output : output.squeeze(0), loss };
  }
  /** Log-probabilities of every class, [N, nClasses] (or [nClasses] unbatched). */
  logProb(input0: Tensor): Tensor {
    const batched = input0.dim() === 2;
    const input = batched ? input0 : input0.unsqueeze(0);
    const headLogprob = (this.head.call as (x: Tensor) => Tensor)(input).logSoftmax(1);
    const parts = [headLogprob.narrow(1, 0, this.shortlistSize)];
    for (let i = 0; i < this.nClusters; i++) {
      parts.push(
        this.cluster(i, input)
          .logSoftmax(1)
          .add(headLogprob.select(1, this.shortlistSize + i).unsqueeze(1)),
      );
    }
    const out = cat(parts, 1);
    return batched ? out : out.squeeze(0);
  }
  /** The most likely class per row. */
  predict(input: Tensor): Tensor {
    return this.logProb(input).argmax(-1);
  }
}
