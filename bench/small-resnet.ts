// The small ResNet of issue 18: CIFAR ResNet-20 (3x3 convolutions at 16, 32 and 64 channels,
// BatchNorm, residual adds, 1x1 projection shortcuts where the shape changes), for 32x32 inputs.
// bench/pytorch_models.py builds the same network in PyTorch.
import * as torch from "../src/index.js";
import { nn } from "../src/index.js";

class Block extends nn.Module {
  conv1: nn.Conv2d;
  bn1: nn.BatchNorm2d;
  conv2: nn.Conv2d;
  bn2: nn.BatchNorm2d;
  shortcut: nn.Sequential | null;
  constructor(cin: number, cout: number, stride: number) {
    super();
    this.conv1 = new nn.Conv2d(cin, cout, 3, { stride, padding: 1, bias: false });
    this.bn1 = new nn.BatchNorm2d(cout);
    this.conv2 = new nn.Conv2d(cout, cout, 3, { padding: 1, bias: false });
    this.bn2 = new nn.BatchNorm2d(cout);
    this.shortcut =
      stride !== 1 || cin !== cout
        ? new nn.Sequential(new nn.Conv2d(cin, cout, 1, { stride, bias: false }), new nn.BatchNorm2d(cout))
        : null;
  }
  forward(x: torch.Tensor): torch.Tensor {
    const out = this.bn2(this.conv2(this.bn1(this.conv1(x)).relu()));
    return out.add(this.shortcut ? this.shortcut(x) : x).relu();
  }
}

class SmallResNet extends nn.Module {
  stem = new nn.Sequential(new nn.Conv2d(3, 16, 3, { padding: 1, bias: false }), new nn.BatchNorm2d(16), new nn.ReLU());
  layers: nn.Sequential;
  head = new nn.Linear(64, 10);
  constructor() {
    super();
    const blocks: nn.Module[] = [];
    let cin = 16;
    for (const [cout, stride] of [
      [16, 1],
      [32, 2],
      [64, 2],
    ])
      for (let i = 0; i < 3; i++) {
        blocks.push(new Block(cin, cout, i === 0 ? stride : 1));
        cin = cout;
      }
    this.layers = new nn.Sequential(...blocks);
  }
  forward(x: torch.Tensor): torch.Tensor {
    return this.head(this.layers(this.stem(x)).mean([2, 3]));
  }
}

export const smallResNet = (): nn.Module => new SmallResNet();
