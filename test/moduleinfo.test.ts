// PyTorch 1.13's ModuleInfo samples (module_db, 38 entries; scripts/fixtures/moduleinfo_fixtures.py)
// run in Flint: each sample builds the module with module_db's constructor arguments, loads
// PyTorch's initial state dict, runs module_db's forward inputs, and compares outputs, input
// gradients and parameter gradients (float32 and float64). An entry passes when all its recorded
// samples do. The test prints "N of 38 module_db entries pass" and fails if an entry listed in
// test/fixtures/nn/moduleinfo-passing.json no longer passes. Mapped by hand: names camelCased;
// a forward input passed by name (Linear's `input=`) is passed positionally; `activation=F.gelu`
// is the string "gelu"; module.to(torch.float64) for the float64 samples.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../src/index.js";
import * as nn from "../src/nn/index.js";
import { assertClose, fixture } from "./nn-helpers.js";
import { type SurfEnc, dec } from "./nn-surf-helpers.js";

type Arg =
  | null
  | boolean
  | number
  | string
  | { tensor: SurfEnc; rg: boolean }
  | { list: Arg[] }
  | { fn: string }
  | { dtype: string };
interface Sample {
  dtype: "float32" | "float64";
  index: number;
  ctorArgs: { list: Arg[] };
  ctorKwargs: Record<string, Arg>;
  state: Record<string, SurfEnc>;
  args: { list: Arg[] };
  kwargs: Record<string, Arg>;
  outputs: SurfEnc[];
  gradOuts: SurfEnc[];
  inputGrads: (SurfEnc | null)[];
  paramGrads: Record<string, SurfEnc>;
}
interface Entry {
  name: string;
  samples: Sample[];
  skipped: string[];
  total: number;
}
const { entries } = fixture<{ entries: Entry[] }>("moduleinfo.json");
const mustPass = fixture<{ passing: string[] }>("moduleinfo-passing.json").passing;

/** Decodes an argument; tensors that required grad in PyTorch become fresh leaves requiring grad (collected in order). */
function decodeArg(a: Arg, leaves: torch.Tensor[]): unknown {
  if (a === null || typeof a !== "object") return a;
  if ("tensor" in a) {
    const t = dec(a.tensor);
    if (a.rg) {
      t.requiresGrad_(true);
      leaves.push(t);
    }
    return t;
  }
  if ("list" in a) return a.list.map((x) => decodeArg(x, leaves));
  if ("fn" in a) return a.fn;
  return a.dtype;
}
const decodeKw = (kw: Record<string, Arg>, leaves: torch.Tensor[]): Record<string, unknown> =>
  Object.fromEntries(Object.entries(kw).map(([k, v]) => [k, decodeArg(v, leaves)]));

function flatTensors(r: unknown): torch.Tensor[] {
  if (r instanceof torch.Tensor) return [r];
  if (Array.isArray(r)) return r.flatMap(flatTensors);
  return [];
}

function runSample(name: string, s: Sample): void {
  const Ctor = (nn as unknown as Record<string, new (...a: unknown[]) => nn.Module>)[name];
  if (typeof Ctor !== "function") throw new Error(`no nn.${name}`);
  const ctorArgs = decodeArg(s.ctorArgs, []) as unknown[];
  const kw = decodeKw(s.ctorKwargs, []);
  torch.manualSeed(0);
  const m = Object.keys(kw).length ? new Ctor(...ctorArgs, kw) : new Ctor(...ctorArgs);
  if (s.dtype === "float64") m.to("float64");
  m.train(true);
  const leaves: torch.Tensor[] = [];
  const args = decodeArg(s.args, leaves) as unknown[];
  const fkw = decodeKw(s.kwargs, leaves);
  // JS has no keyword arguments: forward's first parameter passed by name (Linear's input=) goes positionally.
  if ("input" in fkw && args.length === 0) {
    args.push(fkw.input);
    delete fkw.input;
  }
  const call = (): unknown =>
    (m.call as (...a: unknown[]) => unknown)(...args, ...(Object.keys(fkw).length ? [fkw] : []));
  if (name.startsWith("Lazy")) torch.noGrad(() => call());
  const state = Object.fromEntries(Object.entries(s.state).map(([k, v]) => [k, dec(v)]));
  assert.deepEqual(m.loadStateDict(state), { missingKeys: [], unexpectedKeys: [] }, "state dict keys");
  const outs = flatTensors(call());
  assert.equal(outs.length, s.outputs.length, "number of outputs");
  const tol = s.dtype === "float64" ? 1e-8 : 2e-4;
  outs.forEach((o, i) => assertClose(o, dec(s.outputs[i]), `output ${i}`, tol, tol));
  const diff = outs.filter((o) => o.requiresGrad);
  assert.equal(diff.length, s.gradOuts.length, "differentiable outputs");
  if (diff.length === 0) return;
  let total: torch.Tensor | null = null;
  diff.forEach((o, i) => {
    const t = torch.mul(o, dec(s.gradOuts[i])).sum();
    total = total === null ? t : torch.add(total, t);
  });
  (total as unknown as torch.Tensor).backward();
  s.inputGrads.forEach((g, i) => {
    if (g) assertClose(leaves[i].grad ?? torch.zerosLike(leaves[i]), dec(g), `input grad ${i}`, tol, tol);
  });
  const params = Object.fromEntries(m.namedParameters());
  for (const [k, g] of Object.entries(s.paramGrads)) {
    assert.ok(params[k], `parameter ${k}`);
    assertClose(params[k].grad ?? torch.zerosLike(params[k]), dec(g), `grad ${k}`, tol, tol);
  }
}

const results = new Map<string, string | null>();
for (const e of entries) {
  let failure: string | null = null;
  for (const s of e.samples) {
    try {
      runSample(e.name, s);
    } catch (err) {
      failure = `${s.dtype} sample ${s.index}: ${(err as Error).message.split("\n")[0]}`;
      break;
    }
  }
  results.set(e.name, failure);
}

test("module_db entries pass (no regression below the committed list)", () => {
  const passing = [...results].filter(([, f]) => f === null).map(([n]) => n);
  console.log(`${passing.length} of ${entries.length} module_db entries pass`);
  for (const [n, f] of results) if (f !== null) console.log(`  ${n}: ${f}`);
  const lost = mustPass.filter((n) => results.get(n) !== null);
  assert.deepEqual(lost, [], `entries that no longer pass: ${lost.join(", ")}`);
});
