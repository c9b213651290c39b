// The device contract (src/backend/backend.ts) exercised by stand-in devices: backends that
// keep their values in a storage class of their own and compute with the reference kernels,
// one reading back only asynchronously (registered as "webgpu"), one synchronously ("wasm").
// Registration, dispatch, scalar uploads, copies across devices and the readbacks are the parts
// a real device backend plugs into.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../src/index.js";
import { nn } from "../src/index.js";
import type { DType, TypedArray } from "../src/dtype.js";
import { type Backend, type Strided, registerBackend } from "../src/backend/backend.js";
import { refBackend } from "../src/backend/ref/index.js";
import { Storage } from "../src/storage.js";

/** Values in a typed array that only this backend may touch; `data` stays readable for the ref kernels it borrows. */
class FakeStorage extends Storage {
  constructor(
    readonly device: "wasm" | "webgpu",
    readonly values: TypedArray,
  ) {
    super();
  }
  get length(): number {
    return this.values.length;
  }
  get data(): TypedArray {
    return this.values;
  }
}
let uploads = 0;
function fakeBackend(device: "wasm" | "webgpu", asyncRead: boolean): Backend<FakeStorage> {
  const own = (v: unknown): unknown =>
    ArrayBuffer.isView(v)
      ? new FakeStorage(device, v as TypedArray)
      : v !== null && typeof v === "object" && !(v instanceof Storage)
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, own(x)]))
        : v;
  const kernels = Object.fromEntries(
    Object.entries(refBackend).map(([k, f]) => [
      k,
      typeof f === "function"
        ? (...a: unknown[]) =>
            own((f as (...x: unknown[]) => unknown)(...a.map((x) => (x instanceof FakeStorage ? x.values : x))))
        : f,
    ]),
  );
  return {
    ...kernels,
    name: `fake-${device}`,
    device,
    empty: (n: number, dtype: DType) => new FakeStorage(device, refBackend.empty(n, dtype)),
    fromHost: (data: TypedArray, dtype: DType) => (
      uploads++,
      new FakeStorage(device, refBackend.fromHost(data, dtype))
    ),
    read: asyncRead ? async (x: Strided) => refBackend.read(x) : (x: Strided) => refBackend.read(x),
    free: () => {},
  } as unknown as Backend<FakeStorage>;
}
registerBackend(fakeBackend("webgpu", true));
registerBackend(fakeBackend("wasm", false));

test("a registered device: to(), ops dispatched to its backend, async readback", async () => {
  const x = torch.tensor(
    [
      [1, -2],
      [3, 4],
    ],
    { dtype: "float32" },
  );
  const d = x.to("wasm");
  assert.equal(d.device.type, "wasm");
  assert.ok(d.storage instanceof FakeStorage);
  const y = d.relu().mul(2).sum(1);
  assert.ok(y.storage instanceof FakeStorage);
  assert.deepEqual(await y.tolistAsync(), [2, 14]);
  assert.equal(await d.sum().itemAsync(), 6);
  const back = await y.cpuAsync();
  assert.equal(back.device.type, "cpu");
  assert.deepEqual(back.tolist(), [2, 14]);
});

test("a device that reads back asynchronously: the sync forms name the async ones", () => {
  const d = torch.ones([2], { device: "webgpu" });
  assert.throws(
    () => d.sum().item(),
    /item: a webgpu tensor can only be read asynchronously; use await x.itemAsync\(\)/,
  );
  assert.throws(() => d.tolist(), /tolistAsync/);
  assert.throws(() => d.cpu(), /use await x.cpuAsync\(\)/);
  assert.equal(String(d), "tensor(..., device='webgpu', size=(2,))");
  // A device that reads synchronously gives the sync forms.
  const w = torch.tensor([1.5, 2]).to("wasm");
  assert.equal(w.sum().item(), 3.5);
  assert.deepEqual(w.tolist(), [1.5, 2]);
  assert.deepEqual(w.cpu().tolist(), [1.5, 2]);
  assert.throws(() => w.add(d), /add: expected all tensors to be on the same device, found wasm and webgpu/);
});

test("mixing with the CPU is an error naming both; 0-dim CPU tensors are uploaded as scalars", async () => {
  const d = torch.ones([3], { device: "webgpu" });
  assert.throws(
    () => d.add(torch.ones([3])),
    /add: expected all tensors to be on the same device, found webgpu and cpu/,
  );
  const before = uploads;
  assert.deepEqual(await d.add(torch.tensor(2)).tolistAsync(), [3, 3, 3]);
  assert.equal(uploads, before + 1);
  assert.deepEqual(await d.mul(0.5).tolistAsync(), [0.5, 0.5, 0.5]);
});

test("autograd and a training step on the device; gradients stay there", async () => {
  torch.manualSeed(0);
  const cpuModel = new nn.Linear(3, 2);
  torch.manualSeed(0);
  const model = new nn.Linear(3, 2).to("webgpu");
  assert.equal(model.weight.device.type, "webgpu");
  const opt = new torch.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const cpuOpt = new torch.optim.SGD(cpuModel.parameters(), { lr: 0.1, momentum: 0.9 });
  const x = torch.tensor(
    [
      [1, 2, 3],
      [-1, 0, 2],
    ],
    { dtype: "float32" },
  );
  for (let i = 0; i < 2; i++) {
    opt.zeroGrad();
    model(x.to("webgpu")).pow(2).mean().backward();
    opt.step();
    cpuOpt.zeroGrad();
    cpuModel(x).pow(2).mean().backward();
    cpuOpt.step();
  }
  assert.equal(model.weight.grad!.device.type, "webgpu");
  // (The CPU side may run the native backend's fused kernels: equal to float32 rounding.)
  const got = (await model.weight.tolistAsync()) as number[][],
    want = cpuModel.weight.tolist() as number[][];
  got
    .flat()
    .forEach((v, i) => assert.ok(Math.abs(v - want.flat()[i]) <= 1e-6, `weight[${i}]: ${v} vs ${want.flat()[i]}`));
});
