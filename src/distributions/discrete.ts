// Bernoulli and Categorical (probs or logits), with torch.distributions' formulas and PyTorch's
// draws: torch.bernoulli for Bernoulli; torch.multinomial with replacement for Categorical
// (PyTorch's CPU kernel: normalised cumulative sums, searched with one 53-bit uniform per draw).
import { Tensor } from "../tensor.js";
import { ValueError } from "../errors.js";
import { defaultGenerator, uniform53 } from "../random/index.js";
import { bernoulli } from "../ops/random.js";
import { gather } from "../ops/indexing.js";
import { log, log1p, neg, sigmoid } from "../ops/unary.js";
import { mul, sub, div } from "../ops/binary.js";
import { logsumexp, sum } from "../ops/reduce.js";
import { softmax } from "../ops/softmax.js";
import { binaryCrossEntropyWithLogits } from "../ops/loss.js";
import { clamp } from "../ops/clamp.js";
import { contiguous, toDType } from "../ops/cast.js";
import { expand, reshape, squeeze, unsqueeze } from "../ops/view.js";
import { wrap } from "../ops/util.js";
import { full } from "../ops/creation.js";
import { broadcastShapes } from "../shape.js";
import { noGrad } from "../autograd/grad-mode.js";
import { Distribution, type SampleShape, broadcastAll } from "./base.js";

const epsOf = (t: Tensor): number => (t.dtype === "float64" ? 2.220446049250313e-16 : 1.1920928955078125e-7);
const clampProbs = (p: Tensor): Tensor => clamp(p, epsOf(p), 1 - epsOf(p));

export interface ProbsOrLogits {
  probs?: Tensor | number;
  logits?: Tensor | number;
  validateArgs?: boolean;
}

/** distributions.Bernoulli({ probs } | { logits }) (or Bernoulli(probs)). */
export class Bernoulli extends Distribution {
  readonly probs: Tensor;
  readonly logits: Tensor;
  constructor(probsOrOpts: Tensor | number | ProbsOrLogits) {
    const o: ProbsOrLogits =
      probsOrOpts instanceof Tensor || typeof probsOrOpts === "number" ? { probs: probsOrOpts } : probsOrOpts;
    if ((o.probs === undefined) === (o.logits === undefined))
      throw new ValueError("Bernoulli: either `probs` or `logits` must be specified, but not both.");
    let probs: Tensor, logits: Tensor;
    if (o.probs !== undefined) {
      [probs] = broadcastAll(o.probs);
      const pc = clampProbs(probs);
      logits = sub(log(pc), log1p(neg(pc)));
    } else {
      [logits] = broadcastAll(o.logits as Tensor | number);
      probs = sigmoid(logits);
    }
    super(probs.shape);
    [this.probs, this.logits] = [probs, logits];
  }
  get mean(): Tensor {
    return this.probs;
  }
  get variance(): Tensor {
    return mul(this.probs, sub(1, this.probs));
  }
  override sample(sampleShape: SampleShape = []): Tensor {
    return noGrad(() => bernoulli(contiguous(expand(this.probs, this.extendedShape(sampleShape)))));
  }
  logProb(value: Tensor): Tensor {
    const [l, v] = broadcastAll(this.logits, value);
    return neg(binaryCrossEntropyWithLogits(l, toDType(v, l.dtype), null, "none"));
  }
  entropy(): Tensor {
    return binaryCrossEntropyWithLogits(this.logits, this.probs, null, "none");
  }
}

/** distributions.Categorical({ probs } | { logits }) (or Categorical(probs)): events over the last dim. */
export class Categorical extends Distribution {
  readonly probs: Tensor;
  readonly logits: Tensor;
  readonly numEvents: number;
  constructor(probsOrOpts: Tensor | ProbsOrLogits) {
    const o: ProbsOrLogits = probsOrOpts instanceof Tensor ? { probs: probsOrOpts } : probsOrOpts;
    if ((o.probs === undefined) === (o.logits === undefined))
      throw new ValueError("Categorical: either `probs` or `logits` must be specified, but not both.");
    let probs: Tensor, logits: Tensor;
    if (o.probs !== undefined) {
      const p = o.probs as Tensor;
      if (p.dim() < 1) throw new ValueError("Categorical: `probs` parameter must be at least one-dimensional.");
      probs = div(p, sum(p, -1, true));
      logits = log(clampProbs(probs));
    } else {
      const l = o.logits as Tensor;
      if (l.dim() < 1) throw new ValueError("Categorical: `logits` parameter must be at least one-dimensional.");
      logits = sub(l, logsumexp(l, -1, true));
      probs = softmax(logits, -1);
    }
    super(probs.shape.slice(0, -1));
    [this.probs, this.logits] = [probs, logits];
    this.numEvents = probs.shape[probs.dim() - 1];
  }
  /** NaN, as PyTorch's (a categorical has no mean). */
  get mean(): Tensor {
    return full(this.batchShape, NaN, { dtype: this.probs.dtype });
  }
  get variance(): Tensor {
    return this.mean;
  }
  override sample(sampleShape: SampleShape = []): Tensor {
    const n = sampleShape.reduce((a, b) => a * b, 1);
    const p2 = contiguous(reshape(this.probs, [-1, this.numEvents])).detach();
    const rows = p2.shape[0],
      k = this.numEvents;
    const p = p2.typedArray() as Float32Array | Float64Array;
    const out = new Float64Array(rows * n);
    {
      const f = p2.dtype === "float64" ? (v: number) => v : Math.fround;
      const cum = new Float64Array(k);
      for (let r = 0; r < rows; r++) {
        let s = 0;
        for (let j = 0; j < k; j++) {
          s = f(s + p[r * k + j]);
          cum[j] = s;
        }
        if (s > 0) for (let j = 0; j < k; j++) cum[j] = f(cum[j] / s);
        for (let i = 0; i < n; i++) {
          const u = uniform53(defaultGenerator);
          let lo = 0,
            hi = k;
          while (hi - lo > 0) {
            const mid = lo + ((hi - lo) >> 1);
            if (cum[mid] < u) lo = mid + 1;
            else hi = mid;
          }
          out[r * n + i] = lo;
        }
      }
    }
    // samples_2d = multinomial(probs_2d, n, True).T, reshaped to sample_shape + batch_shape.
    const t = wrap(out, [rows, n], "int64");
    return contiguous(reshape(t.t(), this.extendedShape(sampleShape)));
  }
  logProb(value: Tensor): Tensor {
    const v = unsqueeze(toDType(value, "int64"), -1);
    const shape = broadcastShapes(v.shape, this.logits.shape, "Categorical.log_prob");
    const idx = expand(v, [...shape.slice(0, -1), 1]);
    return squeeze(gather(contiguous(expand(this.logits, shape)), -1, contiguous(idx)), -1);
  }
  entropy(): Tensor {
    const minReal = this.logits.dtype === "float64" ? -1.7976931348623157e308 : -3.4028234663852886e38;
    const logits = clamp(this.logits, minReal);
    return neg(sum(mul(logits, this.probs), -1));
  }
}
