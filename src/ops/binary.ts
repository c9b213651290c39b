// Broadcasting binary ops: arithmetic, comparisons and logic, with PyTorch's type promotion.
import { type DType, isFloating, isIntegral, resultType } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { DTypeError, ValueError, fmtShape } from "../errors.js";
import { backend, type BinaryOp } from "../backend/backend.js";
import { broadcastShapes } from "../shape.js";
import { record } from "../autograd/record.js";
import { isGradEnabled } from "../autograd/grad-mode.js";
import { type TensorLike, isTensor, scalarTensor, wrap, zerosOf } from "./util.js";
import { sumToShape } from "./broadcast.js";
import { toDType } from "./cast.js";
import { binaryOutDtype } from "./binary-decls.js";
import { log, neg } from "./unary.js";

const operand = (x: TensorLike) => (isTensor(x) ? { dtype: x.dtype, dim: x.dim() } : x);
const asTensor = (x: TensorLike, dtype: DType): Tensor => (isTensor(x) ? x : scalarTensor(x, dtype));

const INT_DIVISIONS = new Set<BinaryOp>(["floorDivide", "remainder", "fmod"]);

/** Integer division by zero is an error in PyTorch ("ZeroDivisionError"), not a made-up integer. */
function checkIntDivisor(op: string, tb: Tensor): void {
  const d = tb.typedArray();
  for (let i = 0; i < d.length; i++) {
    if (d[i] === 0)
      throw new ValueError(`${op}: ZeroDivisionError (integer division by zero; divisor shape ${fmtShape(tb.shape)})`);
  }
}

/** Runs a binary kernel: promotes, broadcasts, and wraps, with the result dtype its declaration gives. */
function kernel(op: BinaryOp, a: TensorLike, b: TensorLike): { out: Tensor; ta: Tensor; tb: Tensor } {
  // Two tensors of one dtype (the common case) keep it; anything else takes PyTorch's promotion rules.
  const promoted = isTensor(a) && isTensor(b) && a.dtype === b.dtype ? a.dtype : resultType([operand(a), operand(b)]);
  const ta = asTensor(a, promoted),
    tb = asTensor(b, promoted);
  if (isIntegral(promoted) && INT_DIVISIONS.has(op)) checkIntDivisor(op, tb);
  // (PyTorch checks scalar exponents only; a tensor of exponents computes in integers.)
  if (op === "pow" && !isTensor(b) && isIntegral(promoted) && (b as number) < 0) {
    throw new ValueError(
      `pow: integers to negative integer powers are not allowed (base ${promoted}, exponent ${String(b)})`,
    );
  }
  const shape = sameShape(ta.shape, tb.shape) ? ta.shape : broadcastShapes(ta.shape, tb.shape, op);
  const dt = binaryOutDtype(op, promoted);
  return { out: wrap(backend().binary(op, ta, tb, shape, dt), shape, dt), ta, tb };
}

/** Gradient of a broadcast operand: reduce to its shape; scalars get none. */
function gradFor(x: TensorLike, g: Tensor): Tensor | null {
  if (!isTensor(x) || !x.requiresGrad) return null;
  const r = sumToShape(g, x.shape);
  return r.dtype === x.dtype ? r : toDType(r, x.dtype);
}

type AlphaArg = number | { alpha?: number };
const alphaOf = (a: AlphaArg | undefined): number => (typeof a === "object" && a !== null ? (a.alpha ?? 1) : (a ?? 1));

export function add(a: TensorLike, b: TensorLike, alphaArg?: AlphaArg): Tensor {
  const alpha = alphaOf(alphaArg);
  if (alpha !== 1) return add(a, mul(b, alpha));
  const { out } = kernel("add", a, b);
  if (!recording(a, b)) return out;
  return record("AddBackward", [a as Tensor, b as Tensor].filter(isTensor), out, ([g]) => inputGrads(a, b, g, g));
}

export function sub(a: TensorLike, b: TensorLike, alphaArg?: AlphaArg): Tensor {
  const alpha = alphaOf(alphaArg);
  if (alpha !== 1) return sub(a, mul(b, alpha));
  if ((isTensor(a) ? a.dtype : "") === "bool" && (isTensor(b) ? b.dtype : "") === "bool") {
    throw new DTypeError(
      "sub: subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logicalXor()` operator instead.",
    );
  }
  const { out } = kernel("sub", a, b);
  if (!recording(a, b)) return out;
  // 1 - x is PyTorch's rsub
  return record(isTensor(a) ? "SubBackward" : "RsubBackward1", tensorsOf(a, b), out, ([g]) =>
    inputGrads(a, b, g, neg(g)),
  );
}

export function mul(a: TensorLike, b: TensorLike): Tensor {
  const { out, ta, tb } = kernel("mul", a, b);
  if (!recording(a, b)) return out;
  // Saves b only if a needs its gradient, and a only if b does (as PyTorch).
  const saved = [...(needs(a) && isTensor(b) ? [b] : []), ...(needs(b) && isTensor(a) ? [a] : [])];
  return record(
    "MulBackward",
    tensorsOf(a, b),
    out,
    ([g]) => inputGrads(a, b, needs(a) ? mul(g, tb) : null, needs(b) ? mul(g, ta) : null),
    saved,
  );
}

/**
 * A rounded quotient's node: PyTorch records div with a rounding mode and returns zero gradients
 * for both operands (derivatives.yaml: grad * 0), so a graph through it stays connected.
 */
function zeroGradient(name: string, a: TensorLike, b: TensorLike, out: Tensor): Tensor {
  if (!isFloating(out.dtype)) return out;
  const inputs = tensorsOf(a, b);
  return record(name, inputs, out, () => inputs.map((t) => zerosOf(t.shape, t.dtype, t.storage.device)));
}

type RoundingMode = "trunc" | "floor" | null | undefined;
export function div(a: TensorLike, b: TensorLike, mode?: RoundingMode | { roundingMode?: RoundingMode }): Tensor {
  const roundingMode = typeof mode === "object" && mode !== null ? mode.roundingMode : mode;
  if (roundingMode === "floor") return zeroGradient("DivBackward", a, b, floorDivide(a, b));
  if (roundingMode === "trunc") {
    const promoted = resultType([operand(a), operand(b)]);
    if (isIntegral(promoted)) checkIntDivisor("div", asTensor(b, promoted));
    const q = div(a, b);
    const r = wrap(backend().unary("trunc", q, q.dtype), q.shape, q.dtype);
    return zeroGradient(
      "DivBackward",
      a,
      b,
      promoted === q.dtype ? r : wrap(backend().copy(r, promoted), r.shape, promoted),
    );
  }
  const { out, ta, tb } = kernel("div", a, b);
  if (!recording(a, b)) return out;
  // PyTorch's formulas (other: -g * ((a / b) / b)), reading the inputs, not the output the caller may change in place.
  const saved = [...(needs(b) && isTensor(a) ? [a] : []), ...(isTensor(b) ? [b] : [])];
  return record(
    "DivBackward",
    tensorsOf(a, b),
    out,
    ([g]) => inputGrads(a, b, needs(a) ? div(g, tb) : null, needs(b) ? neg(mul(g, div(div(ta, tb), tb))) : null),
    saved,
  );
}

export function pow(a: TensorLike, b: TensorLike): Tensor {
  const { out, ta, tb } = kernel("pow", a, b);
  // pow(tensor, scalar) is PowBackward0; a tensor exponent (or a scalar base) PowBackward1
  return record(
    isTensor(b) ? "PowBackward1" : "PowBackward",
    tensorsOf(a, b),
    out,
    ([g]) => {
      // PyTorch's pow_backward: exactly 0 where the exponent is 0 (not 0 * 0^-1 = NaN).
      const ga = needs(a) ? where(eq(tb, 0), 0, mul(g, mul(tb, pow(ta, sub(tb, 1))))) : null;
      // d/db a^b = a^b ln a, taken as 0 where a == 0 and b >= 0 (as PyTorch does).
      const gb = needs(b) ? mul(g, where(logicalAnd(eq(ta, 0), ge(tb, 0)), 0, mul(out, log(ta)))) : null;
      return inputGrads(a, b, ga, gb);
    },
    [...savedOf(a, b), ...(needs(b) ? [out] : [])],
  );
}

function minMax(op: "maximum" | "minimum", a: Tensor, b: Tensor): Tensor {
  const { out } = kernel(op, a, b);
  return record(
    op === "maximum" ? "MaximumBackward" : "MinimumBackward",
    [a, b],
    out,
    ([g]) => {
      // PyTorch's formula: ties split the gradient; with a NaN neither side "loses", so both get it.
      const half = where(eq(a, b), div(g, 2), g);
      const aLoses = op === "maximum" ? lt(a, b) : gt(a, b);
      const bLoses = op === "maximum" ? gt(a, b) : lt(a, b);
      return inputGrads(a, b, where(aLoses, 0, half), where(bLoses, 0, half));
    },
    [a, b],
  );
}
export const maximum = (a: Tensor, b: Tensor): Tensor => minMax("maximum", a, b);
export const minimum = (a: Tensor, b: Tensor): Tensor => minMax("minimum", a, b);

export function atan2(a: Tensor, b: Tensor): Tensor {
  const { out } = kernel("atan2", a, b);
  return record(
    "Atan2Backward",
    [a, b],
    out,
    ([g]) => {
      const den = add(mul(a, a), mul(b, b));
      return inputGrads(a, b, mul(g, div(b, den)), mul(g, div(neg(a), den)));
    },
    [a, b],
  );
}

export function remainder(a: TensorLike, b: TensorLike): Tensor {
  const { out, tb, ta } = kernel("remainder", a, b);
  return record(
    "RemainderBackward",
    tensorsOf(a, b),
    out,
    ([g]) => inputGrads(a, b, g, mul(neg(g), floorDivide(ta, tb))),
    needs(b) ? savedOf(a, b) : [],
  );
}
export function fmod(a: TensorLike, b: TensorLike): Tensor {
  const { out, ta, tb } = kernel("fmod", a, b);
  return record(
    "FmodBackward",
    tensorsOf(a, b),
    out,
    ([g]) => inputGrads(a, b, g, mul(neg(g), div(ta, tb, "trunc"))),
    needs(b) ? savedOf(a, b) : [],
  );
}
export const floorDivide = (a: TensorLike, b: TensorLike): Tensor => kernel("floorDivide", a, b).out;

const compare =
  (op: BinaryOp) =>
  (a: TensorLike, b: TensorLike): Tensor =>
    kernel(op, a, b).out;
export const eq = compare("eq");
export const ne = compare("ne");
export const lt = compare("lt");
export const le = compare("le");
export const gt = compare("gt");
export const ge = compare("ge");
export const logicalAnd = compare("logicalAnd");
export const logicalOr = compare("logicalOr");
export const logicalXor = compare("logicalXor");

function intOnly(op: BinaryOp) {
  return (a: TensorLike, b: TensorLike): Tensor => {
    const r = kernel(op, a, b);
    if (isFloating(r.out.dtype)) throw new DTypeError(`${op}: not implemented for '${r.out.dtype}'`);
    return r.out;
  };
}
export const bitwiseAnd = intOnly("bitwiseAnd");
export const bitwiseOr = intOnly("bitwiseOr");
export const bitwiseXor = intOnly("bitwiseXor");

/** where(cond, a, b): the promoted dtype of a and b; gradients flow to the selected side. */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  if (cond.dtype !== "bool" && cond.dtype !== "uint8") {
    throw new DTypeError(
      `where: expected condition to be a boolean tensor, but got a tensor with dtype ${cond.dtype} (shape ${fmtShape(cond.shape)})`,
    );
  }
  const dt = resultType([operand(a), operand(b)]);
  const ta = asTensor(a, dt),
    tb = asTensor(b, dt);
  const shape = broadcastShapes(broadcastShapes(cond.shape, ta.shape, "where"), tb.shape, "where");
  const out = wrap(backend().where(cond, ta, tb, shape, dt), shape, dt);
  return record(
    "WhereBackward",
    tensorsOf(a, b),
    out,
    ([g]) => inputGrads(a, b, needs(a) ? where(cond, g, 0) : null, needs(b) ? where(cond, 0, g) : null),
    [cond],
  );
}

// --- helpers shared by the ops above ---
const needs = (x: TensorLike): boolean => isTensor(x) && x.requiresGrad;
/** Whether record() would record: checked first so that an op outside autograd builds no closure. */
const recording = (a: TensorLike, b: TensorLike): boolean => isGradEnabled() && (needs(a) || needs(b));
function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
const tensorsOf = (a: TensorLike, b: TensorLike): Tensor[] => [a, b].filter(isTensor);
const savedOf = tensorsOf;
/** Maps gradients of (a, b) onto the tensor inputs recorded (scalars are not inputs). */
function inputGrads(a: TensorLike, b: TensorLike, ga: Tensor | null, gb: Tensor | null): (Tensor | null)[] {
  const out: (Tensor | null)[] = [];
  if (isTensor(a)) out.push(ga && gradFor(a, ga));
  if (isTensor(b)) out.push(gb && gradFor(b, gb));
  return out;
}
