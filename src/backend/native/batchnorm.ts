// The native backend's fused BatchNorm (native/batchnorm.cc): statistics, normalisation and
// affine transform in one call, backward in one, for float32 [N, C, *] inputs.
import { numelOf } from "../../shape.js";
import { type BatchNormKernels, type Strided } from "../backend.js";
import { uninitArray } from "../../dtype.js";
import type { NativeAddon } from "./addon-api.js";

const newF32 = (n: number): Float32Array => uninitArray("float32", n) as Float32Array;

export function nativeBatchNorm(addon: NativeAddon, dense: (x: Strided) => Float32Array): BatchNormKernels {
  const { batchNormTrainForward: train, batchNormEvalForward: evaluate, batchNormBackward: backward } = addon;
  if (!train || !evaluate || !backward) return {};
  const f32 = (...xs: (Strided | null)[]): boolean => xs.every((x) => x === null || x.dtype === "float32");
  const dims = (x: Strided): [number, number, number] => [x.shape[0], x.shape[1], numelOf(x.shape.slice(2))];
  const orNull = (x: Strided | null): Float32Array | null => (x ? dense(x) : null);
  return {
    batchNorm(x, weight, bias, runningMean, runningVar, training, eps) {
      if (x.shape.length < 2 || !f32(x, weight, bias, runningMean, runningVar)) return null;
      const [N, C, HW] = dims(x);
      const out = newF32(N * C * HW),
        invstd = newF32(C);
      if (training) {
        const mean = newF32(C),
          variance = newF32(C);
        train(dense(x), orNull(weight), orNull(bias), mean, variance, invstd, out, N, C, HW, eps);
        return { out, variance, saved: { mean, invstd } };
      }
      if (!runningMean || !runningVar) return null;
      // A copy: the backward must not see later in-place updates of the running buffer.
      const mean = dense(runningMean).slice();
      evaluate(dense(x), orNull(weight), orNull(bias), mean, dense(runningVar), invstd, out, N, C, HW, eps);
      return { out, variance: null, saved: { mean, invstd } };
    },
    batchNormBackward(x, gradOut, weight, saved, training, needs) {
      const [N, C, HW] = dims(x);
      const gradIn = needs[0] ? newF32(N * C * HW) : null,
        gradWeight = needs[1] ? newF32(C) : null,
        gradBias = needs[2] ? newF32(C) : null;
      backward(dense(x), dense(gradOut), orNull(weight), saved.mean as Float32Array, saved.invstd as Float32Array, gradIn, gradWeight, gradBias, N, C, HW, training);
      return { gradIn, gradWeight, gradBias };
    },
  };
}
