// Programs of pytorch/examples ported line by line by the API rule, giving PyTorch's losses on
// tiny synthetic data (scripts/fixtures/port_examples_fixtures.py runs the originals): mnist
// (CNN with Dropout, Adadelta, StepLR, log_softmax + nll_loss), vae (randn_like
// reparameterisation, BCE + KL), regression (polynomial fit, p.data.add_ steps), dcgan (small:
// ConvTranspose2d + BatchNorm2d, weights_init by class name, BCELoss, two Adam optimizers).
import { test } from "node:test";
import * as torch from "../src/index.js";
import { nn, optim } from "../src/index.js";
import { assertClose, fixture } from "./nn-helpers.js";

const F = nn.functional;
const fx = fixture<{
  mnist: { losses: number[]; testLoss: number; correct: number };
  vae: number[];
  regression: { losses: number[]; weight: number[]; bias: number };
  dcgan: { steps: number[][]; fixed: number };
}>("port-examples.json");

class MnistNet extends nn.Module {
  conv1 = new nn.Conv2d(1, 32, 3, 1);
  conv2 = new nn.Conv2d(32, 64, 3, 1);
  dropout1 = new nn.Dropout(0.25);
  dropout2 = new nn.Dropout(0.5);
  fc1 = new nn.Linear(9216, 128);
  fc2 = new nn.Linear(128, 10);
  forward(x: torch.Tensor): torch.Tensor {
    x = this.conv1(x);
    x = F.relu(x);
    x = this.conv2(x);
    x = F.relu(x);
    x = F.maxPool2d(x, 2);
    x = this.dropout1(x);
    x = torch.flatten(x, 1);
    x = this.fc1(x);
    x = F.relu(x);
    x = this.dropout2(x);
    x = this.fc2(x);
    return F.logSoftmax(x, { dim: 1 });
  }
}

test("pytorch/examples mnist gives PyTorch's losses", () => {
  torch.manualSeed(1);
  const data = torch.rand(4, 1, 28, 28);
  const target = torch.randint(0, 10, [4]);
  const model = new MnistNet();
  const optimizer = new optim.Adadelta(model.parameters(), { lr: 1.0 });
  const scheduler = new optim.lrScheduler.StepLR(optimizer, { stepSize: 1, gamma: 0.7 });
  const losses: number[] = [];
  for (let epoch = 1; epoch < 3; epoch++) {
    model.train();
    for (let i = 0; i < 2; i++) {
      optimizer.zeroGrad();
      const output = model(data);
      const loss = F.nllLoss(output, target);
      loss.backward();
      optimizer.step();
      losses.push(loss.item() as number);
    }
    scheduler.step();
  }
  model.eval();
  const [testLoss, correct] = torch.noGrad(() => {
    const output = model(data);
    const pred = output.argmax({ dim: 1, keepdim: true });
    return [F.nllLoss(output, target, { reduction: "sum" }).item(), pred.eq(target.viewAs(pred)).sum().item()];
  });
  assertClose(losses, fx.mnist.losses, "losses", 1e-4, 1e-5);
  assertClose([testLoss as number], [fx.mnist.testLoss], "test loss", 1e-4, 1e-5);
  assertClose([correct as number], [fx.mnist.correct], "correct", 0, 0);
});

class VAE extends nn.Module {
  fc1 = new nn.Linear(784, 400);
  fc21 = new nn.Linear(400, 20);
  fc22 = new nn.Linear(400, 20);
  fc3 = new nn.Linear(20, 400);
  fc4 = new nn.Linear(400, 784);
  encode(x: torch.Tensor): [torch.Tensor, torch.Tensor] {
    const h1 = F.relu(this.fc1(x));
    return [this.fc21(h1), this.fc22(h1)];
  }
  reparameterize(mu: torch.Tensor, logvar: torch.Tensor): torch.Tensor {
    const std = torch.exp(logvar.mul(0.5));
    const eps = torch.randnLike(std);
    return mu.add(eps.mul(std));
  }
  decode(z: torch.Tensor): torch.Tensor {
    const h3 = F.relu(this.fc3(z));
    return torch.sigmoid(this.fc4(h3));
  }
  forward(x: torch.Tensor): [torch.Tensor, torch.Tensor, torch.Tensor] {
    const [mu, logvar] = this.encode(x.view(-1, 784));
    const z = this.reparameterize(mu, logvar);
    return [this.decode(z), mu, logvar];
  }
}
function vaeLoss(reconX: torch.Tensor, x: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor): torch.Tensor {
  const BCE = F.binaryCrossEntropy(reconX, x.view(-1, 784), { reduction: "sum" });
  const KLD = torch.sum(logvar.add(1).sub(mu.pow(2)).sub(logvar.exp())).mul(-0.5);
  return BCE.add(KLD);
}

test("pytorch/examples vae gives PyTorch's losses", () => {
  torch.manualSeed(1);
  const data = torch.rand(8, 1, 28, 28);
  const model = new VAE();
  const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const losses: number[] = [];
  model.train();
  for (let i = 0; i < 3; i++) {
    optimizer.zeroGrad();
    const [reconBatch, mu, logvar] = model(data);
    const loss = vaeLoss(reconBatch, data, mu, logvar);
    loss.backward();
    optimizer.step();
    losses.push(loss.item() as number);
  }
  assertClose(losses, fx.vae, "losses", 1e-4, 1e-3);
});

const POLY_DEGREE = 4;
function makeFeatures(x: torch.Tensor): torch.Tensor {
  x = x.unsqueeze(1);
  return torch.cat(
    Array.from({ length: POLY_DEGREE }, (_, i) => x.pow(i + 1)),
    1,
  );
}

test("pytorch/examples regression gives PyTorch's losses and fit", () => {
  torch.manualSeed(0);
  const W_target = torch.randn(POLY_DEGREE, 1).mul(5);
  const b_target = torch.randn(1).mul(5);
  const f = (x: torch.Tensor): torch.Tensor => x.mm(W_target).add(b_target.item() as number);
  const getBatch = (batchSize = 32): [torch.Tensor, torch.Tensor] => {
    const random = torch.randn(batchSize);
    const x = makeFeatures(random);
    return [x, f(x)];
  };
  const fc = new nn.Linear(W_target.size(0), 1);
  const losses: number[] = [];
  for (let batchIdx = 0; batchIdx < 20; batchIdx++) {
    const [batchX, batchY] = getBatch();
    fc.zeroGrad();
    const output = F.smoothL1Loss(fc(batchX), batchY);
    const loss = output.item() as number;
    output.backward();
    for (const param of fc.parameters()) param.data.add_((param.grad as torch.Tensor).mul(-0.1));
    losses.push(loss);
  }
  assertClose(losses, fx.regression.losses, "losses", 1e-4, 1e-4);
  assertClose(fc.weight.view(-1).tolist() as number[], fx.regression.weight, "weight", 1e-4, 1e-5);
  assertClose([(fc.bias as torch.Tensor).item() as number], [fx.regression.bias], "bias", 1e-4, 1e-5);
});

const nz = 8,
  ngf = 4,
  ndf = 4,
  nc = 3;
function weightsInit(m: nn.Module): void {
  const classname = m.constructor.name;
  if (classname.indexOf("Conv") !== -1) {
    nn.init.normal_((m as nn.Conv2d).weight, 0.0, 0.02);
  } else if (classname.indexOf("BatchNorm") !== -1) {
    nn.init.normal_((m as nn.BatchNorm2d).weight as torch.Tensor, 1.0, 0.02);
    nn.init.zeros_((m as nn.BatchNorm2d).bias as torch.Tensor);
  }
}
class Generator extends nn.Module {
  main = new nn.Sequential(
    new nn.ConvTranspose2d(nz, ngf * 2, 4, 1, 0, { bias: false }),
    new nn.BatchNorm2d(ngf * 2),
    new nn.ReLU(true),
    new nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, { bias: false }),
    new nn.BatchNorm2d(ngf),
    new nn.ReLU(true),
    new nn.ConvTranspose2d(ngf, nc, 4, 2, 1, { bias: false }),
    new nn.Tanh(),
  );
  forward(input: torch.Tensor): torch.Tensor {
    return this.main(input);
  }
}
class Discriminator extends nn.Module {
  main = new nn.Sequential(
    new nn.Conv2d(nc, ndf, 4, 2, 1, { bias: false }),
    new nn.LeakyReLU(0.2, { inplace: true }),
    new nn.Conv2d(ndf, ndf * 2, 4, 2, 1, { bias: false }),
    new nn.BatchNorm2d(ndf * 2),
    new nn.LeakyReLU(0.2, { inplace: true }),
    new nn.Conv2d(ndf * 2, 1, 4, 1, 0, { bias: false }),
    new nn.Sigmoid(),
  );
  forward(input: torch.Tensor): torch.Tensor {
    const output = this.main(input);
    return output.view(-1, 1).squeeze(1);
  }
}

test("pytorch/examples dcgan (small) gives PyTorch's losses", () => {
  torch.manualSeed(1);
  const netG = new Generator();
  netG.apply(weightsInit);
  const netD = new Discriminator();
  netD.apply(weightsInit);
  const criterion = new nn.BCELoss();
  const fixedNoise = torch.randn(4, nz, 1, 1);
  const realLabel = 1,
    fakeLabel = 0;
  const optimizerD = new optim.Adam(netD.parameters(), { lr: 0.0002, betas: [0.5, 0.999] });
  const optimizerG = new optim.Adam(netG.parameters(), { lr: 0.0002, betas: [0.5, 0.999] });
  const realCpu = torch.rand(4, nc, 16, 16).mul(2).sub(1);
  const steps: number[][] = [];
  for (let i = 0; i < 3; i++) {
    netD.zeroGrad();
    const batchSize = realCpu.size(0);
    const label = torch.full([batchSize], realLabel, { dtype: realCpu.dtype });
    let output = netD(realCpu);
    const errDReal = criterion(output, label);
    errDReal.backward();
    const D_x = output.mean().item() as number;
    const noise = torch.randn(batchSize, nz, 1, 1);
    const fake = netG(noise);
    label.fill_(fakeLabel);
    output = netD(fake.detach());
    const errDFake = criterion(output, label);
    errDFake.backward();
    const D_G_z1 = output.mean().item() as number;
    const errD = errDReal.add(errDFake);
    optimizerD.step();
    netG.zeroGrad();
    label.fill_(realLabel);
    output = netD(fake);
    const errG = criterion(output, label);
    errG.backward();
    const D_G_z2 = output.mean().item() as number;
    optimizerG.step();
    steps.push([errD.item() as number, errG.item() as number, D_x, D_G_z1, D_G_z2]);
  }
  assertClose(steps.flat(), fx.dcgan.steps.flat(), "errD, errG, D(x), D(G(z))", 1e-4, 1e-5);
  assertClose([netG(fixedNoise).detach().sum().item() as number], [fx.dcgan.fixed], "fixed", 1e-4, 1e-4);
});
