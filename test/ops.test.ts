// Every core op against PyTorch 1.13: forward values, dtype, shape and input gradients, from
// test/fixtures/ops.json (made by scripts/fixtures/ops_fixtures.py). Each case runs in each form
// the op has in torch: functional torch.op(...), method x.op(...), in-place on a clone.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../src/index.js";
import type { Tensor } from "../src/index.js";
import {
  type EncOut, type EncTensor, type Num, type Spec, FWD, GRAD, assertTensor, buildSpec, decodeNum, flattenEnc, flattenOut, fromValues, loadFixture,
} from "./helpers/fixtures.js";

type Arg = { T: Spec } | { L: Arg[] } | { f: Num } | number | boolean | string | null | number[];
interface Case {
  name: string; op: string; args: Arg[]; kw?: Record<string, unknown>; forms: ("fn" | "method" | "inplace")[];
  out?: EncOut; error?: string; up?: EncTensor[]; grads?: (EncTensor | null)[];
}
interface Fixture { cases: Case[] }

const fixture = loadFixture<Fixture>("ops.json");

/** Builds the arguments; returns them with the inputs that require grad (tensors first, then list items, as the script). */
function buildArgs(args: Arg[]): { built: unknown[]; inputs: Tensor[] } {
  const inputs: Tensor[] = [], listInputs: Tensor[] = [];
  const one = (a: Arg, inList: boolean): unknown => {
    if (a !== null && typeof a === "object" && !Array.isArray(a)) {
      if ("T" in a) {
        const t = buildSpec(a.T);
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

type Fn = (...a: unknown[]) => unknown;
const ns = torch as unknown as Record<string, Fn | undefined>;

function call(c: Case, form: "fn" | "method" | "inplace", built: unknown[]): unknown {
  const extra = c.kw ? [c.kw] : [];
  if (form === "fn") {
    const f = ns[c.op];
    assert.equal(typeof f, "function", `torch.${c.op} is missing`);
    return (f as Fn)(...built, ...extra);
  }
  let self = built[0] as Tensor;
  if (form === "inplace") self = self.clone();
  const m = (self as unknown as Record<string, Fn | undefined>)[c.op];
  assert.equal(typeof m, "function", `Tensor.${c.op} is missing`);
  const r = (m as Fn).call(self, ...built.slice(1), ...extra);
  if (form === "inplace") assert.equal(r, self, `${c.op} must return the tensor it changed`);
  return r;
}

function runCase(c: Case, form: "fn" | "method" | "inplace"): void {
  const { built, inputs } = buildArgs(c.args);
  if (c.error !== undefined) {
    assert.throws(() => call(c, form, built), (e: unknown) => {
      assert.ok(e instanceof torch.FlintError, `expected a FlintError (PyTorch: ${c.error}), got ${String(e)}`);
      if (c.error?.startsWith("IndexError")) assert.ok(e instanceof torch.IndexError, `expected IndexError, got ${e.name}: ${e.message}`);
      return true;
    }, `PyTorch raises ${c.error}`);
    return;
  }
  const r = call(c, form, built);
  const outs = flattenOut(r);
  const exp = flattenEnc(c.out as EncOut);
  assert.equal(outs.length, exp.length, "number of outputs");
  outs.forEach((o, i) => assertTensor(o, exp[i], FWD, `output ${i}`));
  if (!c.grads || !c.up) return;
  const diff = outs.filter((o) => o.requiresGrad);
  assert.equal(diff.length, c.up.length, "number of outputs that require grad");
  const ups = c.up.map((u) => fromValues(u.v, u.s, u.d));
  const gs = torch.autograd.grad(diff, inputs, { gradOutputs: ups, allowUnused: true });
  c.grads.forEach((g, i) => {
    if (g === null) {
      const gi = gs[i];
      assert.ok(gi === null || Array.from(gi.typedArray()).every((v) => v === 0), `gradient ${i}: PyTorch has none`);
    } else if (gs[i] === null && g.v.every((v) => v === 0)) {
      // PyTorch materialises zeros where Flint's graph has no path (copy_ over a value): the same gradient.
    } else {
      assert.ok(gs[i], `gradient ${i} missing`);
      assertTensor(gs[i], g, GRAD, `gradient of input ${i}`);
    }
  });
}

const families = new Map<string, Case[]>();
for (const c of fixture.cases) {
  const list = families.get(c.op) ?? [];
  list.push(c);
  families.set(c.op, list);
}

for (const [op, cases] of families) {
  describe(op, () => {
    for (const c of cases) {
      for (const form of c.forms) test(`${c.name} [${form}]`, () => runCase(c, form));
    }
  });
}
