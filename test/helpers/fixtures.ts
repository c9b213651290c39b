// Reading PyTorch fixtures (scripts/fixtures/ops_fixtures.py): decoding tensors and
// comparing Flint's results with them.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as torch from "../../src/index.js";
import { type DType, type Tensor, arrayFor, castValue, fromTypedArray } from "../../src/index.js";

export type Num = number | boolean | string;
/** A tensor as the script writes it: flat values, shape, dtype. */
export interface EncTensor {
  v: Num[];
  s: number[];
  d: DType;
}
export type EncOut = EncTensor | { list: EncOut[] };
/** An input spec: base values and shape, dtype, layout ("c" | "T" | "s" | "e" with its shape), requires grad. */
export interface Spec {
  b: Num[];
  bs: number[];
  d: DType;
  l: "c" | "T" | "s" | "e";
  rg: boolean;
  s?: number[];
}

export function loadFixture<T>(name: string): T {
  const path = fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
  return JSON.parse(readFileSync(path, "utf8")) as T;
}

/** The names of the fixture files whose names start with `prefix` (ops-math.json, …), sorted. */
export function fixtureFiles(prefix: string): string[] {
  return readdirSync(fileURLToPath(new URL("../fixtures/", import.meta.url)))
    .filter((f) => f.startsWith(prefix) && f.endsWith(".json"))
    .sort();
}

export function decodeNum(v: Num): number {
  if (typeof v === "boolean") return v ? 1 : 0;
  if (v === "nan") return NaN;
  if (v === "inf") return Infinity;
  if (v === "-inf") return -Infinity;
  return v as number;
}

export function fromValues(values: readonly Num[], shape: readonly number[], dtype: DType): Tensor {
  const a = arrayFor(dtype, values.length);
  values.forEach((v, i) => (a[i] = castValue(decodeNum(v), dtype)));
  return fromTypedArray(a, shape, dtype);
}

/** Builds the input exactly as the script does: base, then the view, then a fresh leaf. */
export function buildSpec(s: Spec): Tensor {
  let x = fromValues(s.b, s.bs, s.d);
  if (s.l === "T") x = x.transpose(-1, -2);
  else if (s.l === "s") x = x.slice(-1, 0, undefined, 2);
  else if (s.l === "e") x = x.expand(s.s as number[]);
  if (s.rg) x = x.detach().requiresGrad_();
  return x;
}

export interface Tol {
  rtol: number;
  atol: number;
}
export const FWD: Record<"float32" | "float64", Tol> = {
  float32: { rtol: 1e-5, atol: 1e-6 },
  float64: { rtol: 1e-10, atol: 1e-12 },
};
export const GRAD: Record<"float32" | "float64", Tol> = {
  float32: { rtol: 1e-4, atol: 1e-5 },
  float64: { rtol: 1e-8, atol: 1e-10 },
};

/** Asserts dtype, shape and values (floats within tol, NaN where PyTorch has NaN; others exact). */
export function assertTensor(
  actual: unknown,
  exp: EncTensor,
  tol: Record<"float32" | "float64", Tol>,
  what: string,
): void {
  assert.ok(actual instanceof torch.Tensor, `${what}: expected a Tensor, got ${String(actual)}`);
  const t = actual as Tensor;
  assert.equal(t.dtype, exp.d, `${what}: dtype`);
  assert.deepEqual(t.shape, exp.s, `${what}: shape`);
  const got = Array.from(t.typedArray(), Number);
  const want = exp.v.map(decodeNum);
  const isFloat = exp.d === "float32" || exp.d === "float64";
  const { rtol, atol } = isFloat ? tol[exp.d as "float32" | "float64"] : { rtol: 0, atol: 0 };
  for (let i = 0; i < want.length; i++) {
    const a = got[i],
      b = want[i];
    const ok = Number.isNaN(b)
      ? Number.isNaN(a)
      : !Number.isFinite(b)
        ? a === b
        : Math.abs(a - b) <= atol + rtol * Math.abs(b);
    if (!ok)
      assert.fail(
        `${what}: element ${i} is ${a}, PyTorch has ${b}\n  got:  ${JSON.stringify(got.slice(0, 24))}\n  want: ${JSON.stringify(want.slice(0, 24))}`,
      );
  }
}

export function flattenOut(r: unknown): Tensor[] {
  if (r instanceof torch.Tensor) return [r];
  if (Array.isArray(r)) return r.flatMap(flattenOut);
  throw new Error(`unexpected result ${String(r)}`);
}

export function flattenEnc(e: EncOut): EncTensor[] {
  return "list" in e ? e.list.flatMap(flattenEnc) : [e];
}

/** An op fixture's argument: a tensor spec, a list, an encoded number or a plain value. */
export type Arg = { T: Spec } | { L: Arg[] } | { f: Num } | number | boolean | string | null | number[];

/**
 * Builds an op fixture's arguments with `build` (CPU or a device); returns them with the inputs that
 * require grad (tensors first, then list items, as the fixture script orders them).
 */
export function buildArgs(args: Arg[], build: (s: Spec) => Tensor = buildSpec): { built: unknown[]; inputs: Tensor[] } {
  const inputs: Tensor[] = [],
    listInputs: Tensor[] = [];
  const one = (a: Arg, inList: boolean): unknown => {
    if (a !== null && typeof a === "object" && !Array.isArray(a)) {
      if ("T" in a) {
        const t = build(a.T);
        if (a.T.rg) (inList ? listInputs : inputs).push(t);
        return t;
      }
      if ("L" in a) return a.L.map((x) => one(x, true));
      if ("f" in a) return decodeNum(a.f);
    }
    return a;
  };
  const built = args.map((a) => one(a, false));
  return { built, inputs: [...inputs, ...listInputs] };
}
