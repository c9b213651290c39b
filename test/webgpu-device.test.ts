// The webgpu device through the public API: moving tensors and modules, factories with
// { device }, async readbacks (the sync ones throw naming them), device mixing, the cache.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../src/index.js";
import * as nn from "../src/nn/index.js";
import { DeviceError } from "../src/errors.js";
import { assertNear, noGpu } from "./webgpu-helpers.js";

test("torch.webgpu reports the device; torch.cuda stays false", { skip: noGpu }, () => {
  assert.equal(torch.webgpu.isAvailable(), true);
  assert.equal(torch.webgpu.deviceCount(), 1);
  assert.equal(typeof torch.webgpu.getDeviceName(), "string");
  assert.equal(torch.cuda.isAvailable(), false);
});

test("x.to('webgpu') computes there; cpuAsync/itemAsync/tolistAsync read back", { skip: noGpu }, async () => {
  const a = torch.tensor(
    [
      [1, 2, 3],
      [4, 5, 6],
    ],
    { dtype: torch.float32 },
  );
  const g = a.to("webgpu");
  assert.equal(g.device.type, "webgpu");
  const y = g.mul(2).add(1).sum(1);
  assert.deepEqual(await y.tolistAsync(), [15, 33]);
  assert.equal(await g.sum().itemAsync(), 21);
  const back = await g.t().cpuAsync();
  assert.deepEqual(back.tolist(), [
    [1, 4],
    [2, 5],
    [3, 6],
  ]);
});

test("synchronous readbacks of a webgpu tensor throw naming the async form", { skip: noGpu }, () => {
  const g = torch.ones(3).to("webgpu");
  assert.throws(
    () => g.sum().item(),
    (e: Error) => e instanceof DeviceError && /itemAsync|cpuAsync/.test(e.message),
  );
  assert.throws(() => g.tolist(), /tolistAsync|cpuAsync/);
});

test("factories take { device: 'webgpu' }", { skip: noGpu }, async () => {
  assert.deepEqual(await torch.zeros(2, 2, { device: "webgpu" }).tolistAsync(), [
    [0, 0],
    [0, 0],
  ]);
  assert.deepEqual(await torch.ones([3], { device: "webgpu" }).mul(4).tolistAsync(), [4, 4, 4]);
});

test(
  "mixing cpu and webgpu tensors in one op names both devices; 0-dim cpu tensors are scalars",
  { skip: noGpu },
  async () => {
    const g = torch.ones(2).to("webgpu");
    assert.throws(() => g.add(torch.ones(2)), /same device.*(cpu.*webgpu|webgpu.*cpu)/);
    assert.deepEqual(await g.add(torch.tensor(2)).tolistAsync(), [3, 3]);
  },
);

test("int64 tensors move as int32 on the GPU, and values beyond int32 are refused", { skip: noGpu }, async () => {
  const t = torch.tensor([1, -2, 3]);
  assert.deepEqual(await t.to("webgpu").mul(2).tolistAsync(), [2, -4, 6]);
  assert.throws(() => torch.tensor([2 ** 40]).to("webgpu"), /int64 value .* does not fit/);
});

test("a Linear layer trains on webgpu like on the cpu (one SGD step)", { skip: noGpu }, async () => {
  torch.manualSeed(0);
  const cpu = new nn.Linear(5, 3);
  const gpuModel = new nn.Linear(5, 3);
  gpuModel.loadStateDict(cpu.stateDict());
  gpuModel.to("webgpu");
  const x = torch.randn(4, 5),
    y = torch.tensor([0, 2, 1, 0]);
  for (const [m, xx, yy] of [
    [cpu, x, y],
    [gpuModel, x.to("webgpu"), y.to("webgpu")],
  ] as const) {
    const opt = new torch.optim.SGD(m.parameters(), { lr: 0.1, momentum: 0.9 });
    new nn.CrossEntropyLoss().forward(m.forward(xx), yy).backward();
    opt.step();
  }
  assertNear(
    (await gpuModel.weight.cpuAsync()).contiguous().storage.data,
    cpu.weight.contiguous().storage.data,
    "weight",
    1e-5,
    1e-6,
  );
});

test("emptyCache frees cached buffers", { skip: noGpu }, async () => {
  await torch.webgpu.synchronize();
  torch.webgpu.emptyCache();
  assert.equal(torch.webgpu.memoryReserved(), torch.webgpu.memoryAllocated());
});
