// Helpers shared by the layer modules: Python-style reprs of options, option parsing.
import type { DType } from "../../dtype.js";
import { type DeviceLike, checkCpu } from "../../device.js";
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
  /** Where the parameters are created (Linear also takes "meta": shapes without memory). */
  device?: DeviceLike | null;
  dtype?: DType | null;
}
/** torch's factory_kwargs (device=None, dtype=None), last in most module signatures. */
export const factoryDefaults = { device: undefined, dtype: undefined } as const;
/** The dtype of a module's parameters (float32 unless given); throws unless device is the CPU. */
export function factoryDType(callee: string, o: FactoryOptions): DType {
  if (o.device !== undefined && o.device !== null) checkCpu(callee, o.device);
  return o.dtype ?? "float32";
}

/**
 * Deprecated size_average / reduce of torch's losses (_Reduction.legacy_get_string): when either
 * is given it decides the reduction, as in PyTorch.
 */
export function legacyReduction<R extends string>(
  sizeAverage: boolean | null | undefined,
  reduce: boolean | null | undefined,
  reduction: R,
): R | "mean" | "sum" | "none" {
  if ((sizeAverage === null || sizeAverage === undefined) && (reduce === null || reduce === undefined))
    return reduction;
  const sa = sizeAverage ?? true,
    rd = reduce ?? true;
  return !rd ? "none" : sa ? "mean" : "sum";
}

/** Modules' positional-or-options arguments; new code declares a signature (src/internal/args.ts). */
export function moduleArgs<T extends Record<string, unknown>>(
  name: string,
  args: readonly unknown[],
  names: readonly (keyof T & string)[],
  defaults: Partial<T>,
): T {
  return parseArgs<T>(name, args, names, defaults);
}
