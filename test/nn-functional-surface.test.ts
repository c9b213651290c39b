// nn.functional's interpolate, grid_sample/affine_grid, unfold/fold, pixel/channel shuffle, 3-D
// and adaptive pooling, conv3d / conv_transpose1d/3d, normalize / distances, instance and local
// response norm, pad modes and the smaller activations, against PyTorch 1.13
// (scripts/fixtures/nnsurf_layers_fixtures.py): outputs and input gradients in float32 and
// float64, plus float64 finite-difference gradchecks.
import { test } from "node:test";
import * as torch from "../src/index.js";
import { fixture } from "./nn-helpers.js";
import { type SurfCase, checkCase, decTree, gradcheckCase } from "./nn-surf-helpers.js";

interface FnCase extends SurfCase {
  fn: string;
  args: unknown[];
  opts: Record<string, unknown>;
  inputKw: string[];
}
const { cases } = fixture<{ cases: FnCase[] }>("surf-functional.json");
const F = torch.nn.functional as unknown as Record<string, (...a: unknown[]) => unknown>;

function fnOf(c: FnCase): (...xs: torch.Tensor[]) => unknown {
  const f = F[c.fn];
  if (typeof f !== "function") throw new Error(`no nn.functional.${c.fn}`);
  const args = decTree(c.args) as unknown[];
  return (...xs) => {
    const npos = xs.length - c.inputKw.length;
    const opts: Record<string, unknown> = { ...c.opts };
    c.inputKw.forEach((k, i) => (opts[k] = xs[npos + i]));
    const a = [...xs.slice(0, npos), ...args];
    return Object.keys(opts).length ? f(...a, opts) : f(...a);
  };
}

// Cases whose float64 gradcheck is skipped: a max/argmax or a rounding makes the function
// non-differentiable at ties, the grid sits on a reflection fold, or (normalize of a zero row)
// the slope is 1/eps = 1e12; their gradients are still compared with PyTorch's above.
const NO_GRADCHECK = /^(grid_sample_.*(reflection|border)|grid_sample_nearest|normalize_zero_row)/;

for (const c of cases) {
  test(`F.${c.fn} ${c.name} matches PyTorch`, () => checkCase(c, fnOf(c)));
  if (c.name.endsWith("_f64") && !NO_GRADCHECK.test(c.name) && c.grads.some((g) => g !== null)) {
    test(`F.${c.fn} ${c.name} gradcheck`, () => gradcheckCase(c, fnOf(c)));
  }
}
