// The networks `flint train --model NAME` can build. "seed" is the seed program's CNN, line for
// line (its state-dict keys are PyTorch's: model1.0.weight … model1.8.bias); "vgg" is a stronger
// VGG-style network with batch norm for users who want more accuracy from more compute.
import * as nn from "../nn/index.js";
import type { Tensor } from "../tensor.js";
import { UsageError } from "./args.js";
import { MODEL_NAMES } from "./flags.js";
import { models } from "../vision/index.js";

/** The seed's CNN: three 5x5 conv + max-pool stages, then two linear layers. */
export class SeedNet extends nn.Module {
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

  forward(x: Tensor): Tensor {
    return this.model1.forward(x);
  }
}

function convBlock(cin: number, cout: number): nn.Module[] {
  return [new nn.Conv2d(cin, cout, 3, { padding: 1, bias: false }), new nn.BatchNorm2d(cout), new nn.ReLU()];
}

/** Six 3x3 conv layers with batch norm and ReLU in three stages, dropout, one linear layer. */
export class VGGNet extends nn.Module {
  features = new nn.Sequential(
    ...convBlock(3, 32),
    ...convBlock(32, 32),
    new nn.MaxPool2d(2),
    ...convBlock(32, 64),
    ...convBlock(64, 64),
    new nn.MaxPool2d(2),
    ...convBlock(64, 128),
    ...convBlock(128, 128),
    new nn.MaxPool2d(2),
  );
  classifier = new nn.Sequential(new nn.Flatten(), new nn.Dropout(0.3), new nn.Linear(128 * 4 * 4, 10));

  forward(x: Tensor): Tensor {
    return this.classifier.forward(this.features.forward(x));
  }
}

/** Any classifier of [N, 3, H, W] images. */
export type Net = nn.Module & { forward(x: Tensor): Tensor };

const BUILDERS: Readonly<Record<string, () => Net>> = { seed: () => new SeedNet(), vgg: () => new VGGNet() };

/** torchvision's builder for a --model name (mobilenet_v2 → models.mobilenetV2), if it is one. */
export function zooBuilder(name: string): ((o?: { numClasses?: number }) => Net) | null {
  const camel = name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  const b = (models as unknown as Record<string, ((o?: { numClasses?: number }) => Net) | undefined>)[camel];
  return typeof b === "function" ? b : null;
}

/** A --model network with `numClasses` outputs (the CLI's CIFAR nets have 10). */
export function buildModel(name: string, numClasses = 10): Net {
  const b = BUILDERS[name];
  if (b !== undefined) return b();
  const z = MODEL_NAMES.includes(name) ? zooBuilder(name) : null;
  if (z === null) throw new UsageError(`unknown model "${name}"; available: ${MODEL_NAMES.join(", ")}`);
  return z({ numClasses });
}

export function countParameters(model: Net): number {
  let n = 0;
  for (const p of model.parameters()) n += p.numel();
  return n;
}
