// Running PyTorch's op_db samples (test/fixtures/opinfo/op_db.json.gz, made by
// scripts/fixtures/opinfo_fixtures.py) in Flint: decoding, calling, comparing, gradients.
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import * as torch from "../../src/index.js";
import type { DType, Tensor } from "../../src/index.js";
import { type Num, decodeNum, fromValues } from "./fixtures.js";
import { type Caller, callerFor, methodFor } from "./opinfo-names.js";

export interface EncT {
  t: Num[];
  s: number[];
  d: DType;
  rg?: boolean;
  c?: boolean;
}
export type Enc =
  EncT | { L: Enc[] } | { U: Enc[] } | { f: Num } | { dt: DType } | { n: Num } | number | boolean | string | null;
export interface Sample {
  in: Enc;
  args: Enc[];
  kw: Record<string, Enc>;
  out: Enc;
  /** Uninitialised memory (torch.empty and kin): only shape and dtype are compared. */
  shape_only?: boolean;
  cot?: EncT[];
  grads?: (EncT | null)[];
}
export interface Entry {
  name: string;
  variant: string;
  excluded?: string;
  call?: { fn?: string; method?: string; lambda?: string; seed?: number };
  method?: boolean;
  autograd?: boolean;
  samples?: Partial<Record<DType, Sample[]>>;
}

export function loadOpDb(): Entry[] {
  const path = fileURLToPath(new URL("../fixtures/opinfo/op_db.json.gz", import.meta.url));
  return (JSON.parse(gunzipSync(readFileSync(path)).toString("utf8")) as { entries: Entry[] }).entries;
}

export const entryKey = (e: Entry): string => (e.variant ? `${e.name}.${e.variant}` : e.name);

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Decodes a value; tensors that require grad are collected in the script's order (depth first). */
function decode(v: Enc, leaves: Tensor[]): unknown {
  if (!isObj(v)) return v;
  if ("t" in v) {
    const e = v as unknown as EncT;
    const x = fromValues(e.t, e.s, e.d);
    if (e.rg === true) {
      x.requiresGrad_();
      leaves.push(x);
    }
    return x;
  }
  if ("L" in v) return (v.L as Enc[]).map((x) => decode(x, leaves));
  if ("U" in v) return (v.U as Enc[]).map((x) => decode(x, leaves));
  if ("f" in v) return decodeNum(v.f as Num);
  if ("dt" in v) return v.dt;
  throw new Error(`cannot decode ${JSON.stringify(v)}`);
}

export interface Tols {
  rtol: number;
  atol: number;
}
const TOL: Record<string, Tols> = { float32: { rtol: 1e-4, atol: 1e-5 }, float64: { rtol: 1e-7, atol: 1e-9 } };
const GRAD_TOL: Tols = { rtol: 1e-6, atol: 1e-8 };

function closeArrays(got: number[], want: number[], tol: Tols, what: string): void {
  for (let i = 0; i < want.length; i++) {
    const a = got[i],
      b = want[i];
    const ok = Number.isNaN(b)
      ? Number.isNaN(a)
      : !Number.isFinite(b)
        ? a === b
        : Math.abs(a - b) <= tol.atol + tol.rtol * Math.abs(b);
    if (!ok) throw new Error(`${what}: element ${i} is ${a}, PyTorch has ${b}`);
  }
}

function compareTensor(got: unknown, want: EncT, tol: Tols | null, what: string): void {
  if (!(got instanceof torch.Tensor)) throw new Error(`${what}: expected a tensor, got ${String(got)}`);
  if (got.dtype !== want.d) throw new Error(`${what}: dtype ${got.dtype}, PyTorch has ${want.d}`);
  if (JSON.stringify(got.shape) !== JSON.stringify(want.s))
    throw new Error(`${what}: shape [${got.shape.join(", ")}], PyTorch has [${want.s.join(", ")}]`);
  const isFloat = want.d === "float32" || want.d === "float64";
  closeArrays(
    Array.from(got.typedArray(), Number),
    want.t.map(decodeNum),
    isFloat ? (tol ?? TOL[want.d]) : { rtol: 0, atol: 0 },
    what,
  );
}

/** Compares a result with PyTorch's: tensors, tuples/lists (arrays), numbers and bools. */
function compare(got: unknown, want: Enc, what: string): void {
  if (want === null) {
    if (got !== null && got !== undefined) throw new Error(`${what}: expected None, got ${String(got)}`);
    return;
  }
  if (typeof want === "boolean" || typeof want === "string") {
    if (got !== want) throw new Error(`${what}: ${String(got)}, PyTorch has ${String(want)}`);
    return;
  }
  if (typeof want === "number") {
    if (typeof got !== "number" || got !== want) throw new Error(`${what}: ${String(got)}, PyTorch has ${want}`);
    return;
  }
  if ("t" in want) return compareTensor(got, want as EncT, null, what);
  if ("n" in want || "f" in want) {
    const w = decodeNum((want as { n?: Num; f?: Num }).n ?? (want as { f: Num }).f);
    if (typeof got !== "number") throw new Error(`${what}: expected a number, got ${String(got)}`);
    closeArrays([got], [w], TOL.float64, what);
    return;
  }
  if ("L" in want || "U" in want) {
    const items = "L" in want ? want.L : (want as { U: Enc[] }).U;
    const arr = got instanceof torch.Tensor || !Array.isArray(got) ? null : (got as unknown[]);
    if (arr === null) {
      // a torch.Size-like list of ints may come back as a number array
      throw new Error(`${what}: expected a sequence of ${items.length}, got ${String(got)}`);
    }
    if (arr.length !== items.length) throw new Error(`${what}: ${arr.length} results, PyTorch has ${items.length}`);
    items.forEach((w, i) => compare(arr[i], w, `${what}[${i}]`));
    return;
  }
  throw new Error(`${what}: cannot compare with ${JSON.stringify(want)}`);
}

function flattenTensors(r: unknown): Tensor[] {
  if (r instanceof torch.Tensor) return [r];
  if (Array.isArray(r)) return r.flatMap(flattenTensors);
  return [];
}

const camelKw = (kw: Record<string, unknown>): Record<string, unknown> | undefined => {
  const keys = Object.keys(kw);
  if (keys.length === 0) return undefined;
  return Object.fromEntries(keys.map((k) => [k.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase()), kw[k]]));
};

/** Runs one sample through `caller` (and the method form); throws with what differs. */
function runSample(e: Entry, caller: Caller, s: Sample, dtype: DType): void {
  const leaves: Tensor[] = [];
  const x = decode(s.in, leaves);
  const args = s.args.map((a) => decode(a, leaves));
  const kwRaw = Object.fromEntries(Object.entries(s.kw).map(([k, v]) => [k, decode(v, leaves)]));
  const kw = camelKw(kwRaw);
  torch.manualSeed(e.call?.seed ?? 0);
  const out = caller(x, args, kw);
  compare(s.shape_only === true && out instanceof torch.Tensor ? torch.zerosLike(out) : out, s.out, `${dtype} forward`);
  if (s.cot !== undefined && s.grads !== undefined) {
    const outs = flattenTensors(out).filter((t) => t.requiresGrad && (t.dtype === "float32" || t.dtype === "float64"));
    if (outs.length !== s.cot.length)
      throw new Error(`${dtype} backward: ${outs.length} outputs require grad, PyTorch has ${s.cot.length}`);
    const grads = torch.autograd.grad(outs, leaves, {
      gradOutputs: outs.map((_o, i) => decode(s.cot?.[i] ?? null, []) as Tensor),
      allowUnused: true,
    });
    s.grads.forEach((w, i) => {
      const g = grads[i];
      if (w === null) {
        if (g !== null && g !== undefined && g.numel() > 0 && g.abs().max().item() !== 0)
          throw new Error(`${dtype} backward: input ${i} has a gradient, PyTorch has none`);
        return;
      }
      // (PyTorch materialises zeros where Flint's graph has no path: the same gradient)
      if ((g === null || g === undefined) && w.t.every((v) => v === 0)) return;
      if (g === null || g === undefined) throw new Error(`${dtype} backward: input ${i} has no gradient`);
      compareTensor(g, w, GRAD_TOL, `${dtype} grad of input ${i}`);
    });
  }
  // The method form, forward only, when PyTorch has one and the entry was called as a function.
  if (e.method === true && e.call?.fn !== undefined && x instanceof torch.Tensor) {
    const y = decode(s.in, []) as Tensor;
    torch.manualSeed(e.call.seed ?? 0);
    compare(
      methodFor(e.name)(
        y,
        s.args.map((a) => decode(a, [])),
        camelKw(Object.fromEntries(Object.entries(s.kw).map(([k, v]) => [k, decode(v, [])]))),
      ),
      s.out,
      `${dtype} method forward`,
    );
  }
}

/** null when every sample of the entry passes, else the first failure. */
export function runEntry(e: Entry): string | null {
  const all = Object.entries(e.samples ?? {}) as [DType, Sample[]][];
  if (all.every(([, ss]) => ss.length === 0)) return "no samples recorded";
  const caller = callerFor(e.name, e.variant, e.method === true);
  for (const [dtype, ss] of all) {
    for (let i = 0; i < ss.length; i++) {
      try {
        runSample(e, caller, ss[i], dtype);
      } catch (err) {
        return `sample ${dtype}#${i}: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`;
      }
    }
  }
  return null;
}
