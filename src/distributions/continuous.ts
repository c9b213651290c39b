// Normal and Uniform, with torch.distributions' formulas and PyTorch's draws
// (normal_ of an empty tensor for rsample; torch.rand for Uniform).
import type { Tensor } from "../tensor.js";
import { ValueError } from "../errors.js";
import { empty } from "../ops/creation.js";
import { rand } from "../ops/random.js";
import { add, div, gt, le, mul, pow, sub } from "../ops/binary.js";
import { erf, log, neg } from "../ops/unary.js";
import { toDType } from "../ops/cast.js";
import { Distribution, type SampleShape, type TensorOrNumber, broadcastAll } from "./base.js";

/** distributions.Normal(loc, scale). */
export class Normal extends Distribution {
  readonly loc: Tensor;
  readonly scale: Tensor;
  constructor(loc: TensorOrNumber, scale: TensorOrNumber, opts: { validateArgs?: boolean } = {}) {
    const [l, s] = broadcastAll(loc, scale);
    super(l.shape);
    [this.loc, this.scale] = [l, s];
    if (opts.validateArgs !== false && (s.detach().typedArray() as Float32Array).some((v) => !(v > 0))) {
      throw new ValueError(`Normal: expected parameter scale to be positive, got ${s.toString()}`);
    }
  }
  get mean(): Tensor {
    return this.loc;
  }
  get variance(): Tensor {
    return pow(this.scale, 2);
  }
  override get stddev(): Tensor {
    return this.scale;
  }
  override get hasRsample(): boolean {
    return true;
  }
  override rsample(sampleShape: SampleShape = []): Tensor {
    const eps = empty(this.extendedShape(sampleShape), { dtype: this.loc.dtype }).normal_();
    return add(this.loc, mul(eps, this.scale));
  }
  logProb(value: Tensor): Tensor {
    const v = pow(this.scale, 2);
    return sub(
      sub(div(neg(pow(sub(value, this.loc), 2)), mul(v, 2)), log(this.scale)),
      Math.log(Math.sqrt(2 * Math.PI)),
    );
  }
  entropy(): Tensor {
    return add(log(this.scale), 0.5 + 0.5 * Math.log(2 * Math.PI));
  }
  cdf(value: Tensor): Tensor {
    return mul(add(erf(div(mul(sub(value, this.loc), this.scale.reciprocal()), Math.SQRT2)), 1), 0.5);
  }
}

/** distributions.Uniform(low, high): [low, high). */
export class Uniform extends Distribution {
  readonly low: Tensor;
  readonly high: Tensor;
  constructor(low: TensorOrNumber, high: TensorOrNumber, opts: { validateArgs?: boolean } = {}) {
    const [l, h] = broadcastAll(low, high);
    super(l.shape);
    [this.low, this.high] = [l, h];
    if (opts.validateArgs !== false && (gt(l, h).typedArray() as Uint8Array).some((v) => v !== 0))
      throw new ValueError("Uniform: expected low <= high");
  }
  get mean(): Tensor {
    return div(add(this.high, this.low), 2);
  }
  get variance(): Tensor {
    return div(pow(sub(this.high, this.low), 2), 12);
  }
  override get hasRsample(): boolean {
    return true;
  }
  override rsample(sampleShape: SampleShape = []): Tensor {
    const r = rand(this.extendedShape(sampleShape), { dtype: this.low.dtype });
    return add(this.low, mul(r, sub(this.high, this.low)));
  }
  logProb(value: Tensor): Tensor {
    const lb = toDType(le(this.low, value), this.low.dtype),
      ub = toDType(gt(this.high, value), this.low.dtype);
    return sub(log(mul(lb, ub)), log(sub(this.high, this.low)));
  }
  entropy(): Tensor {
    return log(sub(this.high, this.low));
  }
  cdf(value: Tensor): Tensor {
    return div(sub(value, this.low), sub(this.high, this.low)).clamp(0, 1);
  }
}
