// Every core op against PyTorch 1.13: forward values, dtype, shape and input gradients, from
// test/fixtures/ops-*.json (made by scripts/fixtures/ops_fixtures.py). Each case runs in each form
// the op has in torch: functional torch.op(...), method x.op(...), in-place on a clone.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../src/index.js";
import type { Tensor } from "../src/index.js";
import {
  type Arg,
  type EncOut,
  type EncTensor,
  FWD,
  GRAD,
  assertTensor,
  buildArgs,
  fixtureFiles,
  flattenEnc,
  flattenOut,
  fromValues,
  loadFixture,
} from "./helpers/fixtures.js";

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
  /** PyTorch's own float32 error on this case (vs float64), forward and gradients, when notable. */
  fe?: number;
  ge?: number;
}
interface Fixture {
  cases: Case[];
}

// Every ops-<family>.json except ops-extra.json (creation, printing, autograd: other test files).
const files = fixtureFiles("ops-").filter((f) => f !== "ops-extra.json");
const allCases = files.flatMap((f) => loadFixture<Fixture>(f).cases);

type Fn = (...a: unknown[]) => unknown;
/** Ops whose errors come from the op they are built on. */
const OP_ALIASES: Record<string, string[]> = { index: ["select", "slice", "index_select", "gather"], to: ["cast"] };
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
    assert.throws(
      () => call(c, form, built),
      (e: unknown) => {
        assert.ok(e instanceof torch.FlintError, `expected a FlintError (PyTorch: ${c.error}), got ${String(e)}`);
        if (c.error?.startsWith("IndexError"))
          assert.ok(e instanceof torch.IndexError, `expected IndexError, got ${e.name}: ${e.message}`);
        // The message names the op (torch's snake_case or Flint's camelCase name).
        const snake = c.op.replace(/[A-Z]/g, (m) => "_" + m.toLowerCase()).replace(/_$/, "");
        const names = [c.op, snake, c.op.replace(/_$/, ""), ...(OP_ALIASES[c.op] ?? [])].map((n) => n.toLowerCase());
        assert.ok(
          names.some((n) => e.message.toLowerCase().includes(n)),
          `the message should name ${c.op}: ${e.message}`,
        );
        return true;
      },
      `PyTorch raises ${c.error}`,
    );
    return;
  }
  const r = call(c, form, built);
  const outs = flattenOut(r);
  const exp = flattenEnc(c.out as EncOut);
  assert.equal(outs.length, exp.length, "number of outputs");
  // Within float32 rounding: atol grows to twice PyTorch's own float32 error where that is larger.
  const widen = (tol: typeof FWD, e: number | undefined) =>
    e ? { ...tol, float32: { ...tol.float32, atol: Math.max(tol.float32.atol, 2 * e) } } : tol;
  outs.forEach((o, i) => assertTensor(o, exp[i], widen(FWD, c.fe), `output ${i}`));
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
      assertTensor(gs[i], g, widen(GRAD, c.ge), `gradient of input ${i}`);
    }
  });
}

const families = new Map<string, Case[]>();
for (const c of allCases) {
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

/** Asserts fn throws an instance of cls whose message matches every pattern. */
function throwsWith(fn: () => unknown, cls: new (...a: never[]) => Error, ...patterns: RegExp[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}

describe("errors name the op and the shapes", () => {
  const a = torch.ones(3, 4),
    b = torch.ones(2, 4);
  test("broadcast mismatch", () => {
    throwsWith(() => torch.add(a, b), torch.ShapeError, /add/, /\[3, 4\]/, /\[2, 4\]/);
    throwsWith(() => a.mul(b), torch.ShapeError, /mul/, /\[3, 4\]/, /\[2, 4\]/);
    throwsWith(() => torch.where(torch.ones(3, 4, { dtype: torch.bool }), a, b), torch.ShapeError, /where/, /\[2, 4\]/);
  });
  test("matmul / mm / bmm shapes", () => {
    throwsWith(() => torch.matmul(a, a), torch.ShapeError, /matmul/, /3x4 and 3x4/);
    throwsWith(() => torch.mm(a, torch.ones(4)), torch.ShapeError, /mm/, /\[3, 4\]/, /\[4\]/);
    throwsWith(
      () => torch.bmm(torch.ones(2, 3, 4), torch.ones(3, 4, 5)),
      torch.ShapeError,
      /bmm/,
      /\[2, 3, 4\]/,
      /\[3, 4, 5\]/,
    );
  });
  test("view / reshape / expand / cat / stack shapes", () => {
    throwsWith(() => a.view(5, -1), torch.ShapeError, /view|reshape/, /\[3, 4\]/);
    throwsWith(() => a.reshape(5, 3), torch.ShapeError, /view|reshape/, /\[3, 4\]/);
    throwsWith(() => a.t().view(12), torch.ShapeError, /view/, /\[4, 3\]/);
    throwsWith(() => torch.ones(3, 2).expand(3, 4), torch.ShapeError, /expand/, /\[3, 4\]/, /\[3, 2\]/);
    throwsWith(() => torch.cat([a, torch.ones(3, 5)]), torch.ShapeError, /cat/, /\[3, 4\]/, /\[3, 5\]/);
    throwsWith(() => torch.stack([a, b]), torch.ShapeError, /stack/, /\[3, 4\]/, /\[2, 4\]/);
  });
  test("bad dims", () => {
    throwsWith(() => a.sum(2), torch.IndexError, /sum/, /\[-2, 1\]/, /2/);
    throwsWith(() => a.softmax(-3), torch.IndexError, /softmax/);
    throwsWith(() => a.transpose(0, 5), torch.IndexError, /transpose/);
    throwsWith(() => a.select(0, 3), torch.IndexError, /select/, /3/);
    throwsWith(() => a.argmax(4), torch.IndexError, /max|argmax/);
  });
  test("dtype errors", () => {
    throwsWith(() => torch.tensor([1, 2]).mean(), torch.DTypeError, /mean/, /int64/);
    throwsWith(() => torch.tensor([true]).neg(), torch.DTypeError, /neg/, /bool/);
    throwsWith(() => torch.tensor([1, 2]).requiresGrad_(), torch.ValueError, /requiresGrad_/, /int64/);
    throwsWith(() => torch.tensor([1, 2], { dtype: torch.int64 }).mul_(1.5), torch.DTypeError, /mul_/, /int64/);
    throwsWith(() => torch.gather(a, 1, torch.tensor([[0.5]])), torch.DTypeError, /gather/);
  });
  test("in-place output shape", () => {
    throwsWith(() => torch.ones(3, 1).add_(a), torch.ShapeError, /add_/, /\[3, 1\]/, /\[3, 4\]/);
  });
  test("backward of a non-scalar without a gradient", () => {
    const x = torch.ones(2, 3, { requiresGrad: true });
    throwsWith(() => x.mul(2).backward(), torch.AutogradError, /backward/, /scalar/, /\[2, 3\]/);
    throwsWith(() => x.mul(2).backward(torch.ones(3)), torch.ShapeError, /backward/, /\[3\]/, /\[2, 3\]/);
  });
  test("backward twice through a freed graph", () => {
    const x = torch.ones(3, { requiresGrad: true });
    const y = x.exp().sum();
    y.backward();
    throwsWith(() => y.backward(), torch.AutogradError, /Backward/, /second time/, /retainGraph/);
  });
  test("backward of a tensor that does not require grad", () => {
    throwsWith(() => torch.ones(1).backward(), torch.AutogradError, /does not require grad/);
  });
  test("in-place modification of a saved tensor", () => {
    const x = torch.ones(3, { requiresGrad: true });
    const y = x.sigmoid(); // saves its output
    const z = y.sum();
    y.mul_(2);
    throwsWith(() => z.backward(), torch.AutogradError, /Sigmoid/, /modified by an inplace operation/, /version 1/);
    const x2 = torch.tensor([1.5, 2.5], { requiresGrad: true });
    const a2 = x2.add(0);
    const p = a2.mul(a2); // saves its inputs
    a2.add_(1);
    throwsWith(() => p.sum().backward(), torch.AutogradError, /MulBackward/, /modified by an inplace operation/);
  });
  test("in-place on a leaf that requires grad", () => {
    const x = torch.ones(3, { requiresGrad: true });
    throwsWith(() => x.add_(1), torch.AutogradError, /add_/, /leaf/);
    torch.noGrad(() => x.add_(1)); // allowed without grad recording, as torch.no_grad()
    assert.deepEqual(x.tolist(), [2, 2, 2]);
  });
});

test("the fixtures are all there", () => {
  assert.ok(files.length >= 10, `fixture files: ${files.join(", ")}`);
  assert.ok(allCases.length > 1000, `only ${allCases.length} cases`);
});
