// The binary elementwise ops at the kernel level: one declaration per op (its reference scalar
// function and its result dtype from the promoted operand dtype). The BinaryOp name type of the
// backends, the reference kernels and the native opcodes (resolved by name) derive from this
// table; the user-facing functions and their gradients are in binary.ts, one function per op,
// since their signatures differ (alpha, roundingMode, scalar operands).
import type { DType } from "../dtype.js";
import { isFloating } from "../dtype.js";
import { registerBinaryFn } from "../backend/elementwise-registry.js";

type Out = "promoted" | "float" | "bool";
interface BinaryDecl {
  /** The value of one element (float64 math; the kernel casts it to the output dtype). */
  ref: (a: number, b: number) => number;
  /** The result dtype: the promoted one, a float (true division), or bool (comparisons, logic). */
  out: Out;
}

const nanMax = (a: number, b: number): number => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a > b ? a : b);
const nanMin = (a: number, b: number): number => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a < b ? a : b);

export const BINARY_DECLS = {
  add: { ref: (a, b) => a + b, out: "promoted" },
  sub: { ref: (a, b) => a - b, out: "promoted" },
  mul: { ref: (a, b) => a * b, out: "promoted" },
  div: { ref: (a, b) => a / b, out: "float" },
  pow: { ref: Math.pow, out: "promoted" },
  maximum: { ref: nanMax, out: "promoted" },
  minimum: { ref: nanMin, out: "promoted" },
  atan2: { ref: Math.atan2, out: "float" },
  // Python's modulo: the sign follows the divisor.
  remainder: {
    ref: (a, b) => {
      const r = a % b;
      return r !== 0 && r < 0 !== b < 0 ? r + b : r;
    },
    out: "promoted",
  },
  fmod: { ref: (a, b) => a % b, out: "promoted" },
  floorDivide: { ref: (a, b) => Math.floor(a / b), out: "promoted" },
  eq: { ref: (a, b) => (a === b ? 1 : 0), out: "bool" },
  ne: { ref: (a, b) => (a !== b ? 1 : 0), out: "bool" },
  lt: { ref: (a, b) => (a < b ? 1 : 0), out: "bool" },
  le: { ref: (a, b) => (a <= b ? 1 : 0), out: "bool" },
  gt: { ref: (a, b) => (a > b ? 1 : 0), out: "bool" },
  ge: { ref: (a, b) => (a >= b ? 1 : 0), out: "bool" },
  logicalAnd: { ref: (a, b) => (a !== 0 && b !== 0 ? 1 : 0), out: "bool" },
  logicalOr: { ref: (a, b) => (a !== 0 || b !== 0 ? 1 : 0), out: "bool" },
  logicalXor: { ref: (a, b) => ((a !== 0) !== (b !== 0) ? 1 : 0), out: "bool" },
  bitwiseAnd: { ref: (a, b) => a & b, out: "promoted" },
  bitwiseOr: { ref: (a, b) => a | b, out: "promoted" },
  bitwiseXor: { ref: (a, b) => a ^ b, out: "promoted" },
  // Activation gradients from the output y, as PyTorch's fused kernels: (grad, y) -> grad_input.
  // threshold_backward: zero where the output is <= 0 (a NaN output passes the gradient on).
  reluBackward: { ref: (g, y) => (y <= 0 ? 0 : g), out: "promoted" },
  sigmoidBackward: { ref: (g, y) => g * (1 - y) * y, out: "promoted" },
  tanhBackward: { ref: (g, y) => g * (1 - y * y), out: "promoted" },
} as const satisfies Record<string, BinaryDecl>;

export type BinaryOpName = keyof typeof BINARY_DECLS;

for (const [name, decl] of Object.entries(BINARY_DECLS)) registerBinaryFn(name, decl.ref);

/** The result dtype of `op` for operands promoted to `promoted`. */
export function binaryOutDtype(op: BinaryOpName, promoted: DType): DType {
  const out: Out = BINARY_DECLS[op].out;
  return out === "bool" ? "bool" : out === "float" && !isFloating(promoted) ? "float32" : promoted;
}

/** Whether `op` gives 0/1 already (so a bool result needs no normalising). */
export const givesZeroOne = (op: BinaryOpName): boolean => BINARY_DECLS[op].out === "bool";
