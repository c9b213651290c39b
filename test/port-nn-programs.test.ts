// Two PyTorch programs ported line by line by the API rule, giving PyTorch's losses
// (scripts/fixtures/nnsurf_port_fixtures.py runs the originals): pytorch/examples'
// super_resolution (Conv2d + PixelShuffle, init.orthogonal_, Adam) and the text-classification
// tutorial (EmbeddingBag with offsets, `.data.uniform_` init, SGD, clipGradNorm_).
import { test } from "node:test";
import * as torch from "../src/index.js";
import { nn } from "../src/index.js";
import { assertClose, fixture } from "./nn-helpers.js";

const fx = fixture<{
  superResolution: number[];
  textClassification: { losses: number[]; batches: [number[], number[], number[]][] };
}>("surf-ports.json");
const init = nn.init;

class Net extends nn.Module {
  relu = new nn.ReLU();
  conv1 = new nn.Conv2d(1, 64, [5, 5], { stride: [1, 1], padding: [2, 2] });
  conv2 = new nn.Conv2d(64, 64, [3, 3], { stride: [1, 1], padding: [1, 1] });
  conv3 = new nn.Conv2d(64, 32, [3, 3], { stride: [1, 1], padding: [1, 1] });
  conv4: nn.Conv2d;
  pixelShuffle: nn.PixelShuffle;
  constructor(upscaleFactor: number) {
    super();
    this.conv4 = new nn.Conv2d(32, upscaleFactor ** 2, [3, 3], { stride: [1, 1], padding: [1, 1] });
    this.pixelShuffle = new nn.PixelShuffle(upscaleFactor);
    this.initializeWeights();
  }
  forward(x: torch.Tensor): torch.Tensor {
    x = this.relu(this.conv1(x));
    x = this.relu(this.conv2(x));
    x = this.relu(this.conv3(x));
    return this.pixelShuffle(this.conv4(x));
  }
  initializeWeights(): void {
    init.orthogonal_(this.conv1.weight, init.calculateGain("relu"));
    init.orthogonal_(this.conv2.weight, init.calculateGain("relu"));
    init.orthogonal_(this.conv3.weight, init.calculateGain("relu"));
    init.orthogonal_(this.conv4.weight);
  }
}

test("pytorch/examples super_resolution gives PyTorch's losses", () => {
  torch.manualSeed(123);
  const model = new Net(3);
  const criterion = new nn.MSELoss();
  const optimizer = new torch.optim.Adam(model.parameters(), { lr: 0.01 });
  const input = torch.rand(2, 1, 6, 6),
    target = torch.rand(2, 1, 18, 18);
  const losses: number[] = [];
  for (let i = 0; i < 4; i++) {
    optimizer.zeroGrad();
    const loss = criterion(model(input), target);
    losses.push(loss.item() as number);
    loss.backward();
    optimizer.step();
  }
  assertClose(losses, fx.superResolution, "losses", 1e-4, 1e-6);
});

class TextClassificationModel extends nn.Module {
  embedding: nn.EmbeddingBag;
  fc: nn.Linear;
  constructor(vocabSize: number, embedDim: number, numClass: number) {
    super();
    this.embedding = new nn.EmbeddingBag(vocabSize, embedDim, { sparse: false });
    this.fc = new nn.Linear(embedDim, numClass);
    this.initWeights();
  }
  initWeights(): void {
    const initrange = 0.5;
    this.embedding.weight.data.uniform_(-initrange, initrange);
    this.fc.weight.data.uniform_(-initrange, initrange);
    (this.fc.bias as torch.Tensor).data.zero_();
  }
  forward(text: torch.Tensor, offsets: torch.Tensor): torch.Tensor {
    return this.fc(this.embedding(text, offsets));
  }
}

test("the text-classification tutorial (EmbeddingBag) gives PyTorch's losses", () => {
  torch.manualSeed(7);
  const model = new TextClassificationModel(50, 8, 4);
  const criterion = new nn.CrossEntropyLoss();
  const optimizer = new torch.optim.SGD(model.parameters(), { lr: 5 });
  const losses: number[] = [];
  for (const [text, offsets, label] of fx.textClassification.batches) {
    optimizer.zeroGrad();
    const predictedLabel = model(torch.tensor(text), torch.tensor(offsets));
    const loss = criterion(predictedLabel, torch.tensor(label));
    loss.backward();
    nn.utils.clipGradNorm_(model.parameters(), 0.1);
    optimizer.step();
    losses.push(loss.item() as number);
  }
  assertClose(losses, fx.textClassification.losses, "losses", 1e-4, 1e-6);
});

const F = nn.functional;
const fxStn = fixture<{ stn: number[] }>("surf-ports.json");

class STNNet extends nn.Module {
  conv1 = new nn.Conv2d(1, 10, 5);
  conv2 = new nn.Conv2d(10, 20, 5);
  conv2Drop = new nn.Dropout2d();
  fc1 = new nn.Linear(320, 50);
  fc2 = new nn.Linear(50, 10);
  localization = new nn.Sequential(
    new nn.Conv2d(1, 8, 7),
    new nn.MaxPool2d(2, { stride: 2 }),
    new nn.ReLU(true),
    new nn.Conv2d(8, 10, 5),
    new nn.MaxPool2d(2, { stride: 2 }),
    new nn.ReLU(true),
  );
  fcLoc = new nn.Sequential(new nn.Linear(10 * 3 * 3, 32), new nn.ReLU(true), new nn.Linear(32, 3 * 2));
  constructor() {
    super();
    const last = this.fcLoc.at(2) as nn.Linear;
    last.weight.data.zero_();
    (last.bias as torch.Tensor).data.copy_(torch.tensor([1, 0, 0, 0, 1, 0], { dtype: torch.float }));
  }
  stn(x: torch.Tensor): torch.Tensor {
    let xs = this.localization(x) as torch.Tensor;
    xs = xs.view(-1, 10 * 3 * 3);
    let theta = this.fcLoc(xs) as torch.Tensor;
    theta = theta.view(-1, 2, 3);
    const grid = F.affineGrid(theta, x.size() as number[]);
    return F.gridSample(x, grid);
  }
  forward(x: torch.Tensor): torch.Tensor {
    x = this.stn(x);
    x = F.relu(F.maxPool2d(this.conv1(x), 2));
    x = F.relu(F.maxPool2d(this.conv2Drop(this.conv2(x)), 2));
    x = x.view(-1, 320);
    x = F.relu(this.fc1(x));
    x = F.dropout(x, { training: this.training });
    x = this.fc2(x);
    return F.logSoftmax(x, 1);
  }
}

test("the spatial transformer tutorial (affineGrid, gridSample, dropout in training) gives PyTorch's losses", () => {
  torch.manualSeed(1);
  const model = new STNNet();
  const optimizer = new torch.optim.SGD(model.parameters(), { lr: 0.01 });
  const data = torch.rand(4, 1, 28, 28),
    target = torch.randint(0, 10, [4]);
  model.train();
  const losses: number[] = [];
  for (let i = 0; i < 3; i++) {
    optimizer.zeroGrad();
    const output = model(data);
    const loss = F.nllLoss(output, target);
    loss.backward();
    optimizer.step();
    losses.push(loss.item() as number);
  }
  assertClose(losses, fxStn.stn, "losses", 1e-4, 1e-6);
});
