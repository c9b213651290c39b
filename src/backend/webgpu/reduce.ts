// Reductions on the GPU: one workgroup per output element; its 64 threads stride over the
// reduced elements (any layout, read through strides) and combine in workgroup memory.
// Floats accumulate in f32 (the reference backend accumulates in float64, so sums of many
// elements differ in the last bits).
import type { DType } from "../../dtype.js";
import type { ReduceOp } from "../backend.js";
import { type GpuStorage, type GpuView, allocStorage, kindOf } from "./buffers.js";
import { LINEAR_WG, Meta, SPECIAL_FLOATS, launch, metaDecl } from "./dispatch.js";
import { mergeDims, numel } from "./layout.js";

const WG = 64;

/** Kept and reduced parts of x's layout, each merged, as meta words; returns them and the counts. */
export function splitLayout(
  x: GpuView,
  dims: readonly number[],
  meta = new Meta(),
): { meta: Meta; nOut: number; m: number; keptRank: number; redRank: number } {
  const red = new Set(dims);
  const kShape: number[] = [],
    kStr: number[] = [],
    rShape: number[] = [],
    rStr: number[] = [];
  x.shape.forEach((s, d) => {
    if (red.has(d)) {
      rShape.push(s);
      rStr.push(x.strides[d]);
    } else {
      kShape.push(s);
      kStr.push(x.strides[d]);
    }
  });
  const k = mergeDims(kShape, [kStr]),
    r = mergeDims(rShape, [rStr]);
  const nOut = numel(kShape),
    m = numel(rShape);
  meta.int(nOut, m, x.offset, ...k.shape, ...k.strides[0], ...r.shape, ...r.strides[0]);
  return { meta, nOut, m, keptRank: k.shape.length, redRank: r.shape.length };
}

/**
 * WGSL fns baseOffset(o) (offset of output o's first element) and redOffset(j), for a split
 * layout written at meta word `at` (named with `suffix`).
 */
export function offsetCode(keptRank: number, redRank: number, at = 0, suffix = ""): string {
  const kS = at + 3,
    kT = at + 3 + keptRank,
    rS = at + 3 + 2 * keptRank,
    rT = at + 3 + 2 * keptRank + redRank;
  return `
fn baseOffset${suffix}(o: i32) -> i32 {
  var rem = o; var off = mi(${at + 2});
  for (var d = ${keptRank} - 1; d >= 0; d--) { let s = mi(${kS} + d); off += (rem % s) * mi(${kT} + d); rem = rem / s; }
  return off;
}
fn redOffset${suffix}(j: i32) -> i32 {
  var rem = j; var off = 0;
  for (var d = ${redRank} - 1; d >= 0; d--) { let s = mi(${rS} + d); off += (rem % s) * mi(${rT} + d); rem = rem / s; }
  return off;
}
`;
}

const isnan =
  "fn isnanF(a: f32) -> bool { return (bitcast<u32>(a) & 0x7fffffffu) > 0x7f800000u; }\nfn nz(a: f32) -> bool { return a != 0.0 || isnanF(a); }\n";

function combine(op: ReduceOp, c: "f32" | "i32"): { init: string; step: string } {
  const f = c === "f32";
  switch (op) {
    case "sum":
      return { init: f ? "0.0" : "0", step: "a + b" };
    case "prod":
      return { init: f ? "1.0" : "1", step: "a * b" };
    // NaN wins, as torch.amax/amin.
    case "amax":
      return {
        init: f ? "-infF()" : "(-2147483647 - 1)",
        step: f ? "select(select(b, a, a >= b), nanF(), isnanF(a) || isnanF(b))" : "max(a, b)",
      };
    case "amin":
      return {
        init: f ? "infF()" : "2147483647",
        step: f ? "select(select(b, a, a <= b), nanF(), isnanF(a) || isnanF(b))" : "min(a, b)",
      };
    case "all":
      return {
        init: f ? "1.0" : "1",
        step: f ? "select(0.0, 1.0, nz(a) && nz(b))" : "select(0, 1, a != 0 && b != 0)",
      };
    case "any":
      return {
        init: f ? "0.0" : "0",
        step: f ? "select(0.0, 1.0, nz(a) || nz(b))" : "select(0, 1, a != 0 || b != 0)",
      };
  }
}

/** Reduces over `dims`; the result is contiguous with x's shape minus (or keeping as 1) those dims. */
export function reduce(op: ReduceOp, x: GpuView, dims: readonly number[], outDtype: DType): GpuStorage {
  const { meta, nOut, keptRank, redRank } = splitLayout(x, dims);
  const outKind = kindOf(outDtype, op);
  const out = allocStorage(nOut, outKind);
  const c = x.dtype === "float32" || outDtype === "float32" ? "f32" : "i32";
  const { init, step } = combine(op, c);
  const store =
    outDtype === "bool" ? `select(0u, 1u, r != ${c === "f32" ? "0.0" : "0"})` : outKind === c ? "r" : `${outKind}(r)`;
  const code = `${SPECIAL_FLOATS}${isnan}
@group(0) @binding(0) var<storage, read_write> out: array<${outKind}>;
@group(0) @binding(1) var<storage, read> x: array<${x.storage.kind}>;
${metaDecl(2)}${LINEAR_WG}${offsetCode(keptRank, redRank)}
fn comb(a: ${c}, b: ${c}) -> ${c} { return ${step}; }
var<workgroup> part: array<${c}, ${WG}>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let o = linearWg(wid, nw);
  let valid = o < mi(0);
  var acc: ${c} = ${init};
  if (valid) {
    let base = baseOffset(o);
    for (var j = i32(li); j < mi(1); j += ${WG}) { acc = comb(acc, ${c}(x[base + redOffset(j)])); }
  }
  part[li] = acc;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (li < s) { part[li] = comb(part[li], part[li + s]); }
    workgroupBarrier();
  }
  if (li == 0u && valid) { let r = part[0]; out[o] = ${store}; }
}`;
  launch(op, code, [out.buffer, x.storage.buffer], meta, nOut);
  return out;
}

/** Max/min along one dim with the first extreme's index (NaN wins), as the reference backend. */
export function argReduce(op: "max" | "min", x: GpuView, dim: number): { values: GpuStorage; indices: GpuStorage } {
  const { meta, nOut, keptRank, redRank } = splitLayout(x, [dim]);
  const kind = kindOf(x.dtype, `${op}(dim)`);
  const values = allocStorage(nOut, kind),
    indices = allocStorage(nOut, "i32");
  const c = x.dtype === "float32" ? "f32" : "i32";
  const nan = c === "f32" ? "isnanF" : "noNan";
  const better = op === "max" ? ">" : "<";
  const code = `${isnan}fn noNan(a: i32) -> bool { return false; }
@group(0) @binding(0) var<storage, read_write> vals: array<${kind}>;
@group(0) @binding(1) var<storage, read_write> idxs: array<i32>;
@group(0) @binding(2) var<storage, read> x: array<${kind}>;
${metaDecl(3)}${LINEAR_WG}${offsetCode(keptRank, redRank)}
var<workgroup> pv: array<${c}, ${WG}>;
var<workgroup> pi: array<i32, ${WG}>;
// (v, i) beats (w, k): a NaN beats a number, a better value wins, ties keep the lower index.
fn beats(v: ${c}, i: i32, w: ${c}, k: i32) -> bool {
  if (k < 0) { return i >= 0; }
  if (i < 0) { return false; }
  let nv = ${nan}(v); let nw = ${nan}(w);
  if (nv || nw) { return nv && (!nw || i < k); }
  return v ${better} w || (v == w && i < k);
}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let o = linearWg(wid, nw);
  let valid = o < mi(0);
  var bv: ${c} = ${c}(0); var bi = -1;
  if (valid) {
    let base = baseOffset(o);
    for (var j = i32(li); j < mi(1); j += ${WG}) {
      let v = ${c}(x[base + redOffset(j)]);
      if (beats(v, j, bv, bi)) { bv = v; bi = j; }
    }
  }
  pv[li] = bv; pi[li] = bi;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (li < s && beats(pv[li + s], pi[li + s], pv[li], pi[li])) { pv[li] = pv[li + s]; pi[li] = pi[li + s]; }
    workgroupBarrier();
  }
  if (li == 0u && valid) { vals[o] = ${kind}(pv[0]); idxs[o] = pi[0]; }
}`;
  launch(`${op}(dim)`, code, [values.buffer, indices.buffer, x.storage.buffer], meta, nOut);
  return { values, indices };
}
