// nn.init's truncNormal_, orthogonal_, sparse_, dirac_, eye_ against PyTorch 1.13 with the same
// seed (scripts/fixtures/nnsurf_init_fixtures.py): same generator calls, same tensors.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../src/index.js";
import { assertClose, fixture } from "./nn-helpers.js";
import { type SurfEnc, dec } from "./nn-surf-helpers.js";

interface InitCase {
  name: string;
  fn: string;
  shape: number[];
  args: number[];
  dtype: "float32" | "float64";
  seed: number;
  out: SurfEnc;
}
const { cases } = fixture<{ cases: InitCase[] }>("surf-init.json");
const init = torch.nn.init as unknown as Record<string, (t: torch.Tensor, ...a: number[]) => torch.Tensor>;
const camel = (s: string): string => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

for (const c of cases) {
  test(`nn.init.${camel(c.fn)} ${c.name} matches PyTorch`, () => {
    torch.manualSeed(c.seed);
    const t = torch.empty(c.shape, { dtype: c.dtype });
    const r = init[camel(c.fn)](t, ...c.args);
    assert.equal(r, t, "returns its argument");
    const tol = c.dtype === "float64" ? 1e-10 : 2e-6;
    assertClose(t, dec(c.out), c.name, tol, tol);
  });
}

test("orthogonal_ gives orthonormal rows or columns", () => {
  const w = torch.nn.init.orthogonal_(torch.empty(5, 8, { dtype: "float64" }));
  assertClose(w.matmul(w.t()), torch.eye(5, { dtype: "float64" }), "W Wᵀ = I", 1e-12, 1e-12);
});
