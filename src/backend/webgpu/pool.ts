// 2-D pooling on the GPU with the reference backend's semantics (src/backend/ref/pool.ts): NCHW,
// max pooling's indices are flat positions inside the input plane (PyTorch's convention, int64
// on the CPU, i32 here), NaN wins and ties keep the first. Forward kernels run one thread per
// output; backward kernels one thread per input element, gathering from the outputs whose window
// holds it, so no atomics are needed (float atomics do not exist in WGSL).
import type { AvgPool2dParams, Pool2dParams } from "../backend.js";
import { type GpuStorage, type GpuView, allocStorage } from "./buffers.js";
import { LINEAR_WG, Meta, SPECIAL_FLOATS, launch, metaDecl } from "./dispatch.js";
import { copy } from "./elementwise.js";
import { isContiguousView } from "./layout.js";

function dense(x: GpuView): GpuStorage {
  return isContiguousView(x) && x.offset === 0 ? x.storage : copy(x, x.dtype);
}

function requireFloat32(op: string, x: GpuView): void {
  if (x.dtype !== "float32") throw new TypeError(`${op}: not implemented on webgpu for ${x.dtype} (float32 only)`);
}

const HEAD = (bindings: string, nMeta: number): string => `${SPECIAL_FLOATS}${bindings}
${metaDecl(nMeta)}${LINEAR_WG}`;
const THREAD = `@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let t = linearWg(wid, nw) * 256 + i32(li);
  if (t >= mi(0)) { return; }`;

export function maxPool2d(x: GpuView, p: Pool2dParams): { values: GpuStorage; indices: GpuStorage } {
  requireFloat32("max_pool2d", x);
  const [N, C, H, W] = x.shape;
  const n = N * C * p.outH * p.outW;
  const values = allocStorage(n, "f32"),
    indices = allocStorage(n, "i32");
  // meta: n, H, W, outH, outW, kh, kw, sh, sw, ph, pw, dh, dw
  const meta = new Meta().int(n, H, W, p.outH, p.outW, ...p.kernel, ...p.stride, ...p.padding, ...p.dilation);
  const code = `${HEAD(
    `@group(0) @binding(0) var<storage, read_write> V: array<f32>;
@group(0) @binding(1) var<storage, read_write> I: array<i32>;
@group(0) @binding(2) var<storage, read> X: array<f32>;`,
    3,
  )}
fn isnanF(a: f32) -> bool { return (bitcast<u32>(a) & 0x7fffffffu) > 0x7f800000u; }
${THREAD}
  let H = mi(1); let W = mi(2); let oh = mi(3); let ow = mi(4);
  let ox = t % ow; let oy = (t / ow) % oh; let pl = t / (ow * oh);
  var y0 = oy * mi(7) - mi(9); let yEnd = min(y0 + (mi(5) - 1) * mi(11) + 1, H);
  while (y0 < 0) { y0 += mi(11); }
  var x0 = ox * mi(8) - mi(10); let xEnd = min(x0 + (mi(6) - 1) * mi(12) + 1, W);
  while (x0 < 0) { x0 += mi(12); }
  var best = -infF(); var bi = y0 * W + x0; var found = false;
  for (var iy = y0; iy < yEnd && !found; iy += mi(11)) {
    for (var ix = x0; ix < xEnd; ix += mi(12)) {
      let v = X[pl * H * W + iy * W + ix];
      if (v > best || isnanF(v)) { best = v; bi = iy * W + ix; if (isnanF(v)) { found = true; break; } }
    }
  }
  V[t] = best; I[t] = bi;
}`;
  launch("max_pool2d", code, [values.buffer, indices.buffer, dense(x).buffer], meta, Math.ceil(n / 256));
  return { values, indices };
}

/** gradIn[plane][indices[q]] += gradOut[q], gathered per input element. */
export function maxPool2dBackward(
  gradOut: GpuView,
  indices: GpuView,
  inShape: readonly number[],
  p: Pool2dParams,
): GpuStorage {
  requireFloat32("max_pool2d backward", gradOut);
  const [N, C, H, W] = inShape;
  const [, , oh, ow] = gradOut.shape;
  const n = N * C * H * W;
  const out = allocStorage(n, "f32");
  const meta = new Meta().int(n, H, W, oh, ow, ...p.kernel, ...p.stride, ...p.padding, ...p.dilation);
  const code = `${HEAD(
    `@group(0) @binding(0) var<storage, read_write> DX: array<f32>;
@group(0) @binding(1) var<storage, read> G: array<f32>;
@group(0) @binding(2) var<storage, read> I: array<i32>;`,
    3,
  )}
${THREAD}
  let H = mi(1); let W = mi(2); let oh = mi(3); let ow = mi(4);
  let ix = t % W; let iy = (t / W) % H; let pl = t / (W * H);
  let pos = iy * W + ix;
  // Outputs whose window can hold row iy: oy*sh - ph <= iy <= oy*sh - ph + (kh-1)*dh.
  let oy0 = max(0, (iy + mi(9) - (mi(5) - 1) * mi(11) + mi(7) - 1) / mi(7));
  let oy1 = min(oh - 1, (iy + mi(9)) / mi(7));
  let ox0 = max(0, (ix + mi(10) - (mi(6) - 1) * mi(12) + mi(8) - 1) / mi(8));
  let ox1 = min(ow - 1, (ix + mi(10)) / mi(8));
  var acc = 0.0;
  for (var oy = oy0; oy <= oy1; oy++) {
    for (var ox = ox0; ox <= ox1; ox++) {
      let q = (pl * oh + oy) * ow + ox;
      if (I[q] == pos) { acc += G[q]; }
    }
  }
  DX[t] = acc;
}`;
  launch(
    "max_pool2d backward",
    code,
    [out.buffer, dense(gradOut).buffer, dense(indices).buffer],
    meta,
    Math.ceil(n / 256),
  );
  return out;
}

/** WGSL: avg_pool2d's window [start, end) along an axis and its padded extent, as the reference's avgWindow. */
const AVG_FNS = `
fn win(o: i32, s: i32, pad: i32, k: i32, size: i32) -> vec3<i32> {
  let start = o * s - pad; let endP = min(start + k, size + pad);
  return vec3<i32>(max(start, 0), min(endP, size), endP - start);
}
fn divisor(wy: vec3<i32>, wx: vec3<i32>) -> f32 {
  if (mi(11) != 0) { return f32(mi(12)); }
  if (mi(10) != 0) { return f32(wy.z * wx.z); }
  return f32((wy.y - wy.x) * (wx.y - wx.x));
}
`;

function avgMeta(n: number, H: number, W: number, p: AvgPool2dParams): Meta {
  // n, H, W, outH, outW, kh, kw, sh, sw, ph | pw at 10? keep order: see AVG_FNS indices
  return new Meta()
    .int(n, H, W, p.outH, p.outW, p.kernel[0], p.kernel[1], p.stride[0], p.stride[1], p.padding[0])
    .int(p.countIncludePad ? 1 : 0, p.divisorOverride === null ? 0 : 1, p.divisorOverride ?? 0, p.padding[1]);
}

export function avgPool2d(x: GpuView, p: AvgPool2dParams): GpuStorage {
  requireFloat32("avg_pool2d", x);
  const [N, C, H, W] = x.shape;
  const n = N * C * p.outH * p.outW;
  const out = allocStorage(n, "f32");
  const code = `${HEAD(
    `@group(0) @binding(0) var<storage, read_write> Y: array<f32>;
@group(0) @binding(1) var<storage, read> X: array<f32>;`,
    2,
  )}${AVG_FNS}
${THREAD}
  let H = mi(1); let W = mi(2); let oh = mi(3); let ow = mi(4);
  let ox = t % ow; let oy = (t / ow) % oh; let pl = t / (ow * oh);
  let wy = win(oy, mi(7), mi(9), mi(5), H); let wx = win(ox, mi(8), mi(13), mi(6), W);
  if (wy.x >= wy.y || wx.x >= wx.y) { Y[t] = 0.0; return; }
  var s = 0.0;
  for (var iy = wy.x; iy < wy.y; iy++) { for (var ix = wx.x; ix < wx.y; ix++) { s += X[pl * H * W + iy * W + ix]; } }
  Y[t] = s / divisor(wy, wx);
}`;
  launch("avg_pool2d", code, [out.buffer, dense(x).buffer], avgMeta(n, H, W, p), Math.ceil(n / 256));
  return out;
}

export function avgPool2dBackward(gradOut: GpuView, p: AvgPool2dParams, inShape: readonly number[]): GpuStorage {
  requireFloat32("avg_pool2d backward", gradOut);
  const [N, C, H, W] = inShape;
  const n = N * C * H * W;
  const out = allocStorage(n, "f32");
  const code = `${HEAD(
    `@group(0) @binding(0) var<storage, read_write> DX: array<f32>;
@group(0) @binding(1) var<storage, read> G: array<f32>;`,
    2,
  )}${AVG_FNS}
${THREAD}
  let H = mi(1); let W = mi(2); let oh = mi(3); let ow = mi(4);
  let ix = t % W; let iy = (t / W) % H; let pl = t / (W * H);
  let oy0 = max(0, (iy + mi(9) - mi(5) + mi(7)) / mi(7)); let oy1 = min(oh - 1, (iy + mi(9)) / mi(7));
  let ox0 = max(0, (ix + mi(13) - mi(6) + mi(8)) / mi(8)); let ox1 = min(ow - 1, (ix + mi(13)) / mi(8));
  var acc = 0.0;
  for (var oy = oy0; oy <= oy1; oy++) {
    let wy = win(oy, mi(7), mi(9), mi(5), H);
    if (iy < wy.x || iy >= wy.y) { continue; }
    for (var ox = ox0; ox <= ox1; ox++) {
      let wx = win(ox, mi(8), mi(13), mi(6), W);
      if (ix < wx.x || ix >= wx.y) { continue; }
      acc += G[(pl * oh + oy) * ow + ox] / divisor(wy, wx);
    }
  }
  DX[t] = acc;
}`;
  launch("avg_pool2d backward", code, [out.buffer, dense(gradOut).buffer], avgMeta(n, H, W, p), Math.ceil(n / 256));
  return out;
}

/** adaptive_avg_pool2d: window [floor(o*H/oh), ceil((o+1)*H/oh)) per axis, as the reference. */
export function adaptiveAvgPool2d(x: GpuView, outH: number, outW: number): GpuStorage {
  requireFloat32("adaptive_avg_pool2d", x);
  const [N, C, H, W] = x.shape;
  const n = N * C * outH * outW;
  const out = allocStorage(n, "f32");
  const code = `${HEAD(
    `@group(0) @binding(0) var<storage, read_write> Y: array<f32>;
@group(0) @binding(1) var<storage, read> X: array<f32>;`,
    2,
  )}
${THREAD}
  let H = mi(1); let W = mi(2); let oh = mi(3); let ow = mi(4);
  let ox = t % ow; let oy = (t / ow) % oh; let pl = t / (ow * oh);
  let y0 = (oy * H) / oh; let y1 = ((oy + 1) * H + oh - 1) / oh;
  let x0 = (ox * W) / ow; let x1 = ((ox + 1) * W + ow - 1) / ow;
  var s = 0.0;
  for (var iy = y0; iy < y1; iy++) { for (var ix = x0; ix < x1; ix++) { s += X[pl * H * W + iy * W + ix]; } }
  Y[t] = s / f32((y1 - y0) * (x1 - x0));
}`;
  launch(
    "adaptive_avg_pool2d",
    code,
    [out.buffer, dense(x).buffer],
    new Meta().int(n, H, W, outH, outW),
    Math.ceil(n / 256),
  );
  return out;
}

export function adaptiveAvgPool2dBackward(gradOut: GpuView, inShape: readonly number[]): GpuStorage {
  requireFloat32("adaptive_avg_pool2d backward", gradOut);
  const [N, C, H, W] = inShape;
  const [, , outH, outW] = gradOut.shape;
  const n = N * C * H * W;
  const out = allocStorage(n, "f32");
  // Input row iy lies in the windows of outputs oy with floor(oy*H/oh) <= iy < ceil((oy+1)*H/oh);
  // scanning oy from floor(iy*oh/H) - 1 to ceil((iy+1)*oh/H) covers them all.
  const code = `${HEAD(
    `@group(0) @binding(0) var<storage, read_write> DX: array<f32>;
@group(0) @binding(1) var<storage, read> G: array<f32>;`,
    2,
  )}
${THREAD}
  let H = mi(1); let W = mi(2); let oh = mi(3); let ow = mi(4);
  let ix = t % W; let iy = (t / W) % H; let pl = t / (W * H);
  var acc = 0.0;
  for (var oy = max(0, (iy * oh) / H - 1); oy < min(oh, ((iy + 1) * oh + H - 1) / H + 1); oy++) {
    let y0 = (oy * H) / oh; let y1 = ((oy + 1) * H + oh - 1) / oh;
    if (iy < y0 || iy >= y1) { continue; }
    for (var ox = max(0, (ix * ow) / W - 1); ox < min(ow, ((ix + 1) * ow + W - 1) / W + 1); ox++) {
      let x0 = (ox * W) / ow; let x1 = ((ox + 1) * W + ow - 1) / ow;
      if (ix < x0 || ix >= x1) { continue; }
      acc += G[(pl * oh + oy) * ow + ox] / f32((y1 - y0) * (x1 - x0));
    }
  }
  DX[t] = acc;
}`;
  launch(
    "adaptive_avg_pool2d backward",
    code,
    [out.buffer, dense(gradOut).buffer],
    new Meta().int(n, H, W, outH, outW),
    Math.ceil(n / 256),
  );
  return out;
}
