// One tiled GEMM kernel for matmul and the three convolution products. Each workgroup (16x16
// threads) computes a 64x64 tile of C = A (M x K) * B (K x N), each thread a 4x4 block at rows
// ty + 16i and columns tx + 16j, over K in steps of 16 staged in workgroup memory. The operands
// are never materialised: each use supplies WGSL functions loadA(z, m, k), loadB(z, k, n) (zero
// out of range) and store(z, m, n, v), so a transposed matmul operand is read through its strides
// and a convolution reads its input as an implicit im2col matrix (z is the batch or group index).
import { type Meta, Meta as MetaWords, launch, metaDecl } from "./dispatch.js";
import { gpuRuntime } from "./runtime.js";

export const TILE = 64;
const BK = 16;

export interface GemmSpec {
  op: string;
  /** Storage buffer declarations (bindings 0..n-1, in `buffers` order). */
  decls: string;
  /**
   * WGSL defining setup(z) (run once per thread first), loadA, loadB (f32; only called inside
   * M x K / K x N) and store; they may read meta with mi().
   */
  fns: string;
  buffers: readonly GPUBuffer[];
  /** Meta words: the first three must be M, N, K; the functions read the rest with mi(). */
  meta: Meta;
  M: number;
  N: number;
  K: number;
  /** Independent products (batch entries or groups), on the z axis. */
  batches: number;
}

/**
 * The same product without workgroup memory or barriers: each thread accumulates a 4x4 block
 * straight from loadA/loadB. On a CPU implementation of WebGPU (SwiftShader) barriers make every
 * invocation a coroutine switch, so this form is ~10-100x faster there; real GPUs want the tiles.
 */
const SR = 8; // rows per thread in the simple form: loadB (an im2col gather for convolutions) is the costly load
function simpleCode(s: GemmSpec): string {
  return `${s.decls}
${metaDecl(s.buffers.length)}
${s.fns}
@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let M = mi(0); let N = mi(1); let K = mi(2);
  let z = i32(gid.z);
  setup(z);
  let r0 = i32(gid.y) * ${SR}; let c0 = i32(gid.x) * 4;
  if (r0 >= M || c0 >= N) { return; }
  let nr = min(${SR}, M - r0); let nc = min(4, N - c0);
  var acc: array<vec4<f32>, ${SR}>;
  for (var k = 0; k < K; k++) {
    var b = vec4<f32>(0.0);
    for (var j = 0; j < nc; j++) { b[j] = loadB(z, k, c0 + j); }
    for (var i = 0; i < nr; i++) { acc[i] = fma(vec4<f32>(loadA(z, r0 + i, k)), b, acc[i]); }
  }
  for (var i = 0; i < nr; i++) { for (var j = 0; j < nc; j++) { store(z, r0 + i, c0 + j, acc[i][j]); } }
}`;
}

/** null: tiles on real GPUs and the barrier-free form on a CPU implementation (see simpleCode). */
let forced: "tiled" | "simple" | null = null;
/** Forces one form of the GEMM kernel (tests run both), or back to the adapter's choice with null. */
export function setGemmForm(form: "tiled" | "simple" | null): void {
  forced = form;
}

export function gemm(s: GemmSpec): void {
  if (s.M === 0 || s.N === 0 || s.batches === 0) return;
  if (s.batches > 65535) throw new RangeError(`${s.op}: ${s.batches} batch entries exceed the webgpu limit of 65535`);
  if ((forced ?? (gpuRuntime(s.op).cpuAdapter ? "simple" : "tiled")) === "simple") {
    launch(s.op, simpleCode(s), s.buffers, s.meta, [Math.ceil(s.N / 32), Math.ceil(s.M / (8 * SR)), s.batches]);
    return;
  }
  const code = `${s.decls}
${metaDecl(s.buffers.length)}
${s.fns}
var<workgroup> As: array<f32, ${BK * TILE}>;
var<workgroup> Bs: array<f32, ${BK * TILE}>;
@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let M = mi(0); let N = mi(1); let K = mi(2);
  let z = i32(wid.z);
  let row0 = i32(wid.y) * ${TILE}; let col0 = i32(wid.x) * ${TILE};
  let tx = i32(lid.x); let ty = i32(lid.y);
  let tid = ty * 16 + tx;
  setup(z);
  var acc: array<f32, 16>;
  for (var k0 = 0; k0 < K; k0 += ${BK}) {
    for (var e = 0; e < ${(BK * TILE) / 256}; e++) {
      let idx = tid + e * 256;
      let am = idx / ${BK}; let ak = idx % ${BK};
      var av = 0.0;
      if (row0 + am < M && k0 + ak < K) { av = loadA(z, row0 + am, k0 + ak); }
      As[ak * ${TILE} + am] = av;
      let bk = idx / ${TILE}; let bn = idx % ${TILE};
      var bv = 0.0;
      if (k0 + bk < K && col0 + bn < N) { bv = loadB(z, k0 + bk, col0 + bn); }
      Bs[bk * ${TILE} + bn] = bv;
    }
    workgroupBarrier();
    for (var k = 0; k < ${BK}; k++) {
      var a: array<f32, 4>; var b: array<f32, 4>;
      for (var i = 0; i < 4; i++) { a[i] = As[k * ${TILE} + ty + 16 * i]; b[i] = Bs[k * ${TILE} + tx + 16 * i]; }
      for (var i = 0; i < 4; i++) { for (var j = 0; j < 4; j++) { acc[i * 4 + j] = fma(a[i], b[j], acc[i * 4 + j]); } }
    }
    workgroupBarrier();
  }
  for (var i = 0; i < 4; i++) {
    let r = row0 + ty + 16 * i;
    if (r >= M) { continue; }
    for (var j = 0; j < 4; j++) {
      let c = col0 + tx + 16 * j;
      if (c < N) { store(z, r, c, acc[i * 4 + j]); }
    }
  }
}`;
  launch(s.op, code, s.buffers, s.meta, [Math.ceil(s.N / TILE), Math.ceil(s.M / TILE), s.batches]);
}

/** Meta words M, N, K then named integer parameters, with WGSL accessors p_<name>() for them. */
export function gemmParams(
  M: number,
  N: number,
  K: number,
  named: Record<string, number>,
): { meta: Meta; fns: string } {
  const meta = new MetaWords().int(M, N, K);
  let fns = "";
  for (const [name, v] of Object.entries(named)) {
    fns += `fn p_${name}() -> i32 { return mi(${meta.length}); }\n`;
    meta.int(v);
  }
  return { meta, fns };
}
