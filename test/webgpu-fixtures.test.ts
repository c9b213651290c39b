// PyTorch fixture suites run on the webgpu device: every loss case of test/nn-losses.test.ts and
// every optimizer trajectory of test/optim.test.ts
// (values and input gradients). Excluded: cases with float64 tensors (WebGPU has no 64-bit floats).
import { test } from "node:test";
import * as torch from "../src/index.js";
import * as nn from "../src/nn/index.js";
import { type Enc, assertClose, ctorOf, dec, fixture } from "./nn-helpers.js";
import { noGpu } from "./webgpu-helpers.js";

interface LossCase {
  name: string;
  module: string;
  opts: Record<string, unknown>;
  input: Enc;
  target: Enc;
  output: Enc;
  gradOut: Enc;
  inputGrad: Enc;
  weight?: Enc;
  posWeight?: Enc;
}

const { cases } = fixture<{ cases: LossCase[] }>("losses.json");
const gpu = (t: torch.Tensor): torch.Tensor => t.to("webgpu");

for (const c of cases) {
  const tensors = [c.input, c.target, c.weight, c.posWeight].filter((e): e is Enc => e !== undefined).map(dec);
  const f64 = tensors.some((t) => t.dtype === "float64");
  test(
    `webgpu loss ${c.name} (${c.module}) matches PyTorch`,
    { skip: noGpu || (f64 ? "float64 (no 64-bit floats in WebGPU)" : false) },
    async () => {
      const opts: Record<string, unknown> = { ...c.opts };
      if (c.weight) opts.weight = gpu(dec(c.weight));
      if (c.posWeight) opts.posWeight = gpu(dec(c.posWeight));
      const m = new (ctorOf<nn.Module>(nn, c.module))(opts);
      const x = gpu(dec(c.input)).requiresGrad_(true);
      const out = m.call(x as never, gpu(dec(c.target)) as never) as torch.Tensor;
      assertClose(await out.cpuAsync(), dec(c.output), `${c.name} output`, 1e-4, 1e-5);
      torch
        .mul(out, gpu(dec(c.gradOut)))
        .sum()
        .backward();
      assertClose(await (x.grad as torch.Tensor).cpuAsync(), dec(c.inputGrad), `${c.name} input grad`, 1e-4, 1e-5);
    },
  );
}

// Every optimizer trajectory of test/optim.test.ts, on the webgpu device.
interface OptimCase {
  name: string;
  optimizer: string;
  opts: Record<string, unknown>;
  init: Enc[];
  a: Enc[];
  b: Enc[];
  losses: number[];
  trajectory: Enc[][];
}

const objective = (w: torch.Tensor, a: torch.Tensor, b: torch.Tensor): torch.Tensor =>
  w.mul(a).sub(b).pow(2).sum().add(w.abs().sum().mul(0.1));

for (const c of fixture<{ cases: OptimCase[] }>("optim.json").cases) {
  const f64 = c.init.map(dec).some((t) => t.dtype === "float64");
  test(
    `webgpu optimizer ${c.name} follows PyTorch's trajectory`,
    { skip: noGpu || (f64 ? "float64 (no 64-bit floats in WebGPU)" : false) },
    async () => {
      const ws = c.init.map((e) => gpu(dec(e)).requiresGrad_(true));
      const as = c.a.map((e) => gpu(dec(e))),
        bs = c.b.map((e) => gpu(dec(e)));
      const opt = new (ctorOf<torch.optim.Optimizer>(torch.optim, c.optimizer))(ws, c.opts);
      for (let step = 0; step < c.trajectory.length; step++) {
        opt.zeroGrad();
        const loss = objective(ws[0], as[0], bs[0]).add(objective(ws[1], as[1], bs[1]));
        loss.backward();
        opt.step();
        assertClose([(await loss.itemAsync()) as number], [c.losses[step]], `${c.name} loss at step ${step}`, 1e-5);
        // 1e-4 relative and 1e-5 absolute where the CPU test uses 1e-5 and 1e-6: WGSL's sqrt and division are only accurate to
        // 2.5 ulp, and Adam's step (m / sqrt(v)) moves a parameter near 0 by nearly lr each time.
        for (let i = 0; i < ws.length; i++)
          assertClose(
            await ws[i].cpuAsync(),
            dec(c.trajectory[step][i]),
            `${c.name} param ${i} after step ${step + 1}`,
            1e-4,
            1e-5,
          );
      }
    },
  );
}

// Every float32 layer case of test/nn-layers.test.ts but one (LAYER_EXCLUDED) (forward, input and parameter gradients,
// buffers after a training step), with the module moved to the webgpu device.
interface LayerCase {
  name: string;
  module: string;
  args: unknown[];
  opts: Record<string, unknown>;
  train: boolean;
  state: Record<string, Enc>;
  input: Enc;
  gradOut: Enc;
  output: Enc;
  inputGrad?: Enc;
  indices?: Enc;
  grads: Record<string, Enc>;
  buffersAfter: Record<string, Enc>;
}

// Excluded, with the op-layer code that still reads values synchronously on the CPU:
const LAYER_EXCLUDED: Record<string, string> = {
  bn1d_train_3d_cma: "BatchNorm with momentum=None reads num_batches_tracked with item() (nn/modules/normalization.ts)",
};

for (const c of fixture<{ cases: LayerCase[] }>("layers.json").cases) {
  const skip =
    noGpu || (c.input.dtype === "float64" ? "float64 (no 64-bit floats in WebGPU)" : (LAYER_EXCLUDED[c.name] ?? false));
  test(`webgpu layer ${c.name} (${c.module}) matches PyTorch`, { skip }, async () => {
    const Ctor = ctorOf<nn.Module>(nn, c.module);
    const m = Object.keys(c.opts).length ? new Ctor(...c.args, c.opts) : new Ctor(...c.args);
    m.loadStateDict(Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, dec(v)])));
    m.to("webgpu");
    m.train(c.train);
    const x = gpu(dec(c.input));
    if (x.isFloatingPoint()) x.requiresGrad_(true);
    let out = m.call(x as never) as torch.Tensor | [torch.Tensor, torch.Tensor];
    if (Array.isArray(out)) out = out[0];
    assertClose(await out.cpuAsync(), dec(c.output), `${c.name} output`, 1e-4, 1e-5);
    torch
      .mul(out, gpu(dec(c.gradOut)))
      .sum()
      .backward();
    if (c.inputGrad)
      assertClose(await (x.grad as torch.Tensor).cpuAsync(), dec(c.inputGrad), `${c.name} input grad`, 1e-4, 1e-5);
    const params = Object.fromEntries(m.namedParameters());
    for (const [k, g] of Object.entries(c.grads))
      assertClose(await (params[k].grad as torch.Tensor).cpuAsync(), dec(g), `${c.name} grad ${k}`, 1e-4, 1e-5);
    const bufs = Object.fromEntries(m.namedBuffers());
    for (const [k, b] of Object.entries(c.buffersAfter))
      assertClose(await bufs[k].cpuAsync(), dec(b), `${c.name} buffer ${k}`, 1e-4, 1e-5);
  });
}
