// Devices: PyTorch programs name devices everywhere; "cpu" is accepted wherever torch takes a
// device, torch.cuda reports no GPU, and any other device is a clear error.
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { test } from "node:test";
import * as torch from "../src/index.js";
import * as nn from "../src/nn/index.js";

test("the usual device selection picks the CPU, line for line", () => {
  const device = torch.device(torch.cuda.isAvailable() ? "cuda" : "cpu");
  assert.equal(device.type, "cpu");
  assert.equal(device.index, null);
  assert.equal(String(device), "cpu");
  assert.equal(inspect(device), "device(type='cpu')");
  assert.equal(torch.cuda.deviceCount(), 0);
  assert.equal(torch.backends.mps.isAvailable(), false);
  const model = new nn.Linear(3, 2).to(device);
  const x = torch.randn([4, 3]).to(device);
  const y = model(x);
  assert.ok(y.device.equals("cpu"));
  assert.equal(y.isCuda, false);
  assert.equal(y.isCpu, true);
});

test("torch.device parses type and index, and rejects unknown devices", () => {
  const d = torch.device("cuda:1");
  assert.deepEqual([d.type, d.index, String(d)], ["cuda", 1, "cuda:1"]);
  assert.equal(inspect(torch.device("cuda", 0)), "device(type='cuda', index=0)");
  assert.ok(torch.device(torch.device("cpu")).equals("cpu"));
  assert.throws(
    () => torch.device("gpu"),
    (e: Error) => e instanceof torch.ValueError && /device: expected one of cpu, cuda/.test(e.message),
  );
  assert.throws(() => torch.device("cuda:0", 1), /index given twice/);
});

test("Tensor.to takes torch's three forms and the options object", () => {
  const x = torch.tensor([1.5, 2.5]);
  assert.equal(x.to("cpu"), x); // nothing to do: the same tensor, as torch returns self
  assert.equal(x.to(torch.device("cpu")), x);
  assert.equal(x.cpu(), x);
  assert.equal(x.pinMemory(), x);
  const d = x.to("cpu", "float64");
  assert.equal(d.dtype, "float64");
  assert.deepEqual(d.tolist(), [1.5, 2.5]);
  assert.equal(x.to({ device: "cpu", dtype: "int64" }).dtype, "int64");
  assert.equal(x.to(torch.zeros([1], { dtype: "float64" })).dtype, "float64");
  assert.equal(x.to(null, "float64").dtype, "float64");
  const c = x.to("float32", false, true);
  assert.notEqual(c, x);
  assert.notEqual(c.storage, x.storage);
  assert.notEqual(x.to({ copy: true }).storage, x.storage);
  // differentiable through a dtype change given with a device
  const w = torch.tensor([1, 2], { dtype: "float32", requiresGrad: true });
  w.to("cpu", "float64").mul(3).sum().backward();
  assert.deepEqual(w.grad!.tolist(), [3, 3]);
});

test("other devices are errors that name the op and the device", () => {
  const x = torch.ones([2]);
  const cpuOnly = (op: string, dev: string) => (e: Error) =>
    e instanceof torch.ValueError && e.message.startsWith(`${op}: device '${dev}' is not available`);
  assert.throws(() => x.to("cuda"), cpuOnly("Tensor.to", "cuda"));
  assert.throws(() => x.to({ device: "mps" }), cpuOnly("Tensor.to", "mps"));
  assert.throws(() => x.cuda(), cpuOnly("Tensor.cuda", "cuda"));
  assert.throws(() => x.cuda(1), cpuOnly("Tensor.cuda", "cuda:1"));
  assert.throws(() => x.cuda("cpu"), /Tensor.cuda: expected a cuda device, got 'cpu'/);
  assert.throws(() => torch.zeros([2], { device: "cuda:0" }), cpuOnly("tensor creation", "cuda:0"));
  assert.throws(() => torch.randn([2], { device: "cuda" }), cpuOnly("tensor creation", "cuda"));
  assert.throws(() => new nn.Linear(2, 2).to("cuda"), cpuOnly("Module.to", "cuda"));
  assert.throws(() => new nn.Linear(2, 2).cuda(), cpuOnly("Module.cuda", "cuda"));
  assert.throws(() => x.to("gpu" as never), /Tensor.to: expected a dtype, a device or a tensor, got 'gpu'/);
  assert.throws(() => x.to({ devise: "cpu" } as never), /Tensor.to: unexpected option 'devise'/);
});

test("factories accept device 'cpu'; Module.to converts dtype given with a device", () => {
  assert.deepEqual(torch.zeros([2], { device: "cpu" }).tolist(), [0, 0]);
  assert.deepEqual(torch.tensor([1, 2], { device: torch.device("cpu") }).tolist(), [1, 2]);
  assert.equal(torch.arange(3, { device: "cpu" }).numel(), 3);
  assert.equal(torch.rand([2, 2], { device: "cpu" }).shape.length, 2);
  const lin = new nn.Linear(2, 2);
  const w = lin.weight;
  assert.equal(lin.to("cpu"), lin);
  assert.equal(lin.cpu(), lin);
  assert.equal(lin.to("cpu", "float64").weight.dtype, "float64");
  assert.equal(lin.weight, w); // converted in place, same Parameter
  assert.equal(lin.to({ dtype: "float32" }).weight.dtype, "float32");
});

test("mixing devices in one op is an error naming both; 0-dim CPU tensors and numbers are scalars", () => {
  const cpu = torch.ones([2, 3]),
    meta = torch.ones([2, 3], { device: "meta" });
  const mixed = (op: string, a: string, b: string) => (e: Error) =>
    e instanceof torch.DeviceError &&
    e.message === `${op}: expected all tensors to be on the same device, found ${a} and ${b}`;
  assert.throws(() => torch.add(cpu, meta), mixed("add", "cpu", "meta"));
  assert.throws(() => meta.mul(cpu), mixed("mul", "meta", "cpu"));
  assert.throws(() => torch.matmul(meta, cpu.t()), mixed("matmul", "meta", "cpu"));
  assert.throws(() => torch.where(cpu.gt(0), meta, 0), mixed("where", "cpu", "meta"));
  assert.throws(() => torch.cat([cpu, meta]), torch.DeviceError);
  for (const r of [
    meta.add(torch.tensor(2)),
    torch.tensor(2).mul(meta),
    meta.add(1.5),
    torch.where(meta.gt(0), meta, torch.tensor(0)),
  ]) {
    assert.equal(r.device.type, "meta");
    assert.deepEqual(r.shape, [2, 3]);
  }
  // copy_ takes its source from another device (as PyTorch); to meta reads nothing.
  assert.equal(meta.clone().copy_(cpu).device.type, "meta");
  assert.equal(torch.cuda.isAvailable(), false);
});

test("meta tensors: every op gives PyTorch's shape and dtype without data", () => {
  const cases: [string, (d: string) => torch.Tensor][] = [
    [
      "conv2d+pool",
      (d) =>
        nn.functional.maxPool2d(
          nn.functional.conv2d(
            torch.ones([2, 3, 8, 8], { device: d }),
            torch.ones([4, 3, 3, 3], { device: d }),
            null,
            1,
            1,
          ),
          2,
        ),
    ],
    [
      "linear",
      (d) =>
        nn.functional.linear(
          torch.ones([5, 7], { device: d }),
          torch.ones([3, 7], { device: d }),
          torch.ones([3], { device: d }),
        ),
    ],
    ["bmm", (d) => torch.bmm(torch.ones([2, 3, 4], { device: d }), torch.ones([2, 4, 5], { device: d }))],
    ["sum keepdim", (d) => torch.ones([2, 3, 4], { device: d }).sum(1, true)],
    ["mean", (d) => torch.ones([2, 3], { device: d }).mean()],
    ["argmax", (d) => torch.ones([2, 3], { device: d }).argmax(1)],
    ["max values", (d) => torch.ones([2, 3], { device: d }).max(0).values],
    ["softmax", (d) => torch.ones([2, 3], { device: d }).softmax(1)],
    [
      "cross entropy",
      (d) =>
        nn.functional.crossEntropy(torch.ones([4, 5], { device: d }), torch.zeros([4], { dtype: "int64", device: d })),
    ],
    ["comparison", (d) => torch.ones([2, 3], { device: d }).gt(torch.ones([3], { device: d }))],
    ["int division", (d) => torch.ones([3], { dtype: "int64", device: d }).floorDivide(2)],
    ["cat", (d) => torch.cat([torch.ones([2, 3], { device: d }), torch.ones([1, 3], { device: d })])],
    ["permute contiguous", (d) => torch.ones([2, 3, 4], { device: d }).permute(2, 0, 1).contiguous()],
    ["to float64", (d) => torch.ones([2], { device: d }).to("float64")],
    [
      "embedding",
      (d) =>
        nn.functional.embedding(torch.zeros([2, 3], { dtype: "int64", device: d }), torch.ones([10, 4], { device: d })),
    ],
    ["layer norm", (d) => nn.functional.layerNorm(torch.ones([2, 6], { device: d }), [6])],
  ];
  for (const [name, f] of cases) {
    const want = f("cpu"),
      got = f("meta");
    assert.deepEqual([got.shape, got.dtype, got.device.type], [want.shape, want.dtype, "meta"], name);
  }
  // Shape errors are found on meta too.
  assert.throws(
    () => torch.matmul(torch.ones([2, 3], { device: "meta" }), torch.ones([4, 5], { device: "meta" })),
    torch.ShapeError,
  );
});

test("meta: backward and optimizer steps run; reading values is a clear error", async () => {
  const model = new nn.Linear(4, 3, { device: "meta" });
  const loss = model(torch.ones([5, 4], { device: "meta" }))
    .relu()
    .sum();
  loss.backward();
  assert.equal(model.weight.grad!.device.type, "meta");
  assert.deepEqual(model.weight.grad!.shape, [3, 4]);
  new torch.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 }).step();
  new torch.optim.Adam(model.parameters()).step();
  const noData = /meta tensor has no data/;
  assert.throws(
    () => loss.item(),
    (e: Error) => e instanceof torch.DeviceError && noData.test(e.message),
  );
  assert.throws(() => model.weight.tolist(), noData);
  assert.throws(() => model.weight.typedArray(), noData);
  assert.throws(() => model.weight.to("cpu"), /cannot copy out of a meta tensor/);
  await assert.rejects(loss.itemAsync(), noData);
});

test("meta modules cost no memory and draw nothing; toEmpty materialises them", () => {
  torch.manualSeed(7);
  const before = process.memoryUsage().rss;
  const big = new nn.Linear(100000, 100000, { device: "meta" }); // 40 GB of float32 on the CPU
  assert.ok(process.memoryUsage().rss - before < 200e6, "a meta Linear(100000, 100000) allocated memory");
  assert.deepEqual([big.weight.shape, big.weight.device.type, big.weight.isMeta], [[100000, 100000], "meta", true]);
  const afterMeta = torch.rand([3]).tolist();
  torch.manualSeed(7);
  assert.deepEqual(afterMeta, torch.rand([3]).tolist(), "initialising on meta consumed random draws");

  const lin = new nn.Linear(3, 2, { device: "meta" });
  const w = lin.weight;
  assert.equal(lin.toEmpty({ device: "cpu" }), lin);
  assert.equal(lin.weight, w); // the same Parameter, now on the CPU
  assert.equal(w.device.type, "cpu");
  torch.manualSeed(0);
  lin.resetParameters();
  torch.manualSeed(0);
  const ref = new nn.Linear(3, 2);
  assert.deepEqual(lin.weight.tolist(), ref.weight.tolist());
  lin.loadStateDict(ref.stateDict());
  assert.deepEqual(lin(torch.ones([1, 3])).tolist(), ref(torch.ones([1, 3])).tolist());
  // A module moves to meta and back to empty CPU memory.
  const m = new nn.Linear(2, 2).to("meta");
  assert.equal(m.weight.device.type, "meta");
  assert.throws(() => m.toEmpty({ device: "cuda" } as never), /not available/);
  assert.throws(() => m.toEmpty({ devise: "cpu" } as never), /unexpected option 'devise'/);
});

test("async readbacks work on every device (they resolve at once on the CPU)", async () => {
  const x = torch.tensor([
    [1.5, 2],
    [3, 4],
  ]);
  assert.equal(await x.cpuAsync(), x);
  assert.deepEqual(await x.tolistAsync(), [
    [1.5, 2],
    [3, 4],
  ]);
  assert.equal(await x.sum().itemAsync(), 10.5);
  assert.equal(await torch.tensor(true).itemAsync(), 1); // item() is a number: 1 for true
});

test("a meta tensor prints as PyTorch prints it", () => {
  assert.equal(String(torch.ones([2, 3], { device: "meta" })), "tensor(..., device='meta', size=(2, 3))");
  assert.equal(
    inspect(torch.zeros([4], { dtype: "int64", device: "meta" })),
    "tensor(..., device='meta', size=(4,), dtype=torch.int64)",
  );
});
