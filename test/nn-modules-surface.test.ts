// The modules over the wider nn surface (Upsample, padding, PixelShuffle, Fold/Unfold, distances,
// InstanceNorm, LocalResponseNorm, BatchNorm3d, 3-D / adaptive / LP pooling, Conv3d,
// ConvTranspose1d/3d, Lazy convolutions, the smaller activations, Bilinear) against PyTorch 1.13
// (scripts/fixtures/nnsurf_layers_fixtures.py): PyTorch's weights loaded with loadStateDict,
// then output, input and parameter gradients, and buffers after the forward.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../src/index.js";
import * as nn from "../src/nn/index.js";
import { assertClose, ctorOf, fixture } from "./nn-helpers.js";
import { type SurfCase, type SurfEnc, checkCase, dec, decTree } from "./nn-surf-helpers.js";

interface ModCase extends SurfCase {
  module: string;
  args: unknown[];
  opts: Record<string, unknown>;
  train: boolean;
  state: Record<string, SurfEnc>;
  paramGrads: Record<string, SurfEnc>;
  buffersAfter: Record<string, SurfEnc>;
}
const { cases } = fixture<{ cases: ModCase[] }>("surf-modules.json");

/** Builds the module as the case says (float64 cases get { dtype }) with PyTorch's state. */
export function buildModule(c: ModCase, firstInput: torch.Tensor): nn.Module {
  const Ctor = ctorOf<nn.Module>(nn, c.module);
  const args = decTree(c.args) as unknown[];
  const f64 = c.inputs[0].dtype === "float64";
  const m = Object.keys(c.opts).length ? new Ctor(...args, { ...c.opts }) : new Ctor(...args);
  if (f64) m.to("float64");
  // Lazy modules create their parameters on the first forward.
  if (c.module.startsWith("Lazy")) torch.noGrad(() => m.call(firstInput as never));
  const state = Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, dec(v)]));
  assert.deepEqual(m.loadStateDict(state), { missingKeys: [], unexpectedKeys: [] });
  m.train(c.train);
  return m;
}

for (const c of cases) {
  test(`nn.${c.module} ${c.name} matches PyTorch`, () => {
    let m: nn.Module | null = null;
    checkCase(c, (...xs) => {
      m = buildModule(c, xs[0]);
      return (m.call as (...a: unknown[]) => unknown)(...xs);
    });
    const mod = m as unknown as nn.Module;
    const params = Object.fromEntries(mod.namedParameters());
    const tol = c.inputs[0].dtype === "float64" ? 1e-9 : 2e-4;
    for (const [k, g] of Object.entries(c.paramGrads))
      assertClose(params[k].grad as torch.Tensor, dec(g), `${c.name} grad ${k}`, tol, tol);
    const bufs = Object.fromEntries(mod.namedBuffers());
    for (const [k, b] of Object.entries(c.buffersAfter))
      assertClose(bufs[k], dec(b), `${c.name} buffer ${k}`, tol, tol);
  });
}
