// The ops fixture suite (test/fixtures/ops-*.json, PyTorch 1.13) on the webgpu device: each case's
// inputs are built on the GPU (the same strided views: transposed, sliced, expanded), the op runs
// there, and the outputs and input gradients are read back asynchronously and compared at float32
// tolerance. One form per case (torch.op(...)): the method and in-place forms run the same
// kernels, and SwiftShader makes every case cost milliseconds.
//
// Excluded, and why (also in the README's WebGPU section):
// - cases with a float64 tensor (input, output or gradient): WebGPU has no 64-bit floats;
// - cases whose int64 values do not fit in i32 (WebGPU has no 64-bit integers; the upload refuses);
// - error cases (the op's argument checks run before any kernel, the same on every device; ops.test.ts covers them);
// - WEBGPU_EXCLUDED below: ops whose implementation reads tensor values synchronously on the
//   host (a data-dependent output shape or a value used as a Python-style number), which a GPU
//   tensor cannot give without an await.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as torch from "../src/index.js";
import type { Tensor } from "../src/index.js";
import {
  type Arg,
  type EncOut,
  type EncTensor,
  type Spec,
  FWD,
  GRAD,
  assertTensor,
  buildArgs,
  decodeNum,
  fixtureFiles,
  flattenEnc,
  flattenOut,
  fromValues,
  loadFixture,
} from "./helpers/fixtures.js";
import { noGpu } from "./webgpu-helpers.js";

interface Case {
  name: string;
  op: string;
  args: Arg[];
  kw?: Record<string, unknown>;
  forms: ("fn" | "method" | "inplace")[];
  out?: EncOut;
  error?: string;
  up?: EncTensor[];
  grads?: (EncTensor | null)[];
  fe?: number;
  ge?: number;
}

/** Ops (or single cases, by name) that read values on the host, with the reason. */
export const WEBGPU_EXCLUDED: Record<string, string> = {
  // Data-dependent output shapes: the op counts the selected elements on the host.
  nonzero: "nonzero: the output's length is the count of nonzeros, read on the host",
  maskedSelect: "maskedSelect: the output's length is the count of true mask elements, read on the host",
  "index bool mask": "a bool mask index goes through nonzero (a host-side count)",
  // Index checks: advanced indexing checks index bounds on the host (a GPU kernel cannot raise).
  "index tensor 2d": "advanced indexing checks the indices' bounds on the host (ops/advanced-index.ts)",
  "index tensor dim1": "advanced indexing checks the indices' bounds on the host (ops/advanced-index.ts)",
  "index list c":
    "a list index becomes a CPU tensor that gather does not move to the webgpu device (ops/advanced-index.ts)",
  "index list T":
    "a list index becomes a CPU tensor that gather does not move to the webgpu device (ops/advanced-index.ts)",
  "index list s":
    "a list index becomes a CPU tensor that gather does not move to the webgpu device (ops/advanced-index.ts)",
  // Integer division by zero raises ZeroDivisionError as in PyTorch: the op looks for a zero divisor on the host.
  "div int trunc": "integer division checks for a zero divisor on the host (ZeroDivisionError)",
  "div int floor": "integer division checks for a zero divisor on the host (ZeroDivisionError)",
  "remainder int": "integer remainder checks for a zero divisor on the host (ZeroDivisionError)",
  "fmod int": "integer fmod checks for a zero divisor on the host (ZeroDivisionError)",
  "floorDivide int": "integer floor division checks for a zero divisor on the host (ZeroDivisionError)",
  // Kernels that are float32 only.
  "matmul int64": "the matmul kernels are float32 only (integer matmul declines on webgpu)",
  "dot int": "the matmul kernels are float32 only (integer matmul declines on webgpu)",
  // max/min of a 0-dim tensor along a dim: the op makes its index output (0) on the CPU.
  "max 0d dim": "the 0-dim case makes its indices output on the CPU (ops/reduce)",
  "min 0d dim": "the 0-dim case makes its indices output on the CPU (ops/reduce)",
  // Squares of 1e30 overflow float32 (the CPU accumulates var/std in float64; there is no float64 here).
  "std edge": "std of ±1e30: the squares overflow float32 (the CPU accumulates in float64)",
  // Arguments of 1e30: exact range reduction (Payne-Hanek) is not implemented; sin/cos/tan are
  // accurate (Cody-Waite reduction) for |x| < 1e5 and use WGSL's built-ins beyond.
  "sin edge": "sin(±1e30) needs Payne-Hanek range reduction (accurate for |x| < 1e5)",
  "cos edge": "cos(±1e30) needs Payne-Hanek range reduction (accurate for |x| < 1e5)",
  "tan edge": "tan(±1e30) needs Payne-Hanek range reduction (accurate for |x| < 1e5)",
};

const I32_MIN = -(2 ** 31),
  I32_MAX = 2 ** 31 - 1;

/** Why a case cannot run on webgpu at all (float64, int64 beyond i32, error case), or null. */
function unsupported(c: Case): string | null {
  if (c.error !== undefined) return "error case (argument checks are device-independent; see ops.test.ts)";
  const text = JSON.stringify(c);
  if (text.includes('"float64"')) return "float64 (WebGPU has no 64-bit floats)";
  const specs: Spec[] = [];
  const walk = (a: Arg): void => {
    if (a !== null && typeof a === "object" && !Array.isArray(a)) {
      if ("T" in a) specs.push(a.T);
      else if ("L" in a) a.L.forEach(walk);
    }
  };
  c.args.forEach(walk);
  const outs = c.out ? flattenEnc(c.out) : [];
  const ints = [...specs.map((s) => ({ d: s.d, v: s.b })), ...outs.map((o) => ({ d: o.d, v: o.v }))];
  for (const t of ints)
    if (t.d === "int64" || t.d === "int32")
      for (const v of t.v) {
        const n = decodeNum(v);
        if (n < I32_MIN || n > I32_MAX) return "int64 beyond i32 (WebGPU has no 64-bit integers)";
      }
  return WEBGPU_EXCLUDED[c.name] ?? WEBGPU_EXCLUDED[c.op] ?? null;
}

/** The script's input, built on the GPU: base values uploaded, then the same view, then a fresh leaf. */
function buildSpecOnGpu(s: Spec): Tensor {
  let x = fromValues(s.b, s.bs, s.d).to("webgpu");
  if (s.l === "T") x = x.transpose(-1, -2);
  else if (s.l === "s") x = x.slice(-1, 0, undefined, 2);
  else if (s.l === "e") x = x.expand(s.s as number[]);
  if (s.rg) x = x.detach().requiresGrad_();
  return x;
}

type Fn = (...a: unknown[]) => unknown;
const ns = torch as unknown as Record<string, Fn | undefined>;

function call(c: Case, built: unknown[]): unknown {
  const extra = c.kw ? [c.kw] : [];
  if (c.forms.includes("fn") && typeof ns[c.op] === "function") return (ns[c.op] as Fn)(...built, ...extra);
  // In-place ops change a clone of their leaf input, as ops.test.ts's in-place form does.
  const inplace = !c.forms.includes("method");
  const self = inplace ? (built[0] as Tensor).clone() : (built[0] as Tensor);
  const m = (self as unknown as Record<string, Fn | undefined>)[c.op];
  assert.equal(typeof m, "function", `Tensor.${c.op} is missing`);
  return (m as Fn).call(self, ...built.slice(1), ...extra);
}

const widen = (tol: typeof FWD, e: number | undefined): typeof FWD =>
  e ? { ...tol, float32: { ...tol.float32, atol: Math.max(tol.float32.atol, 2 * e) } } : tol;

async function runCase(c: Case): Promise<void> {
  const { built, inputs } = buildArgs(c.args, buildSpecOnGpu);
  const outs = flattenOut(call(c, built));
  const exp = flattenEnc(c.out as EncOut);
  assert.equal(outs.length, exp.length, "number of outputs");
  for (let i = 0; i < outs.length; i++) {
    assert.equal(outs[i].device.type, "webgpu", `output ${i} is on ${outs[i].device.type}`);
    // WGSL's transcendental functions are accurate to a few ulp (not correctly rounded): 4x the CPU's rtol.
    assertTensor(await outs[i].cpuAsync(), exp[i], FWD_GPU(c.fe), `output ${i}`);
  }
  if (!c.grads || !c.up) return;
  const diff = outs.filter((o) => o.requiresGrad);
  assert.equal(diff.length, c.up.length, "number of outputs that require grad");
  const ups = c.up.map((u) => fromValues(u.v, u.s, u.d).to("webgpu"));
  const gs = torch.autograd.grad(diff, inputs, { gradOutputs: ups, allowUnused: true });
  for (let i = 0; i < c.grads.length; i++) {
    const g = c.grads[i],
      gi = gs[i];
    if (g === null) {
      assert.ok(gi === null || Array.from((await gi.cpuAsync()).typedArray()).every((v) => v === 0), `gradient ${i}`);
    } else if (gi === null && g.v.every((v) => v === 0)) {
      // PyTorch materialises zeros where Flint's graph has no path: the same gradient.
    } else {
      assert.ok(gi, `gradient ${i} missing`);
      assertTensor(await gi.cpuAsync(), g, GRAD_GPU(c.ge), `gradient of input ${i}`);
    }
  }
}

const gpuTol = (base: typeof FWD, e: number | undefined): typeof FWD => {
  const w = widen(base, e);
  return { ...w, float32: { rtol: 4 * w.float32.rtol, atol: 4 * w.float32.atol } };
};
const FWD_GPU = (e: number | undefined): typeof FWD => gpuTol(FWD, e);
const GRAD_GPU = (e: number | undefined): typeof FWD => gpuTol(GRAD, e);

const files = fixtureFiles("ops-").filter((f) => f !== "ops-extra.json");
const families = new Map<string, Case[]>();
for (const c of files.flatMap((f) => loadFixture<{ cases: Case[] }>(f).cases)) {
  const list = families.get(c.op) ?? [];
  list.push(c);
  families.set(c.op, list);
}

for (const [op, cases] of families) {
  describe(`webgpu ${op}`, () => {
    for (const c of cases) {
      const why = unsupported(c);
      test(c.name, { skip: noGpu || (why ?? false) }, () => runCase(c));
    }
  });
}
