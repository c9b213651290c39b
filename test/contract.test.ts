// The API contract (part 1 of the design notes), as a user's program sees it: the package's
// entry points (the compiled dist/, as `npm install` builds it) and the seed's lines, character
// for character. Without a dist/ the test builds it (`npm run build`) rather than skip.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";

// The entry points are the compiled package: build it first when it is not there (as
// `npm run build` does), rather than skipping.
if (!existsSync("dist/src/index.js")) {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { stdio: "inherit" });
}

test("the package entry points: flint, flint/nn, flint/optim, flint/utils/data, flint/vision", async () => {
  const torch = await import("flint");
  const nnEntry = await import("flint/nn");
  const optimEntry = await import("flint/optim");
  const data = await import("flint/utils/data");
  const vision = await import("flint/vision");
  assert.equal(torch.nn.Conv2d, nnEntry.Conv2d);
  assert.equal(torch.optim.SGD, optimEntry.SGD);
  assert.equal(torch.utils.data.DataLoader, data.DataLoader);
  assert.equal(torch.vision.datasets.CIFAR10, vision.datasets.CIFAR10);
  assert.equal(typeof vision.transforms.ToTensor, "function");
});

test("the seed's lines from the API contract", async () => {
  const torch = await import("flint");
  const { nn } = torch;
  const input = torch.reshape(torch.tensor([1, 2, 3], { dtype: torch.float32 }), [1, 1, 1, 3]);
  const target = torch.reshape(torch.tensor([1, 2, 5], { dtype: torch.float32 }), [1, 1, 1, 3]);
  const loss1 = new nn.L1Loss();
  assert.equal(loss1.forward(input, target).item(), 0.6666666865348816);
  assert.equal(new nn.MSELoss().forward(input, target).item(), 1.3333333730697632);

  const conv = new nn.Conv2d(3, 32, 5, { padding: 2 });
  const pool = new nn.MaxPool2d(2);
  const lossFn = new nn.CrossEntropyLoss({ labelSmoothing: 0.1 });
  const x = torch.rand(2, 3, 32, 32);
  const y = pool.forward(conv.forward(x));
  assert.deepEqual(y.shape, [2, 32, 16, 16]);
  const logits = y.flatten(1).narrow(1, 0, 10);
  const loss = lossFn.forward(logits, torch.tensor([1, 2]));
  loss.backward();
  assert.deepEqual(conv.weight.grad?.shape, [32, 3, 5, 5]);
  assert.throws(
    () => conv.forward(torch.rand(64, 4, 32, 32)),
    (e: Error) => e instanceof torch.ShapeError && /conv2d.*3 channels.*\[64, 4, 32, 32\]/.test(e.message),
  );
  assert.equal(torch.tensor([1, 2]).dtype, "int64");
  assert.equal(x.sum(1, true).shape.join(), x.sum({ dim: 1, keepdim: true }).shape.join());
});
