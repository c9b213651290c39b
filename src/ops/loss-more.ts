// The remaining losses of torch.nn.functional (PyTorch 1.13's formulas), composed from
// differentiable ops: margin_ranking, hinge_embedding, soft_margin, cosine_embedding,
// multi_margin, multilabel_margin, multilabel_soft_margin, poisson_nll, gaussian_nll,
// triplet_margin (with or without a distance function) and ctc_loss.
import { Tensor } from "../tensor.js";
import { DTypeError, ShapeError, ValueError, fmtShape } from "../errors.js";
import { add, div, eq, gt, logicalAnd, maximum, minimum, mul, ne, pow, sub, where } from "./binary.js";
import { exp, isinf, log, neg, sqrt } from "./unary.js";
import { mean, sum } from "./reduce.js";
import { clamp } from "./clamp.js";
import { cat } from "./join.js";
import { softplus } from "./activation.js";
import { toDType } from "./cast.js";
import { isFloating } from "../dtype.js";
import { gather, indexSelect } from "./indexing.js";
import { expand, reshape, select, slice, squeeze, unsqueeze } from "./view.js";
import { pairwiseDistance } from "./norm-distance.js";
import { isTensor, wrap } from "./util.js";
import { full } from "./creation.js";
import type { Reduction } from "./loss.js";

export function reduceLoss(loss: Tensor, reduction: Reduction, op: string): Tensor {
  if (reduction === "mean") return mean(loss);
  if (reduction === "sum") return sum(loss);
  if (reduction === "none") return loss;
  throw new ValueError(`${op}: ${String(reduction)} is not a valid value for reduction`);
}

const relu0 = (x: Tensor): Tensor => clamp(x, 0);

export function marginRankingLoss(
  x1: Tensor,
  x2: Tensor,
  target: Tensor,
  margin = 0,
  reduction: Reduction = "mean",
): Tensor {
  if (x1.dim() !== x2.dim() || x1.dim() !== target.dim()) {
    throw new ShapeError(
      `margin_ranking_loss: all input tensors should have same dimension but got sizes: input1: ${fmtShape(x1.shape)}, input2: ${fmtShape(x2.shape)}, target: ${fmtShape(target.shape)}`,
    );
  }
  // margin is a float in PyTorch's signature: integer inputs promote to the default float dtype.
  const d = mul(neg(target), sub(x1, x2));
  const df = isFloating(d.dtype) ? d : toDType(d, "float32");
  return reduceLoss(relu0(add(df, margin)), reduction, "margin_ranking_loss");
}

export function hingeEmbeddingLoss(input: Tensor, target: Tensor, margin = 1, reduction: Reduction = "mean"): Tensor {
  const marginClamp = relu0(sub(margin, input));
  const out = add(where(ne(target, 1), marginClamp, 0), where(ne(target, -1), input, 0));
  return reduceLoss(out, reduction, "hinge_embedding_loss");
}

export function softMarginLoss(input: Tensor, target: Tensor, reduction: Reduction = "mean"): Tensor {
  return reduceLoss(log(add(exp(mul(neg(target), input)), 1)), reduction, "soft_margin_loss");
}

export function cosineEmbeddingLoss(
  x1: Tensor,
  x2: Tensor,
  target: Tensor,
  margin = 0,
  reduction: Reduction = "mean",
): Tensor {
  if (x1.dim() !== x2.dim() || x1.dim() < 1 || x1.dim() > 2)
    throw new ShapeError(
      `cosine_embedding_loss: expected 1-D or 2-D inputs of the same dimension, got ${fmtShape(x1.shape)} and ${fmtShape(x2.shape)}`,
    );
  const d = x1.dim() - 1,
    EPS = 1e-12;
  const prod = sum(mul(x1, x2), d);
  const m1 = add(sum(mul(x1, x1), d), EPS),
    m2 = add(sum(mul(x2, x2), d), EPS);
  const cos = div(prod, sqrt(mul(m1, m2)));
  const out = add(where(eq(target, 1), sub(1, cos), 0), where(eq(target, -1), relu0(sub(cos, margin)), 0));
  return reduceLoss(out, reduction, "cosine_embedding_loss");
}

/** One-hot [N, C] (as x's dtype) of class indices [N]. */
function oneHotOf(target: Tensor, c: number, dtype: Tensor["dtype"]): Tensor {
  const t = target.typedArray(),
    n = t.length;
  const a = dtype === "float64" ? new Float64Array(n * c) : new Float32Array(n * c);
  for (let i = 0; i < n; i++) {
    if (t[i] < 0 || t[i] >= c)
      throw new ValueError(`multi_margin_loss: target ${t[i]} is out of bounds for ${c} classes`);
    a[i * c + t[i]] = 1;
  }
  return wrap(a, [n, c], dtype);
}

export function multiMarginLoss(
  input: Tensor,
  target: Tensor,
  p = 1,
  margin = 1,
  weight: Tensor | null = null,
  reduction: Reduction = "mean",
): Tensor {
  if (p !== 1 && p !== 2) throw new ValueError("multi_margin_loss: only p == 1 and p == 2 supported");
  const x = input.dim() <= 1 ? reshape(input, [1, -1]) : input;
  const y = reshape(target, [-1]);
  if (x.dim() !== 2 || y.shape[0] !== x.shape[0])
    throw new ShapeError(
      `multi_margin_loss: inconsistent input ${fmtShape(input.shape)} and target ${fmtShape(target.shape)}`,
    );
  const c = x.shape[1];
  const xy = gather(x, 1, reshape(toDType(y, "int64"), [-1, 1]));
  let z = relu0(add(sub(margin, xy), x));
  if (p === 2) z = mul(z, z);
  if (weight) z = mul(z, reshape(indexSelect(weight, 0, toDType(y, "int64")), [-1, 1]));
  z = mul(z, sub(1, oneHotOf(y, c, x.dtype)));
  let loss = div(sum(z, 1), c);
  if (input.dim() <= 1 && reduction === "none") loss = reshape(loss, target.shape);
  return reduceLoss(loss, reduction, "multi_margin_loss");
}

export function multilabelMarginLoss(input: Tensor, target: Tensor, reduction: Reduction = "mean"): Tensor {
  const x = input.dim() <= 1 ? reshape(input, [1, -1]) : input;
  const y = target.dim() <= 1 ? reshape(target, [1, -1]) : target;
  if (x.dim() !== 2 || y.shape[0] !== x.shape[0] || y.shape[1] !== x.shape[1])
    throw new ShapeError(
      `multilabel_margin_loss: inconsistent input ${fmtShape(input.shape)} and target ${fmtShape(target.shape)}`,
    );
  const [n, c] = x.shape;
  // count[i, j]: how often class j is listed (before the first -1); isTarget: listed at all.
  const t = y.typedArray();
  const count = new Float64Array(n * c),
    notTarget = new Float64Array(n * c).fill(1);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < c; k++) {
      const j = t[i * c + k];
      if (j < 0) break;
      if (j >= c) throw new ValueError(`multilabel_margin_loss: target ${j} is out of bounds for ${c} classes`);
      count[i * c + j] += 1;
      notTarget[i * c + j] = 0;
    }
  }
  const cast = (a: Float64Array) => wrap(x.dtype === "float64" ? a : Float32Array.from(a), [n, c], x.dtype);
  // z[i, j, k] = relu(1 - x[i, j] + x[i, k]) for listed j and unlisted k.
  const z = relu0(add(sub(1, unsqueeze(x, 2)), unsqueeze(x, 1)));
  const w = mul(unsqueeze(cast(count), 2), unsqueeze(cast(notTarget), 1));
  let loss = div(sum(mul(z, w), [1, 2]), c);
  if (input.dim() <= 1) loss = reshape(loss, []);
  return reduceLoss(loss, reduction, "multilabel_margin_loss");
}

export function multilabelSoftMarginLoss(
  input: Tensor,
  target: Tensor,
  weight: Tensor | null = null,
  reduction: Reduction = "mean",
): Tensor {
  // -(y log σ(x) + (1 - y) log σ(-x)) = y softplus(-x) + (1 - y) softplus(x)
  let loss = add(mul(target, softplus(neg(input))), mul(sub(1, target), softplus(input)));
  if (weight) loss = mul(loss, weight);
  const classDim = input.dim() - 1;
  loss = div(sum(loss, classDim), input.shape[classDim]);
  return reduceLoss(loss, reduction, "multilabel_soft_margin_loss");
}

export function poissonNllLoss(
  input: Tensor,
  target: Tensor,
  logInput = true,
  full = false,
  eps = 1e-8,
  reduction: Reduction = "mean",
): Tensor {
  let loss = logInput ? sub(exp(input), mul(target, input)) : sub(input, mul(target, log(add(input, eps))));
  if (full) {
    const safe = where(gt(target, 1), target, 1);
    const stirling = add(sub(mul(safe, log(safe)), safe), mul(log(mul(safe, 2 * Math.PI)), 0.5));
    loss = add(loss, where(gt(target, 1), stirling, 0));
  }
  return reduceLoss(loss, reduction, "poisson_nll_loss");
}

export function gaussianNllLoss(
  input: Tensor,
  target: Tensor,
  variance: Tensor,
  full = false,
  eps = 1e-6,
  reduction: Reduction = "mean",
): Tensor {
  let v = variance;
  const same = v.dim() === input.dim() && v.shape.every((s, i) => s === input.shape[i]);
  if (!same) {
    const lead = input.shape.slice(0, -1);
    if (v.dim() === lead.length && v.shape.every((s, i) => s === lead[i])) v = unsqueeze(v, -1);
    else if (!(
      v.dim() === input.dim() &&
      v.shape[v.dim() - 1] === 1 &&
      v.shape.slice(0, -1).every((s, i) => s === lead[i])
    )) {
      throw new ValueError(
        `gaussian_nll_loss: var is of incorrect size ${fmtShape(variance.shape)} for input ${fmtShape(input.shape)}`,
      );
    }
  }
  if ((v.typedArray() as Float32Array).some((x) => x < 0))
    throw new ValueError("gaussian_nll_loss: var has negative entry/entries");
  // PyTorch clamps a clone of var under no_grad: the value is clamped, the gradient passes as if not.
  const vc = add(v, sub(clamp(v, eps), v).detach());
  let loss = mul(add(log(vc), div(pow(sub(input, target), 2), vc)), 0.5);
  if (full) loss = add(loss, 0.5 * Math.log(2 * Math.PI));
  return reduceLoss(loss, reduction, "gaussian_nll_loss");
}

export type DistanceFn = (a: Tensor, b: Tensor) => Tensor;

export function tripletMarginWithDistanceLoss(
  anchor: Tensor,
  positive: Tensor,
  negative: Tensor,
  distanceFunction: DistanceFn | null = null,
  margin = 1,
  swap = false,
  reduction: Reduction = "mean",
): Tensor {
  if (margin <= 0)
    throw new ValueError(`triplet_margin_with_distance_loss: expected margin to be greater than 0, got ${margin}`);
  const dist = distanceFunction ?? ((a: Tensor, b: Tensor) => pairwiseDistance(a, b));
  const dPos = dist(anchor, positive);
  let dNeg = dist(anchor, negative);
  if (swap) dNeg = minimum(dNeg, dist(positive, negative));
  return reduceLoss(relu0(add(sub(dPos, dNeg), margin)), reduction, "triplet_margin_with_distance_loss");
}

export function tripletMarginLoss(
  anchor: Tensor,
  positive: Tensor,
  negative: Tensor,
  margin = 1,
  p = 2,
  eps = 1e-6,
  swap = false,
  reduction: Reduction = "mean",
): Tensor {
  const nd = anchor.dim();
  if (positive.dim() !== nd || negative.dim() !== nd)
    throw new ShapeError(
      `triplet_margin_loss: all inputs should have the same number of dimensions, got anchor ${fmtShape(anchor.shape)}, positive ${fmtShape(positive.shape)}, negative ${fmtShape(negative.shape)}`,
    );
  const dist = (a: Tensor, b: Tensor) => pairwiseDistance(a, b, p, eps);
  const dPos = dist(anchor, positive);
  let dNeg = dist(anchor, negative);
  if (swap) dNeg = minimum(dNeg, dist(positive, negative));
  return reduceLoss(relu0(add(sub(dPos, dNeg), margin)), reduction, "triplet_margin_loss");
}

/** log(exp(a) + exp(b) + exp(c)) that stays -inf (with zero gradient, not NaN) when all are -inf. */
function logAddExp3(a: Tensor, b: Tensor, c: Tensor): Tensor {
  const m = maximum(maximum(a, b), c).detach();
  const finite = gt(m, -Infinity);
  const ms = where(finite, m, 0);
  const s = add(add(exp(sub(a, ms)), exp(sub(b, ms))), exp(sub(c, ms)));
  const ok = logicalAnd(finite, gt(s, 0));
  return where(ok, add(log(where(ok, s, 1)), ms), -Infinity);
}

const lengthsOf = (v: Tensor | readonly number[], n: number, what: string): number[] => {
  const a = isTensor(v) ? Array.from(v.typedArray(), Number) : [...v];
  if (a.length !== n) throw new ShapeError(`ctc_loss: expected ${what} to have ${n} entries, got ${a.length}`);
  return a;
};

/**
 * F.ctc_loss(logProbs [T, N, C] (or [T, C]), targets [N, S] padded or 1-D concatenated,
 * inputLengths, targetLengths, blank = 0, reduction = 'mean', zeroInfinity = false): the
 * forward (alpha) recursion in log space over padded batches; the gradient is autograd's.
 */
export function ctcLoss(
  logProbs: Tensor,
  targets: Tensor,
  inputLengths: Tensor | readonly number[],
  targetLengths: Tensor | readonly number[],
  blank = 0,
  reduction: Reduction = "mean",
  zeroInfinity = false,
): Tensor {
  if (logProbs.dtype !== "float32" && logProbs.dtype !== "float64")
    throw new DTypeError(`ctc_loss: expected floating point log_probs, got ${logProbs.dtype}`);
  const unbatched = logProbs.dim() === 2;
  const lp = unbatched ? unsqueeze(logProbs, 1) : logProbs;
  if (lp.dim() !== 3)
    throw new ShapeError(`ctc_loss: expected log_probs [T, N, C] or [T, C], got ${fmtShape(logProbs.shape)}`);
  const [T, N, C] = lp.shape;
  const inLen = lengthsOf(inputLengths, N, "input_lengths"),
    tgLen = lengthsOf(targetLengths, N, "target_lengths");
  const tg = Array.from(targets.typedArray(), Number);
  // Target label lists per sample.
  const labels: number[][] = [];
  let off = 0;
  for (let i = 0; i < N; i++) {
    if (targets.dim() === 2 || (unbatched && targets.dim() === 1)) {
      const S = targets.dim() === 2 ? targets.shape[1] : targets.numel();
      labels.push(tg.slice(i * S, i * S + tgLen[i]));
    } else {
      labels.push(tg.slice(off, off + tgLen[i]));
      off += tgLen[i];
    }
    if (labels[i].some((l) => l < 0 || l >= C || l === blank))
      throw new ValueError(
        `ctc_loss: targets of sample ${i} must be class indices in [0, ${C}) other than blank (${blank})`,
      );
    if (inLen[i] > T || inLen[i] < 0)
      throw new ValueError(`ctc_loss: input length ${inLen[i]} is out of range for T = ${T}`);
  }
  const Smax = Math.max(...labels.map((l) => 2 * l.length + 1));
  // Extended label sequence l' (blank, l1, blank, l2, …, blank), padded with blanks; skip[s]: the
  // s-2 transition is allowed; valid[s]: s is inside the sample's extended sequence.
  const ext = new Float64Array(N * Smax).fill(blank),
    skip = new Uint8Array(N * Smax),
    valid = new Uint8Array(N * Smax);
  labels.forEach((l, i) => {
    for (let s = 0; s < 2 * l.length + 1; s++) {
      valid[i * Smax + s] = 1;
      if (s % 2 === 1) {
        ext[i * Smax + s] = l[(s - 1) / 2];
        if (s >= 3 && l[(s - 1) / 2] !== l[(s - 3) / 2]) skip[i * Smax + s] = 1;
      }
    }
  });
  const dt = lp.dtype;
  const extT = wrap(ext, [N, Smax], "int64");
  const skipT = wrap(Float64Array.from(skip), [N, Smax], "float64");
  const validT = wrap(Float64Array.from(valid), [N, Smax], "float64");
  const NEG = wrap(
    dt === "float64" ? new Float64Array(N * 2).fill(-Infinity) : new Float32Array(N * 2).fill(-Infinity),
    [N, 2],
    dt,
  );
  const emit = (t: number): Tensor => gather(select(lp, 0, t), 1, extT);
  // alpha_0: only s = 0 and s = 1 start.
  const startMask = wrap(
    Float64Array.from({ length: N * Smax }, (_, j) => (j % Smax < 2 && valid[j] ? 1 : 0)),
    [N, Smax],
    "float64",
  );
  let alpha = where(gt(startMask, 0), emit(0), -Infinity);
  for (let t = 1; t < T; t++) {
    const a1 = catShift(alpha, 1, NEG),
      a2 = where(gt(skipT, 0), catShift(alpha, 2, NEG), -Infinity);
    let next = add(logAddExp3(alpha, a1, a2), emit(t));
    next = where(gt(validT, 0), next, -Infinity);
    const running = wrap(
      Float64Array.from({ length: N }, (_, i) => (t < inLen[i] ? 1 : 0)),
      [N, 1],
      "float64",
    );
    alpha = where(gt(running, 0), next, alpha);
  }
  // -log(alpha_T(S'-1) + alpha_T(S'-2)).
  const lastIdx = wrap(Float64Array.from(labels.map((l) => 2 * l.length)), [N, 1], "int64");
  const prevIdx = wrap(Float64Array.from(labels.map((l) => Math.max(2 * l.length - 1, 0))), [N, 1], "int64");
  const aLast = squeeze(gather(alpha, 1, lastIdx), 1);
  const aPrev = where(
    gt(wrap(Float64Array.from(labels.map((l) => (l.length > 0 ? 1 : 0))), [N], "float64"), 0),
    squeeze(gather(alpha, 1, prevIdx), 1),
    -Infinity,
  );
  let loss = neg(logAddExp3(aLast, aPrev, full(aLast.shape, -Infinity, { dtype: dt })));
  // PyTorch's backward returns exp(log_probs) - (occupation term): the gradient as seen through
  // a log_softmax (where the first term cancels). A zero-valued term with gradient exp(lp) for
  // every frame t < input_length gives autograd the same numbers.
  const frames = wrap(
    Float64Array.from({ length: T * N }, (_, j) => (Math.floor(j / N) < inLen[j % N] ? 1 : 0)),
    [T, N, 1],
    "float64",
  );
  const e = mul(exp(lp), toDType(frames, dt));
  loss = add(loss, sum(sub(e, e.detach()), [0, 2]));
  if (zeroInfinity) loss = where(isinf(loss), 0, loss);
  if (unbatched) loss = reshape(loss, []);
  if (reduction === "mean") {
    const lens = wrap(
      dt === "float64"
        ? Float64Array.from(tgLen.map((l) => Math.max(l, 1)))
        : Float32Array.from(tgLen.map((l) => Math.max(l, 1))),
      unbatched ? [] : [N],
      dt,
    );
    return mean(div(loss, lens));
  }
  return reduceLoss(loss, reduction, "ctc_loss");
}

/** a shifted right by k along dim 1, -inf filling the first k slots. */
function catShift(a: Tensor, k: number, neg: Tensor): Tensor {
  const [n, s] = a.shape;
  if (k >= s) return expand(slice(neg, 1, 0, 1), [n, s]);
  const fill = expand(slice(neg, 1, 0, 1), [n, k]);
  return cat([fill, slice(a, 1, 0, s - k)], 1);
}
