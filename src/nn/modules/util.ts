// Helpers shared by the layer modules: Python-style reprs of options, option parsing.
import type { DType } from "../../dtype.js";
import { parseArgs } from "../../ops/util.js";

/** Python's repr of an int, bool, string, or tuple of ints: 2, True, 'same', (5, 5), (5,). */
export function py(v: unknown): string {
  if (typeof v === "boolean") return v ? "True" : "False";
  if (v === null || v === undefined) return "None";
  if (typeof v === "string") return `'${v}'`;
  if (Array.isArray(v)) return v.length === 1 ? `(${py(v[0])},)` : `(${v.map(py).join(", ")})`;
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : pyFloat(v);
  return String(v);
}

/** Python's float repr for common values (0.1, 1e-05, 0.5, inf). */
export function pyFloat(v: number): string {
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  if (Number.isNaN(v)) return "nan";
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e16)) {
    // Python switches to exponent notation here, with at least two exponent digits.
    return v.toExponential().replace(/e([+-])(\d)$/, "e$10$2");
  }
  if (Number.isInteger(v)) return `${v}.0`;
  return String(v);
}

/** A tuple of n from an int or a list. */
export function ntuple(v: number | readonly number[], n: number): number[] {
  return typeof v === "number" ? new Array<number>(n).fill(v) : [...v];
}

export interface FactoryOptions {
  dtype?: DType;
}

/** Modules' positional-or-options arguments; new code declares a signature (src/internal/args.ts). */
export function moduleArgs<T extends Record<string, unknown>>(name: string, args: readonly unknown[], names: readonly (keyof T & string)[], defaults: Partial<T>): T {
  return parseArgs<T>(name, args, names, defaults);
}
