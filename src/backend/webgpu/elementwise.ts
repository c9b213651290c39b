// Elementwise kernels: one WGSL generator for every map over strided, broadcast inputs into a
// strided output view (fresh results, in-place assign, fill, casts, where, unary and binary ops).
// Values are computed in one WGSL type per launch: f32 when an input or the result is float32,
// else i32 (so int64 sums stay exact, and comparisons of integers are exact).
import type { DType } from "../../dtype.js";
import type { BinaryOp, UnaryOp } from "../backend.js";
import { type GpuKind, type GpuStorage, type GpuView, allocStorage, kindOf } from "./buffers.js";
import { LINEAR_WG, Meta, SPECIAL_FLOATS, launch, metaDecl } from "./dispatch.js";
import { broadcastStrides, contiguousStrides, mergeDims, numel } from "./layout.js";

type Compute = "f32" | "i32";

/** WGSL helpers the op expressions use. */
const HELPERS = `${SPECIAL_FLOATS}fn isnanF(a: f32) -> bool { return (bitcast<u32>(a) & 0x7fffffffu) > 0x7f800000u; }
fn nzF(a: f32) -> bool { return a != 0.0 || isnanF(a); }
fn neF(a: f32, b: f32) -> bool { return a != b || isnanF(a) || isnanF(b); }
fn logF(a: f32) -> f32 { if (isnanF(a) || a < 0.0) { return nanF(); } if (a == 0.0) { return -infF(); } if (a == infF()) { return a; } return log(a); }
fn log2F(a: f32) -> f32 { if (isnanF(a) || a < 0.0) { return nanF(); } if (a == 0.0) { return -infF(); } if (a == infF()) { return a; } return log2(a); }
// sin and cos of x (WGSL's own are only accurate to 2^-11 absolute): Cody-Waite reduction by
// pi/2 (exact for |x| < 1e5) and Cephes' single-precision polynomials on [-pi/4, pi/4].
fn sinCosF(x: f32) -> vec2<f32> {
  if (!(abs(x) < 1e5)) { return vec2<f32>(sin(x), cos(x)); }
  let j = round(x * 0.636619772367581343);
  let r = ((x - j * 1.5703125) - j * 4.837512969970703125e-4) - j * 7.54978995489188216e-8;
  let z = r * r;
  let s = ((-1.9515295891e-4 * z + 8.3321608736e-3) * z - 1.6666654611e-1) * z * r + r;
  let c = ((2.443315711809948e-5 * z - 1.388731625493765e-3) * z + 4.166664568298827e-2) * z * z - 0.5 * z + 1.0;
  let q = i32(j - 4.0 * floor(j * 0.25));
  if (q == 0) { return vec2<f32>(s, c); }
  if (q == 1) { return vec2<f32>(c, -s); }
  if (q == 2) { return vec2<f32>(-s, -c); }
  return vec2<f32>(-c, s);
}
fn tanF(x: f32) -> f32 { let sc = sinCosF(x); return sc.x / sc.y; }
fn expm1F(a: f32) -> f32 { let u = exp(a); if (abs(a) >= 1.0) { return u - 1.0; } if (abs(a) < 1e-5) { return a + 0.5 * a * a; } if (u == 1.0) { return a; } let um1 = u - 1.0; if (um1 == -1.0) { return -1.0; } return um1 * a / log(u); }
fn log1pF(a: f32) -> f32 { if (isnanF(a) || a < -1.0) { return nanF(); } if (a == -1.0) { return -infF(); } if (a == infF()) { return a; } let u = 1.0 + a; if (u == 1.0) { return a; } return log(u) * a / (u - 1.0); }
fn erfF(x: f32) -> f32 {
  let ax = abs(x);
  if (ax < 1.0) {
    var term = ax; var sum = ax; let x2 = ax * ax;
    for (var n = 1; n < 12; n++) { term = term * -x2 / f32(n); sum = sum + term / f32(2 * n + 1); }
    return sign(x) * sum * 1.1283791670955126;
  }
  let t = 1.0 / (1.0 + 0.3275911 * ax);
  let y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * exp(-ax * ax);
  return sign(x) * y;
}
fn sigmoidF(a: f32) -> f32 { if (a >= 0.0) { return 1.0 / (1.0 + exp(-a)); } let e = exp(a); return e / (1.0 + e); }
fn tanhF(a: f32) -> f32 { return tanh(clamp(a, -15.0, 15.0)); }
fn powF(a: f32, b: f32) -> f32 {
  if (b == 0.0 || a == 1.0) { return 1.0; }
  if (isnanF(a) || isnanF(b)) { return nanF(); }
  if (a >= 0.0) { if (a == 0.0) { if (b > 0.0) { return 0.0; } return infF(); } return exp2(b * log2(a)); }
  if (b != floor(b)) { return nanF(); }
  let m = exp2(b * log2(-a));
  if (abs(b % 2.0) == 1.0) { return -m; }
  return m;
}
fn powI(a: i32, b: i32) -> i32 {
  if (b < 0) { if (a == 1) { return 1; } if (a == -1) { if ((b & 1) == 0) { return 1; } return -1; } return 0; }
  var r = 1; var base = a; var e = b;
  loop { if (e == 0) { break; } if ((e & 1) == 1) { r = r * base; } base = base * base; e = e >> 1u; }
  return r;
}
fn remF(a: f32, b: f32) -> f32 { let r = a % b; if (r != 0.0 && ((r < 0.0) != (b < 0.0))) { return r + b; } return r; }
fn remI(a: i32, b: i32) -> i32 { if (b == 0) { return 0; } let r = a % b; if (r != 0 && ((r < 0) != (b < 0))) { return r + b; } return r; }
fn floorDivI(a: i32, b: i32) -> i32 { if (b == 0) { return 0; } let q = a / b; if ((a % b != 0) && ((a < 0) != (b < 0))) { return q - 1; } return q; }
fn roundF(a: f32) -> f32 { return round(a); }
fn maxF(a: f32, b: f32) -> f32 { if (isnanF(a) || isnanF(b)) { return nanF(); } return max(a, b); }
fn minF(a: f32, b: f32) -> f32 { if (isnanF(a) || isnanF(b)) { return nanF(); } return min(a, b); }
`;

const b01 = (cond: string, c: Compute): string => (c === "f32" ? `select(0.0, 1.0, ${cond})` : `select(0, 1, ${cond})`);

/** WGSL for a unary op of `a` in compute type c; null when the op has no form in c. */
function unaryExpr(op: UnaryOp, c: Compute, inDtype: DType): string {
  const f = c === "f32";
  switch (op) {
    case "neg":
      return "-a";
    case "abs":
      return "abs(a)";
    case "sign":
      return "sign(a)";
    case "relu":
      return f ? "select(max(a, 0.0), a, isnanF(a))" : "max(a, 0)";
    case "square":
      return "a * a";
    case "logicalNot":
      return b01(f ? "!nzF(a)" : "a == 0", c);
    case "bitwiseNot":
      return inDtype === "bool" ? "1 - a" : "~a";
    case "isnan":
      return b01(f ? "isnanF(a)" : "false", c);
    case "isinf":
      return b01(f ? "(bitcast<u32>(a) & 0x7fffffffu) == 0x7f800000u" : "false", c);
    case "isfinite":
      return b01(f ? "(bitcast<u32>(a) & 0x7fffffffu) < 0x7f800000u" : "true", c);
    case "floor":
    case "ceil":
    case "trunc":
    case "round":
      return f ? `${op}(a)` : "a";
    default:
      break;
  }
  if (!f) throw new TypeError(`webgpu ${op}: needs a float32 result`);
  // NaN in, NaN out: GPU compilers may drop NaN handling inside the built-in functions.
  return `select(${floatExpr(op as FloatUnaryOp)}, a, isnanF(a))`;
}

type FloatUnaryOp = Exclude<
  UnaryOp,
  | "neg"
  | "abs"
  | "sign"
  | "relu"
  | "square"
  | "logicalNot"
  | "bitwiseNot"
  | "isnan"
  | "isinf"
  | "isfinite"
  | "floor"
  | "ceil"
  | "trunc"
  | "round"
>;

function floatExpr(op: FloatUnaryOp): string {
  switch (op) {
    case "exp":
      return "exp(a)";
    case "expm1":
      return "expm1F(a)";
    case "log":
      return "logF(a)";
    case "log1p":
      return "log1pF(a)";
    case "log2":
      return "log2F(a)";
    case "log10":
      return "logF(a) * 0.4342944819032518";
    case "sqrt":
      return "sqrt(a)";
    case "rsqrt":
      return "inverseSqrt(a)";
    case "sin":
      return "sinCosF(a).x";
    case "cos":
      return "sinCosF(a).y";
    case "tan":
      return "tanF(a)";
    case "tanh":
      return "tanhF(a)";
    case "sigmoid":
      return "sigmoidF(a)";
    case "reciprocal":
      return "1.0 / a";
    case "erf":
      return "erfF(a)";
  }
}

function binaryExpr(op: BinaryOp, c: Compute): string {
  const f = c === "f32";
  const z = f ? "0.0" : "0";
  switch (op) {
    case "add":
      return "a + b";
    case "sub":
      return "a - b";
    case "mul":
      return "a * b";
    case "div":
      return f ? "a / b" : "select(0, a / b, b != 0)";
    case "pow":
      return f ? "powF(a, b)" : "powI(a, b)";
    case "maximum":
      return f ? "maxF(a, b)" : "max(a, b)";
    case "minimum":
      return f ? "minF(a, b)" : "min(a, b)";
    case "atan2":
      return f ? "atan2(a, b)" : "i32(atan2(f32(a), f32(b)))";
    case "remainder":
      return f ? "remF(a, b)" : "remI(a, b)";
    case "fmod":
      return f ? "a % b" : "select(0, a % b, b != 0)";
    case "floorDivide":
      return f ? "floor(a / b)" : "floorDivI(a, b)";
    case "eq":
      return b01("a == b", c);
    case "ne":
      return b01(f ? "neF(a, b)" : "a != b", c);
    case "lt":
      return b01("a < b", c);
    case "le":
      return b01("a <= b", c);
    case "gt":
      return b01("a > b", c);
    case "ge":
      return b01("a >= b", c);
    case "logicalAnd":
      return b01(f ? "nzF(a) && nzF(b)" : `a != ${z} && b != ${z}`, c);
    case "logicalOr":
      return b01(f ? "nzF(a) || nzF(b)" : `a != ${z} || b != ${z}`, c);
    case "logicalXor":
      return b01(f ? "nzF(a) != nzF(b)" : `(a != ${z}) != (b != ${z})`, c);
    case "bitwiseAnd":
      return f ? "f32(i32(a) & i32(b))" : "a & b";
    case "bitwiseOr":
      return f ? "f32(i32(a) | i32(b))" : "a | b";
    case "bitwiseXor":
      return f ? "f32(i32(a) ^ i32(b))" : "a ^ b";
    case "reluBackward":
      return `select(a, ${z}, b <= ${z})`;
    case "sigmoidBackward":
      return f ? "a * (1.0 - b) * b" : "a * (1 - b) * b";
    case "tanhBackward":
      return f ? "a * (1.0 - b * b)" : "a * (1 - b * b)";
  }
}

/** WGSL converting `v` of compute type c into an element of `kind` for a tensor of `dtype`. */
function store(v: string, c: Compute, kind: GpuKind, dtype: DType): string {
  if (dtype === "bool") return `select(0u, 1u, ${c === "f32" ? `nzF(${v})` : `${v} != 0`})`;
  if (c === "f32" && kind === "i32")
    // x86's conversion (PyTorch's on the CPU): NaN and values outside i32 become INT_MIN; WGSL's saturates.
    return `select(i32(${v}), bitcast<i32>(0x80000000u), !(abs(${v}) < 2147483648.0))`;
  // uint8 wraps modulo 256 through an integer, as PyTorch's cast does (-1 -> 255); WGSL's u32() clamps at 0.
  // (Through int64 on the CPU: outside its range, and NaN, the result is 0; f32 arithmetic on whole numbers is exact here.)
  if (c === "f32" && dtype === "uint8")
    return `select(u32(trunc(${v}) - 256.0 * floor(trunc(${v}) / 256.0)), 0u, !(abs(${v}) < 9.2e18))`;
  if (c === "i32" && dtype === "uint8") return `(bitcast<u32>(${v}) & 0xffu)`;
  return kind === c ? v : `${kind}(${v})`;
}

interface MapInput {
  view: GpuView;
  name: string;
}

/**
 * out (a view, written in place) = expr over inputs broadcast to out's shape. `expr` names the
 * inputs by their `name`, each read as compute type c; `scalars` are f32 values (i32 with
 * intScalars) read as s0, s1….
 */
function map(
  op: string,
  out: GpuView,
  inputs: readonly MapInput[],
  expr: string,
  c: Compute,
  scalars: readonly number[] = [],
  intScalars = false,
): void {
  const n = numel(out.shape);
  if (n === 0) return;
  const merged = mergeDims(out.shape, [out.strides, ...inputs.map((x) => broadcastStrides(x.view, out.shape))]);
  const rank = merged.shape.length;
  const outKind = out.storage.kind;
  // Meta: scalars, n, rank, shape[rank], then for out and each input: strides[rank], offset.
  const meta = new Meta();
  for (const s of scalars)
    if (intScalars) meta.int(s);
    else meta.float(s);
  const base = scalars.length;
  meta.int(n, rank, ...merged.shape);
  [out, ...inputs.map((x) => x.view)].forEach((v, k) => meta.int(...merged.strides[k], v.offset));
  const decls = inputs
    .map((x, k) => `@group(0) @binding(${k + 1}) var<storage, read> in${k}: array<${x.view.storage.kind}>;`)
    .join("\n");
  const offs = [out, ...inputs.map((x) => x.view)]
    .map((_, k) => `var o${k} = mi(${base} + 2 + ${rank} + ${k} * ${rank + 1} + ${rank});`)
    .join("\n  ");
  const steps = [out, ...inputs.map((x) => x.view)]
    .map((_, k) => `o${k} += cd * mi(${base} + 2 + ${rank} + ${k} * ${rank + 1} + d);`)
    .join(" ");
  const reads = inputs.map((x, k) => `let ${x.name} = ${c}(in${k}[o${k + 1}]);`).join("\n  ");
  const scalarLets = scalars.map((_, k) => `let s${k} = ${c}(${intScalars ? "mi" : "mf"}(${k}));`).join("\n  ");
  const code = `${HELPERS}
@group(0) @binding(0) var<storage, read_write> out: array<${outKind}>;
${decls}
${metaDecl(inputs.length + 1)}${LINEAR_WG}
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = linearWg(wid, nw) * 256 + i32(li);
  if (i >= mi(${base})) { return; }
  ${offs}
  var rem = i;
  for (var d = ${rank} - 1; d >= 0; d--) {
    let s = mi(${base} + 2 + d);
    let cd = rem % s;
    rem = rem / s;
    ${steps}
  }
  ${scalarLets}
  ${reads}
  out[o0] = ${store(`(${expr})`, c, outKind, out.dtype)};
}`;
  launch(op, code, [out.storage.buffer, ...inputs.map((x) => x.view.storage.buffer)], meta, Math.ceil(n / 256));
}

const computeFor = (...dtypes: DType[]): Compute => (dtypes.includes("float32") ? "f32" : "i32");

/** A fresh contiguous storage for `shape` and `dtype`, with the view describing it. */
export function freshView(shape: readonly number[], dtype: DType, op: string): GpuView {
  return {
    storage: allocStorage(numel(shape), kindOf(dtype, op)),
    shape,
    strides: contiguousStrides(shape),
    offset: 0,
    dtype,
  };
}

export function copy(x: GpuView, dtype: DType): GpuStorage {
  const out = freshView(x.shape, dtype, "copy");
  map("copy", out, [{ view: x, name: "a" }], "a", computeFor(x.dtype, dtype));
  return out.storage;
}

/** Copies src (broadcast, cast) into the view dst; a src sharing dst's buffer is copied first. */
export function assign(dst: GpuView, src: GpuView): void {
  const s =
    src.storage === dst.storage
      ? { ...src, storage: copy(src, src.dtype), strides: contiguousStrides(src.shape), offset: 0 }
      : src;
  map("assign", dst, [{ view: s, name: "a" }], "a", computeFor(dst.dtype, src.dtype));
}

export function fill(dst: GpuView, value: number): void {
  const c = computeFor(dst.dtype);
  if (c === "i32" && Math.abs(value) > 2 ** 24) {
    // An f32 scalar would round the integer: write its bits as an i32 parameter instead.
    map("fill", dst, [], "s0", c, [value], true);
    return;
  }
  map("fill", dst, [], "s0", c, [value]);
}

export function unary(op: UnaryOp, x: GpuView, outDtype: DType): GpuStorage {
  const out = freshView(x.shape, outDtype, op);
  map(
    op,
    out,
    [{ view: x, name: "a" }],
    unaryExpr(op, computeFor(x.dtype, outDtype), x.dtype),
    computeFor(x.dtype, outDtype),
  );
  return out.storage;
}

export function binary(op: BinaryOp, a: GpuView, b: GpuView, outShape: readonly number[], outDtype: DType): GpuStorage {
  const out = freshView(outShape, outDtype, op);
  const c = computeFor(a.dtype, b.dtype, outDtype);
  map(
    op,
    out,
    [
      { view: a, name: "a" },
      { view: b, name: "b" },
    ],
    binaryExpr(op, c),
    c,
  );
  return out.storage;
}

export function where(cond: GpuView, a: GpuView, b: GpuView, outShape: readonly number[], outDtype: DType): GpuStorage {
  const out = freshView(outShape, outDtype, "where");
  const c = computeFor(a.dtype, b.dtype, outDtype);
  map(
    "where",
    out,
    [
      { view: cond, name: "k" },
      { view: a, name: "a" },
      { view: b, name: "b" },
    ],
    `select(b, a, k != ${c === "f32" ? "0.0" : "0"})`,
    c,
  );
  return out.storage;
}

/** dst += src for views of one shape (gradient accumulation), in place. */
export function addInPlace(dst: GpuView, src: GpuView): boolean {
  if (dst.storage === src.storage || dst.dtype !== src.dtype) return false;
  // Reading dst through a second binding of the same buffer is not allowed next to a writable
  // binding, so read it as the output itself.
  mapInPlaceAdd(dst, src);
  return true;
}

function mapInPlaceAdd(dst: GpuView, src: GpuView): void {
  const c = computeFor(dst.dtype);
  const n = numel(dst.shape);
  if (n === 0) return;
  const merged = mergeDims(dst.shape, [dst.strides, broadcastStrides(src, dst.shape)]);
  const rank = merged.shape.length;
  const meta = new Meta().int(
    n,
    rank,
    ...merged.shape,
    ...merged.strides[0],
    dst.offset,
    ...merged.strides[1],
    src.offset,
  );
  const code = `
@group(0) @binding(0) var<storage, read_write> out: array<${dst.storage.kind}>;
@group(0) @binding(1) var<storage, read> in0: array<${src.storage.kind}>;
${metaDecl(2)}${LINEAR_WG}
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = linearWg(wid, nw) * 256 + i32(li);
  if (i >= mi(0)) { return; }
  var o0 = mi(2 + ${rank} + ${rank});
  var o1 = mi(2 + ${rank} + ${rank + 1} + ${rank});
  var rem = i;
  for (var d = ${rank} - 1; d >= 0; d--) {
    let s = mi(2 + d);
    let cd = rem % s;
    rem = rem / s;
    o0 += cd * mi(2 + ${rank} + d);
    o1 += cd * mi(2 + ${rank} + ${rank + 1} + d);
  }
  out[o0] = ${dst.storage.kind}(${c}(out[o0]) + ${c}(in0[o1]));
}`;
  launch("addInPlace", code, [dst.storage.buffer, src.storage.buffer], meta, Math.ceil(n / 256));
}
