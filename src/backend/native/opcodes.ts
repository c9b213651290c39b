// Native elementwise opcodes, resolved by name: the addon exports its op names in opcode order,
// so the only list of native elementwise kernels is the one in native/elementwise.h.
import type { BinaryOp, UnaryOp } from "../backend.js";
import type { NativeAddon, OpCode } from "./addon-api.js";

export interface NativeOpcodes {
  /** The addon's opcode for a declared unary op, or undefined when it has no kernel for it. */
  unary(op: UnaryOp): OpCode | undefined;
  binary(op: BinaryOp): OpCode | undefined;
  /** For scalar OP tensor: the reversed opcode (s - a = rsub, s / a = rdiv; commutative ops keep theirs). */
  reversed(op: BinaryOp): OpCode | undefined;
  /** A binary opcode by its native name (for kernels the op layer calls directly, e.g. "add"). */
  byName(name: string): OpCode;
}

const REVERSED_NAME: Partial<Record<BinaryOp, string>> = { add: "add", mul: "mul", sub: "rsub", div: "rdiv", maximum: "maximum", minimum: "minimum" };

export function resolveOpcodes(addon: NativeAddon): NativeOpcodes {
  const index = (names: readonly string[]) => new Map(names.map((n, i) => [n, i as OpCode]));
  const unary = index(addon.unaryOps), binary = index(addon.binaryOps);
  const reversed = new Map<string, OpCode>();
  for (const [op, name] of Object.entries(REVERSED_NAME)) {
    const code = binary.get(name);
    if (code !== undefined) reversed.set(op, code);
  }
  return {
    unary: (op) => unary.get(op),
    binary: (op) => binary.get(op),
    reversed: (op) => reversed.get(op),
    byName(name) {
      const code = binary.get(name);
      if (code === undefined) throw new Error(`native addon: no binary kernel named '${name}'`);
      return code;
    },
  };
}
