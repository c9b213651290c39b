// The seed's CNN, line for line as the issue writes it.
import type { Tensor } from "../src/index.js";
import * as nn from "../src/nn/index.js";

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
