// The seed's CNN, line for line as the issue writes it, and the PyTorch fixture its tests share
// (scripts/fixtures/nn_fixtures.py: initial weights, a batch of 8, logits, gradients, 5 steps).
import * as torch from "../src/index.js";
import type { Tensor } from "../src/index.js";
import * as nn from "../src/nn/index.js";
import { type Enc, type Summary, fixture, fixtureBytes } from "./nn-helpers.js";

export class NN extends nn.Module {
  model1 = new nn.Sequential(
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
  forward(x: Tensor) {
    return this.model1.forward(x);
  }
}

export interface SeedRun {
  losses: number[];
  final: Record<string, Summary>;
}
export interface SeedFixture {
  seed: number;
  keys: string[];
  shapes: number[][];
  inputShape: number[];
  target: number[];
  logits: Enc;
  loss: number;
  lossLs: number;
  grads: Record<string, Summary>;
  sgd: SeedRun;
  adam: SeedRun;
}

/** The fixture, PyTorch's initial weights by key, and the batch (CPU tensors). */
export function loadSeedFixture(): { fx: SeedFixture; init: Record<string, Tensor>; x: Tensor; y: Tensor } {
  const fx = fixture<SeedFixture>("seed_cnn.json");
  const bin = fixtureBytes("seed_cnn.bin");
  const floats = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
  const init: Record<string, Tensor> = {};
  let at = 0;
  fx.keys.forEach((k, i) => {
    const n = fx.shapes[i].reduce((a, b) => a * b, 1);
    init[k] = torch.fromTypedArray(floats.slice(at, at + n), fx.shapes[i]);
    at += n;
  });
  return { fx, init, x: torch.fromTypedArray(floats.slice(at), fx.inputShape), y: torch.tensor(fx.target) };
}
