// log_softmax along one dim: one workgroup per row (every position of the other dims); the row's
// max and sum of exponentials are combined in workgroup memory, then each element is written as
// x - max - log(sum), into a fresh contiguous result of x's shape.
import { type GpuStorage, type GpuView, allocStorage } from "./buffers.js";
import { LINEAR_WG, Meta, SPECIAL_FLOATS, launch, metaDecl } from "./dispatch.js";
import { contiguousStrides } from "./layout.js";
import { offsetCode, splitLayout } from "./reduce.js";

const WG = 64;

export function logSoftmax(x: GpuView, dim: number): GpuStorage | null {
  if (x.dtype !== "float32") return null;
  const meta = new Meta();
  const src = splitLayout(x, [dim], meta);
  const at = meta.length;
  const dst = splitLayout({ ...x, strides: contiguousStrides(x.shape), offset: 0 }, [dim], meta);
  const out = allocStorage(src.nOut * src.m, "f32");
  const code = `${SPECIAL_FLOATS}
@group(0) @binding(0) var<storage, read_write> Y: array<f32>;
@group(0) @binding(1) var<storage, read> X: array<f32>;
${metaDecl(2)}${LINEAR_WG}${offsetCode(src.keptRank, src.redRank)}${offsetCode(dst.keptRank, dst.redRank, at, "Out")}
var<workgroup> part: array<f32, ${WG}>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let o = linearWg(wid, nw);
  let valid = o < mi(0);
  let m = mi(1);
  var base = 0; var obase = 0;
  if (valid) { base = baseOffset(o); obase = baseOffsetOut(o); }
  var mx = -infF();
  if (valid) { for (var j = i32(li); j < m; j += ${WG}) { mx = max(mx, X[base + redOffset(j)]); } }
  part[li] = mx;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) { if (li < s) { part[li] = max(part[li], part[li + s]); } workgroupBarrier(); }
  let rowMax = part[0];
  workgroupBarrier();
  var sum = 0.0;
  if (valid) { for (var j = i32(li); j < m; j += ${WG}) { sum += exp(X[base + redOffset(j)] - rowMax); } }
  part[li] = sum;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) { if (li < s) { part[li] = part[li] + part[li + s]; } workgroupBarrier(); }
  let lse = rowMax + log(part[0]);
  if (valid) { for (var j = i32(li); j < m; j += ${WG}) { Y[obase + redOffsetOut(j)] = X[base + redOffset(j)] - lse; } }
}`;
  launch("log_softmax", code, [out.buffer, x.storage.buffer], meta, src.nOut);
  return out;
}
