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
  assert.throws(() => torch.device("gpu"), (e: Error) => e instanceof torch.ValueError && /device: expected one of cpu, cuda/.test(e.message));
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
    e instanceof torch.ValueError && e.message.startsWith(`${op}: Flint computes on the CPU only; device '${dev}' is not available`);
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
