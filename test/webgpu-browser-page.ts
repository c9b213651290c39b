// The page side of test/webgpu-browser.test.ts, bundled with esbuild: runs WebGPU kernels in the
// browser (navigator.gpu) on inputs from the test and returns their results for comparison.
import { init, adapterName, unavailableReason } from "../src/backend/webgpu/runtime.js";
import { type GpuView, readback, upload } from "../src/backend/webgpu/buffers.js";
import { contiguousStrides } from "../src/backend/webgpu/layout.js";
import { binary } from "../src/backend/webgpu/elementwise.js";
import { matmul, conv2d } from "../src/backend/webgpu/linalg.js";
import { logSoftmax } from "../src/backend/webgpu/softmax.js";
import { maxPool2d } from "../src/backend/webgpu/pool.js";
import * as torch from "../src/index.js";
import { seedCnn } from "../examples/browser/train.js";

export interface PageInput {
  name: string;
  shape: number[];
  data: number[];
}

function view(t: PageInput): GpuView {
  return {
    storage: upload(Float32Array.from(t.data), "float32"),
    shape: t.shape,
    strides: contiguousStrides(t.shape),
    offset: 0,
    dtype: "float32",
  };
}

async function run(inputs: Record<string, PageInput>): Promise<Record<string, number[]> | { skip: string }> {
  if (!(await init())) return { skip: unavailableReason() ?? "no adapter" };
  const a = view(inputs.a),
    b = view(inputs.b),
    x = view(inputs.x),
    w = view(inputs.w),
    bias = view(inputs.bias);
  const p = {
    stride: [1, 1] as [number, number],
    padding: [2, 2] as [number, number],
    dilation: [1, 1] as [number, number],
    groups: 1,
  };
  const [N, , H, W] = inputs.x.shape;
  const conv = conv2d(x, w, bias, p, [N, inputs.w.shape[0], H, W]);
  const convView: GpuView = {
    storage: conv,
    shape: [N, inputs.w.shape[0], H, W],
    strides: contiguousStrides([N, inputs.w.shape[0], H, W]),
    offset: 0,
    dtype: "float32",
  };
  const pooled = maxPool2d(convView, {
    kernel: [2, 2],
    stride: [2, 2],
    padding: [0, 0],
    dilation: [1, 1],
    outH: H / 2,
    outW: W / 2,
  });
  const lsm = logSoftmax(a, 1);
  if (lsm === null) throw new Error("logSoftmax declined float32");
  const out = {
    adapter: [] as number[],
    add: Array.from(await readback(binary("add", a, b, inputs.a.shape, "float32"), "float32")),
    matmul: Array.from(
      await readback(
        matmul(a, { ...b, shape: [inputs.b.shape[1], inputs.b.shape[0]], strides: [1, inputs.b.shape[1]] }, "float32"),
        "float32",
      ),
    ),
    conv: Array.from(await readback(conv, "float32")),
    pool: Array.from(await readback(pooled.values, "float32")),
    logSoftmax: Array.from(await readback(lsm, "float32")),
  };
  (globalThis as { adapterName?: string }).adapterName = adapterName() ?? "?";
  return out;
}

(globalThis as { runKernels?: typeof run }).runKernels = run;

/** The seed CNN's PyTorch fixture, as the test passes it in: weights by key, the batch, the targets. */
export interface SeedInput {
  weights: Record<string, PageInput>;
  x: PageInput;
  y: number[];
  steps: number;
}

/**
 * The seed's program on the page's webgpu device: PyTorch's initial weights, SGD(lr 0.01,
 * momentum 0.9, weight decay 5e-4) on the fixture's batch, losses read back after the loop.
 */
async function trainSeed(inp: SeedInput): Promise<{ losses: number[]; adapter: string } | { skip: string }> {
  if (!(await torch.webgpu.init())) return { skip: torch.webgpu.unavailableReason() ?? "no adapter" };
  const model = seedCnn(torch);
  // The fixture's keys are the seed program's (model1.0.weight, ...); the demo's Sequential has no model1.
  const sd = Object.fromEntries(
    Object.entries(inp.weights).map(([k, t]) => [
      k.replace(/^model1\./, ""),
      torch.fromTypedArray(Float32Array.from(t.data), t.shape),
    ]),
  );
  model.loadStateDict(sd);
  model.to("webgpu");
  const x = torch.fromTypedArray(Float32Array.from(inp.x.data), inp.x.shape).to("webgpu");
  const y = torch.tensor(inp.y).to("webgpu");
  const opt = new torch.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9, weightDecay: 5e-4 });
  const lossFn = new torch.nn.CrossEntropyLoss();
  const losses: torch.Tensor[] = [];
  for (let i = 0; i < inp.steps; i++) {
    opt.zeroGrad();
    const loss = lossFn.forward(model.forward(x), y);
    loss.backward();
    opt.step();
    losses.push(loss.detach()); // no readback inside the loop
  }
  const values: number[] = [];
  for (const l of losses) values.push(Number(await l.itemAsync()));
  return { losses: values, adapter: torch.webgpu.getDeviceName() ?? "?" };
}

(globalThis as { trainSeed?: typeof trainSeed }).trainSeed = trainSeed;
