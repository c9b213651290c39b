// gather / scatter along one dim on the GPU, with the reference backend's semantics
// (src/backend/ref/gather.ts). Accumulating scatters add floats with a compare-and-swap loop on
// the value's bits (WGSL has atomics for 32-bit integers only), so colliding indices are summed
// in an unspecified order, as PyTorch's CUDA index_add/scatter_add. A kernel cannot raise, and
// reading the indices back to check them would cost a GPU round trip per op, so out-of-range
// indices are skipped (gather reads 0 for them) where PyTorch's CUDA kernels stop with a device
// assert: the op layer checks indices it still has on the CPU.
import type { DType } from "../../dtype.js";
import { type GpuStorage, type GpuView, allocStorage, kindOf } from "./buffers.js";
import { LINEAR_WG, Meta, launch, metaDecl } from "./dispatch.js";
import { contiguousStrides, numel } from "./layout.js";

/** meta: n, rank, dim, size(dim of x/dst), xOffset, idxOffset, srcOffset, shape(index)[rank], xStrides[rank], idxStrides[rank], srcStrides[rank] */
function indexMeta(
  n: number,
  dim: number,
  size: number,
  x: { strides: readonly number[]; offset: number },
  index: GpuView,
  src: { strides: readonly number[]; offset: number } | null,
): Meta {
  const r = index.shape.length;
  return new Meta().int(
    n,
    r,
    dim,
    size,
    x.offset,
    index.offset,
    src?.offset ?? 0,
    ...index.shape,
    ...x.strides,
    ...index.strides,
    ...(src?.strides ?? new Array<number>(r).fill(0)),
  );
}

/** WGSL: decomposes thread t over index's shape into xo (x offset without dim), io, so. */
const WALK = `
fn walk(t: i32) -> vec4<i32> {
  let r = mi(1);
  var rem = t; var xo = mi(4); var io = mi(5); var so = mi(6); var cdim = 0;
  for (var d = r - 1; d >= 0; d--) {
    let s = mi(7 + d); let c = rem % s; rem = rem / s;
    if (d != mi(2)) { xo += c * mi(7 + r + d); }
    io += c * mi(7 + 2 * r + d);
    so += c * mi(7 + 3 * r + d);
  }
  return vec4<i32>(xo, io, so, 0);
}
`;

const THREAD = `@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let t = linearWg(wid, nw) * 256 + i32(li);
  if (t >= mi(0)) { return; }`;

/** out[i][j] = x[i][index[i][j]] along dim; out has index's shape. */
export function gather(x: GpuView, dim: number, index: GpuView): GpuStorage {
  const n = numel(index.shape);
  const kind = kindOf(x.dtype, "gather");
  const out = allocStorage(n, kind);
  const code = `@group(0) @binding(0) var<storage, read_write> O: array<${kind}>;
@group(0) @binding(1) var<storage, read> X: array<${kind}>;
@group(0) @binding(2) var<storage, read> I: array<i32>;
${metaDecl(3)}${LINEAR_WG}${WALK}
${THREAD}
  let w = walk(t);
  let k = I[w.y];
  if (k < 0 || k >= mi(3)) { O[t] = ${kind}(0); return; }
  O[t] = X[w.x + k * mi(7 + mi(1) + mi(2))];
}`;
  launch(
    "gather",
    code,
    [out.buffer, x.storage.buffer, index.storage.buffer],
    indexMeta(n, dim, x.shape[dim], x, index, null),
    Math.ceil(n / 256),
  );
  return out;
}

/** WGSL: atomically adds v to the f32 stored (as bits) in D[o]. */
const ATOMIC_ADD = `
fn atomicAddF(o: i32, v: f32) {
  var old = atomicLoad(&D[o]);
  loop {
    let r = atomicCompareExchangeWeak(&D[o], old, bitcast<u32>(bitcast<f32>(old) + v));
    if (r.exchanged) { break; }
    old = r.old_value;
  }
}
`;

/**
 * dst (a contiguous storage of dstShape, updated in place) [.. index ..] (=|+=) src along dim;
 * src is addressed with index's coordinates.
 */
export function scatter(
  dst: GpuStorage,
  dstShape: readonly number[],
  dstDtype: DType,
  dim: number,
  index: GpuView,
  src: GpuView,
  accumulate: boolean,
): void {
  const n = numel(index.shape);
  if (n === 0) return;
  const kind = dst.kind;
  const meta = indexMeta(n, dim, dstShape[dim], { strides: contiguousStrides(dstShape), offset: 0 }, index, src);
  const floatAdd = accumulate && kind === "f32";
  const intAdd = accumulate && kind !== "f32";
  if (intAdd && dstDtype === "bool") throw new TypeError("scatter_add: not implemented on webgpu for bool");
  const dDecl = floatAdd ? "array<atomic<u32>>" : intAdd ? `array<atomic<${kind}>>` : `array<${kind}>`;
  const write = floatAdd ? "atomicAddF(o, v);" : intAdd ? "atomicAdd(&D[o], v);" : "D[o] = v;";
  const code = `@group(0) @binding(0) var<storage, read_write> D: ${dDecl};
@group(0) @binding(1) var<storage, read> S: array<${src.storage.kind}>;
@group(0) @binding(2) var<storage, read> I: array<i32>;
${metaDecl(3)}${LINEAR_WG}${WALK}${floatAdd ? ATOMIC_ADD : ""}
${THREAD}
  let w = walk(t);
  let k = I[w.y];
  if (k < 0 || k >= mi(3)) { return; }
  let o = w.x + k * mi(7 + mi(1) + mi(2));
  let v = ${kind}(S[w.z]);
  ${write}
}`;
  launch(
    accumulate ? "scatter_add" : "scatter",
    code,
    [dst.buffer, src.storage.buffer, index.storage.buffer],
    meta,
    Math.ceil(n / 256),
  );
}

/**
 * max_pool2d backward from the indices alone (the Backend signature has no pooling geometry):
 * gradIn[plane][indices[q]] += gradOut[q] with atomic float adds.
 */
export function maxPool2dBackwardScatter(gradOut: GpuView, indices: GpuView, inShape: readonly number[]): GpuStorage {
  const [N, C, H, W] = inShape;
  const [, , oh, ow] = gradOut.shape;
  const out = allocStorage(N * C * H * W, "f32");
  launch(
    "max_pool2d backward",
    `@group(0) @binding(0) var<storage, read_write> D: array<u32>;
${metaDecl(1)}${LINEAR_WG}
${THREAD}
  D[t] = 0u;
}`,
    [out.buffer],
    new Meta().int(N * C * H * W),
    Math.ceil((N * C * H * W) / 256),
  );
  const n = N * C * oh * ow;
  const r = gradOut.shape.length;
  const code = `@group(0) @binding(0) var<storage, read_write> D: array<atomic<u32>>;
@group(0) @binding(1) var<storage, read> G: array<f32>;
@group(0) @binding(2) var<storage, read> I: array<i32>;
${metaDecl(3)}${LINEAR_WG}${ATOMIC_ADD}
${THREAD}
  // Offsets of output element t in gradOut's and indices' layouts (shape at 5.., strides after).
  var rem = t; var go = mi(3); var io = mi(4);
  for (var d = ${r} - 1; d >= 0; d--) {
    let s = mi(5 + d); let c = rem % s; rem = rem / s;
    go += c * mi(5 + ${r} + d); io += c * mi(5 + ${2 * r} + d);
  }
  let pl = t / (mi(1));
  atomicAddF(pl * mi(2) + I[io], G[go]);
}`;
  const meta = new Meta().int(
    n,
    oh * ow,
    H * W,
    gradOut.offset,
    indices.offset,
    ...gradOut.shape,
    ...gradOut.strides,
    ...indices.strides,
  );
  launch(
    "max_pool2d backward",
    code,
    [out.buffer, gradOut.storage.buffer, indices.storage.buffer],
    meta,
    Math.ceil(n / 256),
  );
  return out;
}
