// The demo's training loop, shared by the page (bundled for the browser by ./serve.ts) and the
// Node side of its test: the seed CNN on CIFAR-10 records (the official binary format: one label
// byte, then 1024 red, 1024 green, 1024 blue bytes), SGD with momentum, batches in a seeded
// random order. It takes the torch namespace as an argument so one code path serves both.
import type * as Torch from "../../src/index.js";

type TorchNs = typeof Torch;
export const RECORD_BYTES = 3073;
export const CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

export interface CifarData {
  /** [n, 3, 32, 32] in [0, 1], normalised per channel with CIFAR-10's mean and std. */
  images: Float32Array;
  labels: Int32Array;
  n: number;
}

const MEAN = [0.4914, 0.4822, 0.4465],
  STD = [0.247, 0.2435, 0.2616];

/** Parses concatenated CIFAR-10 binary batch files (at most `limit` records). */
export function parseCifar(files: readonly Uint8Array[], limit = Infinity): CifarData {
  const total = files.reduce((s, f) => {
    if (f.length % RECORD_BYTES !== 0)
      throw new Error(`a CIFAR-10 batch file holds records of ${RECORD_BYTES} bytes; this one has ${f.length} bytes`);
    return s + f.length / RECORD_BYTES;
  }, 0);
  const n = Math.min(total, limit);
  const images = new Float32Array(n * 3072),
    labels = new Int32Array(n);
  let i = 0;
  for (const f of files) {
    for (let o = 0; o < f.length && i < n; o += RECORD_BYTES, i++) {
      labels[i] = f[o];
      for (let c = 0; c < 3; c++) {
        for (let p = 0; p < 1024; p++)
          images[i * 3072 + c * 1024 + p] = (f[o + 1 + c * 1024 + p] / 255 - MEAN[c]) / STD[c];
      }
    }
  }
  return { images, labels, n };
}

/** The seed's CIFAR-10 CNN. */
export function seedCnn(torch: TorchNs): Torch.nn.Sequential {
  const { nn } = torch;
  return new nn.Sequential(
    new nn.Conv2d(3, 32, 5, { padding: 2 }),
    new nn.MaxPool2d(2),
    new nn.Conv2d(32, 32, 5, { padding: 2 }),
    new nn.MaxPool2d(2),
    new nn.Conv2d(32, 64, 5, { padding: 2 }),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(1024, 64),
    new nn.Linear(64, 10),
  );
}

export interface StepInfo {
  step: number;
  loss: number;
  accuracy: number;
  ms: number;
}

export interface TrainOptions {
  steps: number;
  batchSize: number;
  seed: number;
  lr?: number;
  /** Where to train: cpu (the default) or webgpu (await torch.webgpu.init() first). */
  device?: "cpu" | "webgpu";
  /** Called after every step; an async callback lets a page repaint between steps. */
  onStep?: (info: StepInfo) => void | Promise<void>;
  /** Checked before every step; true stops training. */
  stopped?: () => boolean;
}

/**
 * One batch, gathered into `stage` (reused every step) and copied into a new tensor: on the
 * WebAssembly backend a new tensor lives in the kernels' memory, which the convolutions then read
 * in place, where a tensor over a fresh JavaScript array would be copied into that memory by every
 * kernel reading it (and fresh pages are slow to write in a browser).
 */
function batchOf(
  torch: TorchNs,
  data: CifarData,
  order: Int32Array,
  at: number,
  stage: Float32Array,
): { x: Torch.Tensor; y: Torch.Tensor } {
  const size = stage.length / 3072,
    ys = new Float64Array(size);
  for (let b = 0; b < size; b++) {
    const i = order[(at + b) % order.length];
    stage.set(data.images.subarray(i * 3072, (i + 1) * 3072), b * 3072);
    ys[b] = data.labels[i];
  }
  const x = torch.empty([size, 3, 32, 32]).copy_(torch.fromTypedArray(stage, [size, 3, 32, 32]));
  return { x, y: torch.fromTypedArray(ys, [size], "int64") };
}

/** Trains `model` and returns the per-step losses (the batch mean cross-entropy). */
export async function train(
  torch: TorchNs,
  model: Torch.nn.Sequential,
  data: CifarData,
  o: TrainOptions,
): Promise<number[]> {
  torch.manualSeed(o.seed);
  const order = torch.randperm(data.n).typedArray();
  const idx = Int32Array.from(order as ArrayLike<number>);
  const device = o.device ?? "cpu";
  const opt = new torch.optim.SGD(model.parameters(), { lr: o.lr ?? 0.01, momentum: 0.9 });
  const lossFn = new torch.nn.CrossEntropyLoss();
  const losses: number[] = [];
  const stage = new Float32Array(o.batchSize * 3072);
  for (let step = 0; step < o.steps && !(o.stopped?.() ?? false); step++) {
    const t0 = performance.now();
    const host = batchOf(torch, data, idx, step * o.batchSize, stage);
    const x = device === "cpu" ? host.x : host.x.to(device),
      y = device === "cpu" ? host.y : host.y.to(device);
    opt.zeroGrad();
    const out = model.forward(x);
    const loss = lossFn.forward(out, y);
    loss.backward();
    opt.step();
    // The page prints every step's loss and accuracy: on a GPU these are its only readbacks (async).
    const correctT = torch.eq(torch.argmax(out, 1), y).sum();
    const lossValue = Number(device === "cpu" ? loss.item() : await loss.itemAsync());
    const correct = Number(device === "cpu" ? correctT.item() : await correctT.itemAsync());
    losses.push(lossValue);
    await o.onStep?.({ step: step + 1, loss: lossValue, accuracy: correct / o.batchSize, ms: performance.now() - t0 });
  }
  return losses;
}

/** The demo's whole run: seed, build the seed CNN, train. The page and its test both call this. */
export async function trainSeedCnn(
  torch: TorchNs,
  data: CifarData,
  o: TrainOptions,
  onModel?: (m: Torch.nn.Sequential) => void,
): Promise<{ model: Torch.nn.Sequential; losses: number[] }> {
  torch.manualSeed(o.seed);
  const model = seedCnn(torch);
  if (o.device !== undefined && o.device !== "cpu") model.to(o.device);
  onModel?.(model);
  return { model, losses: await train(torch, model, data, o) };
}
