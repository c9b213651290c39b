// FractionalMaxPool2d / 3d (Graham's fractional max pooling) as PyTorch 1.13's CPU kernels: one
// torch.rand draw of [N, C, nd] samples per call (unless given), pseudo-random window starts from
// them (generate_intervals, in the input's float precision), the max of each window gathered.
import type { Tensor } from "../../tensor.js";
import { ShapeError, ValueError, fmtShape } from "../../errors.js";
import { rand } from "../../ops/random.js";
import { argmaxIndices, gatherAt } from "../../ops/pool-nd.js";
import { Module } from "../module.js";
import { moduleArgs, py } from "./util.js";

type T = number | number[];

/** PyTorch's generate_intervals: window starts for one dim. */
function intervals(sample: number, inSize: number, outSize: number, pool: number, f: (v: number) => number): number[] {
  const seq = new Array<number>(outSize);
  if (outSize > 1) {
    const alpha = f((inSize - pool) / (outSize - 1));
    for (let i = 0; i < outSize - 1; i++) seq[i] = Math.trunc(f(f(i + sample) * alpha)) - Math.trunc(f(sample * alpha));
  }
  seq[outSize - 1] = inSize - pool;
  return seq;
}

/** F.fractional_max_poolNd(input, kernelSize, outputSize | outputRatio, returnIndices, randomSamples). */
export function fractionalMaxPool(
  nd: number,
  input: Tensor,
  kernelSize: T,
  outputSize: T | null,
  outputRatio: number | number[] | null,
  returnIndices = false,
  randomSamples: Tensor | null = null,
): Tensor | [Tensor, Tensor] {
  const op = `fractional_max_pool${nd}d`;
  if (input.dim() !== nd + 1 && input.dim() !== nd + 2)
    throw new ShapeError(`${op}: expected ${nd + 1}D or ${nd + 2}D input, got ${fmtShape(input.shape)}`);
  const batched = input.dim() === nd + 2;
  const x = batched ? input : input.unsqueeze(0);
  const sp = x.shape.slice(2);
  const k = typeof kernelSize === "number" ? new Array<number>(nd).fill(kernelSize) : kernelSize;
  let out: number[];
  if (outputSize !== null) out = typeof outputSize === "number" ? new Array<number>(nd).fill(outputSize) : outputSize;
  else if (outputRatio !== null) {
    const r = typeof outputRatio === "number" ? new Array<number>(nd).fill(outputRatio) : outputRatio;
    out = sp.map((s, i) => Math.trunc(s * r[i]));
  } else throw new ValueError(`${op} requires specifying either an output_size or an output_ratio`);
  out.forEach((o, i) => {
    if (o + k[i] - 1 > sp[i])
      throw new ShapeError(`${op}: out size ${o} too large relative to input size ${sp[i]} and pool size ${k[i]}`);
  });
  const [N, C] = x.shape;
  const samples = randomSamples ?? rand([N, C, nd], { dtype: x.dtype });
  const sv = samples.contiguous().typedArray();
  const f = x.dtype === "float32" ? Math.fround : (v: number) => v;
  // Per (n, c) plane its own windows: compute each plane's indices, then gather.
  const planes: Tensor[] = [];
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const s = Array.from(sv.subarray((n * C + c) * nd, (n * C + c + 1) * nd));
      // 2-D: sample[0] drives W, sample[1] H; 3-D: T, H, W in order.
      const order = nd === 2 ? [1, 0] : [0, 1, 2];
      const starts = sp.map((size, d) => intervals(s[order[d]], size, out[d], k[d], f));
      const plane = x.narrow(0, n, 1).narrow(1, c, 1);
      planes.push(
        argmaxIndices(plane, out, (pos) => pos.map((o, d) => Array.from({ length: k[d] }, (_, j) => starts[d][o] + j))),
      );
    }
  }
  const all = new Float64Array(N * C * out.reduce((a, b) => a * b, 1));
  planes.forEach((p, i) => all.set(p.typedArray() as Float64Array, i * p.numel()));
  const indices = x.newTensor(Array.from(all), { dtype: "int64" }).reshape([N, C, ...out]);
  const values = gatherAt(x, indices);
  const v = batched ? values : values.squeeze(0),
    ix = batched ? indices : indices.squeeze(0);
  return returnIndices ? [v, ix] : v;
}

abstract class FractionalMaxPoolNd extends Module {
  protected abstract readonly nd: number;
  readonly kernelSize: T;
  readonly outputSize: T | null;
  readonly outputRatio: number | number[] | null;
  readonly returnIndices: boolean;
  /** (kernelSize, outputSize = null, outputRatio = null, returnIndices = false, _randomSamples = null). */
  constructor(kernelSize: T, ...args: unknown[]) {
    super();
    const o = moduleArgs<{
      outputSize: T | null;
      outputRatio: number | number[] | null;
      returnIndices: boolean;
      randomSamples: Tensor | null;
    }>(this.constructor.name, args, ["outputSize", "outputRatio", "returnIndices", "randomSamples"], {
      outputSize: null,
      outputRatio: null,
      returnIndices: false,
      randomSamples: null,
    });
    if (o.outputSize === null && o.outputRatio === null)
      throw new ValueError(`${this.constructor.name} requires specifying either an output size, or a pooling ratio`);
    if (o.outputSize !== null && o.outputRatio !== null)
      throw new ValueError("only one of output_size and output_ratio may be specified");
    [this.kernelSize, this.outputSize, this.outputRatio, this.returnIndices] = [
      kernelSize,
      o.outputSize,
      o.outputRatio,
      o.returnIndices,
    ];
  }
  forward(input: Tensor): Tensor | [Tensor, Tensor] {
    return fractionalMaxPool(this.nd, input, this.kernelSize, this.outputSize, this.outputRatio, this.returnIndices);
  }
  override extraRepr(): string {
    return `kernel_size=${py(this.kernelSize)}, output_size=${py(this.outputSize)}, output_ratio=${py(this.outputRatio)}`;
  }
}
export class FractionalMaxPool2d extends FractionalMaxPoolNd {
  protected readonly nd = 2;
}
export class FractionalMaxPool3d extends FractionalMaxPoolNd {
  protected readonly nd = 3;
}
