// Fused SGD and Adam/AdamW updates on the GPU, in place, with PyTorch 1.13's single-tensor formulas
// (the same as the native backend's fused kernels and the optimizers' composed tensor-op path).
// They take contiguous float32 tensors and return false otherwise (the optimizer then composes).
import type { AdamStepOptions, SgdStepOptions } from "../backend.js";
import type { GpuView } from "./buffers.js";
import { LINEAR_WG, Meta, launch, metaDecl } from "./dispatch.js";
import { isContiguousView, numel } from "./layout.js";

const fits = (...vs: (GpuView | null)[]): boolean => {
  const live = vs.filter((v): v is GpuView => v !== null);
  const storages = new Set(live.map((v) => v.storage));
  return storages.size === live.length && live.every((v) => v.dtype === "float32" && isContiguousView(v));
};

const THREAD = `@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let t = linearWg(wid, nw) * 256 + i32(li);
  if (t >= mi(0)) { return; }`;

export function sgdStep(param: GpuView, grad: GpuView, buf: GpuView | null, o: SgdStepOptions): boolean {
  if (!fits(param, grad, buf)) return false;
  const n = numel(param.shape);
  // meta: n, pOff, gOff, bOff, lr, momentum, dampening, weightDecay, then flags
  const meta = new Meta()
    .int(n, param.offset, grad.offset, buf?.offset ?? 0)
    .float(o.lr)
    .float(o.momentum)
    .float(o.dampening)
    .float(o.weightDecay);
  const code = `@group(0) @binding(0) var<storage, read_write> P: array<f32>;
@group(0) @binding(1) var<storage, read> G: array<f32>;
${buf ? "@group(0) @binding(2) var<storage, read_write> B: array<f32>;" : ""}
${metaDecl(buf ? 3 : 2)}${LINEAR_WG}
${THREAD}
  let p = P[mi(1) + t];
  var g = ${o.maximize ? "-" : ""}G[mi(2) + t];
  ${o.weightDecay !== 0 ? "g = g + mf(7) * p;" : ""}
  ${
    buf
      ? `var b = B[mi(3) + t];
  ${o.firstStep ? "b = g;" : "b = mf(5) * b + (1.0 - mf(6)) * g;"}
  B[mi(3) + t] = b;
  ${o.nesterov ? "g = g + mf(5) * b;" : "g = b;"}`
      : ""
  }
  P[mi(1) + t] = p - mf(4) * g;
}`;
  launch(
    "SGD step",
    code,
    [param.storage.buffer, grad.storage.buffer, ...(buf ? [buf.storage.buffer] : [])],
    meta,
    Math.ceil(n / 256),
  );
  return true;
}

export function adamStep(
  param: GpuView,
  grad: GpuView,
  expAvg: GpuView,
  expAvgSq: GpuView,
  maxExpAvgSq: GpuView | null,
  o: AdamStepOptions,
): boolean {
  if (!fits(param, grad, expAvg, expAvgSq, maxExpAvgSq)) return false;
  const n = numel(param.shape);
  const bc1 = 1 - o.beta1 ** o.step,
    bc2 = 1 - o.beta2 ** o.step;
  // meta: n, offsets p g m v mx (1..5), lr, beta1, beta2, eps, wd, stepSize, sqrt(bc2) (6..12)
  const meta = new Meta()
    .int(n, param.offset, grad.offset, expAvg.offset, expAvgSq.offset, maxExpAvgSq?.offset ?? 0)
    .float(o.lr)
    .float(o.beta1)
    .float(o.beta2)
    .float(o.eps)
    .float(o.weightDecay)
    .float(o.lr / bc1)
    .float(Math.sqrt(bc2));
  const mx = maxExpAvgSq !== null;
  const code = `@group(0) @binding(0) var<storage, read_write> P: array<f32>;
@group(0) @binding(1) var<storage, read> G: array<f32>;
@group(0) @binding(2) var<storage, read_write> M: array<f32>;
@group(0) @binding(3) var<storage, read_write> V: array<f32>;
${mx ? "@group(0) @binding(4) var<storage, read_write> MX: array<f32>;" : ""}
${metaDecl(mx ? 5 : 4)}${LINEAR_WG}
${THREAD}
  var p = P[mi(1) + t];
  var g = ${o.maximize ? "-" : ""}G[mi(2) + t];
  ${o.weightDecay !== 0 ? (o.decoupled ? "p = p * (1.0 - mf(6) * mf(10));" : "g = g + mf(10) * p;") : ""}
  let m = mf(7) * M[mi(3) + t] + (1.0 - mf(7)) * g;
  let v = mf(8) * V[mi(4) + t] + (1.0 - mf(8)) * g * g;
  M[mi(3) + t] = m; V[mi(4) + t] = v;
  ${mx ? "let vm = max(MX[mi(5) + t], v); MX[mi(5) + t] = vm;" : "let vm = v;"}
  let denom = sqrt(vm) / mf(12) + mf(9);
  P[mi(1) + t] = p - mf(11) * (m / denom);
}`;
  launch(
    "Adam step",
    code,
    [
      param.storage.buffer,
      grad.storage.buffer,
      expAvg.storage.buffer,
      expAvgSq.storage.buffer,
      ...(mx ? [maxExpAvgSq.storage.buffer] : []),
    ],
    meta,
    Math.ceil(n / 256),
  );
  return true;
}
