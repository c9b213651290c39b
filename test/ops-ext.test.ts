// Issue 12's tensor ops beyond op_db's samples, against PyTorch 1.13 (test/fixtures/opsext-extra.json,
// from scripts/fixtures/ops_ext_fixtures.py): multinomial with replacement, in-place variants,
// registerHook, complex values through torch.fft, gradients of composites, and float64 gradchecks.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../src/index.js";
import type { Tensor } from "../src/index.js";
import { loadFixture } from "./helpers/fixtures.js";

type N = number[][];
interface Fx {
  multinomial: { probs: N; seed: number; n: number; out: N };
  x: N;
  idx: N;
  src: N;
  inplace: Record<string, N>;
  hook_grad: N;
  fft_complex: N;
  ifft_fft: number[][][];
  fft2_abs: N;
  composite_grad: N;
  fftfreq: number[];
  rfftfreq: number[];
  fftshift: number[];
  ifftshift: number[];
}
const fx = loadFixture<Fx>("opsext-extra.json");
const f64 = (v: unknown): Tensor => torch.tensor(v as number[][], { dtype: "float64" });
function close(t: Tensor, want: unknown, what: string, tol = 1e-10): void {
  const w = torch.tensor(want as number[], { dtype: "float64" });
  assert.deepEqual(t.shape, w.shape, `${what}: shape`);
  const a = t.to("float64").typedArray(),
    b = w.typedArray();
  for (let i = 0; i < b.length; i++)
    assert.ok(
      Math.abs(a[i] - b[i]) <= tol * (1 + Math.abs(b[i])),
      `${what}: element ${i} is ${a[i]}, PyTorch has ${b[i]}`,
    );
}

test("multinomial with replacement draws PyTorch's samples", () => {
  torch.manualSeed(fx.multinomial.seed);
  const out = torch.multinomial(torch.tensor(fx.multinomial.probs), fx.multinomial.n, true);
  assert.deepEqual(out.tolist(), fx.multinomial.out);
});

test("in-place variants write PyTorch's values into the tensor and return it", () => {
  const x = f64(fx.x),
    idx = torch.tensor(fx.idx),
    src = f64(fx.src);
  const ops: Record<string, (t: Tensor) => Tensor> = {
    exp_: (t) => t.exp_(),
    relu_: (t) => t.relu_(),
    asinh_: (t) => t.asinh_(),
    scatter_: (t) => t.scatter_(0, idx, src),
    scatter_add_: (t) => t.scatterAdd_(0, idx, src),
    index_add_: (t) => t.indexAdd_(1, torch.tensor([3, 0]), torch.ones(3, 2, { dtype: "float64" })),
    tril_: (t) => t.tril_(1),
    clamp_min_: (t) => t.clampMin_(0.2),
  };
  for (const [name, op] of Object.entries(ops)) {
    const t = x.clone();
    assert.equal(op(t), t, `${name} returns its tensor`);
    close(t, fx.inplace[name], name);
  }
});

test("registerHook replaces gradients of leaves and intermediates, and can be removed", () => {
  const a = f64(fx.x).requiresGrad_();
  const h = a.mul(2);
  h.registerHook((g) => g.mul(3));
  a.registerHook((g) => g.add(1));
  h.sin().sum().backward();
  close(a.grad as Tensor, fx.hook_grad, "hook grad");
  const b = f64(fx.x).requiresGrad_();
  const handle = b.registerHook((g) => g.mul(0));
  handle.remove();
  b.sum().backward();
  close(
    b.grad as Tensor,
    fx.x.map((r) => r.map(() => 1)),
    "removed hook",
  );
});

test("torch.fft takes complex values back (view_as_real layout) and matches PyTorch", () => {
  const x = f64(fx.x);
  const c = torch.complex(x.select(0, 0), x.select(0, 1));
  close(torch.fft.fft(c), fx.fft_complex, "fft of torch.complex");
  close(torch.fft.ifft(torch.fft.fft(x)), fx.ifft_fft, "ifft(fft(x))");
  const spec = torch.fft.fft2(x);
  close(spec.pow(2).sum(-1).sqrt(), fx.fft2_abs, "|fft2(x)|");
  assert.deepEqual(torch.viewAsReal(spec).shape, [3, 4, 2], "viewAsReal keeps the layout");
  close(torch.fft.fftfreq(5, 0.5), fx.fftfreq, "fftfreq", 1e-7);
  close(torch.fft.rfftfreq(6), fx.rfftfreq, "rfftfreq", 1e-7);
  close(torch.fft.fftshift(torch.arange(6, { dtype: "float32" })), fx.fftshift, "fftshift");
  close(torch.fft.ifftshift(torch.arange(7, { dtype: "float32" })), fx.ifftshift, "ifftshift");
});

test("gradients of composites (nuclear norm, cumsum, rfft modulus) match PyTorch's", () => {
  const b = f64(fx.x).requiresGrad_();
  const r = torch.fft.rfft(b);
  const loss = torch.linalg
    .matrixNorm(b.narrow(1, 0, 3), "nuc")
    .add(torch.cumsum(b, 1).pow(2).sum())
    .add(r.pow(2).sum(-1).sqrt().sum());
  loss.backward();
  close(b.grad as Tensor, fx.composite_grad, "composite grad", 1e-8);
});

test("float64 gradchecks of new ops", () => {
  const g = new torch.Generator().manualSeed(11);
  const x = torch.randn([3, 3], { dtype: "float64", generator: g }).requiresGrad_();
  const spd = () => x.matmul(x.mT).add(torch.eye(3, { dtype: "float64" }).mul(3));
  const checks: [string, (t: Tensor) => Tensor][] = [
    ["asinh", (t) => torch.asinh(t)],
    ["lgamma", (t) => torch.lgamma(t.abs().add(0.5))],
    ["erfinv", (t) => torch.erfinv(t.tanh().mul(0.9))],
    ["logcumsumexp", (t) => torch.logcumsumexp(t, 1)],
    ["cumprod", (t) => torch.cumprod(t, 0)],
    ["sort", (t) => torch.sort(t, 1).values],
    ["inv", (t) => torch.linalg.inv(t.add(torch.eye(3, { dtype: "float64" }).mul(4)))],
    ["det", (t) => torch.linalg.det(t)],
    ["cholesky", () => torch.linalg.cholesky(spd())],
    ["qr", (t) => torch.linalg.qr(t).Q],
    ["eigvalsh", () => torch.linalg.eigvalsh(spd())],
    ["fft", (t) => torch.fft.fft(t)],
    ["irfft", (t) => torch.fft.irfft(torch.fft.rfft(t))],
    ["einsum", (t) => torch.einsum("ij,jk->ik", t, t)],
    ["kron", (t) => torch.kron(t, t)],
    ["cdist", (t) => torch.cdist(t, t.flip(0).add(0.5))],
  ];
  for (const [name, f] of checks) assert.ok(torch.autograd.gradcheck(f, [x]), `${name} gradcheck`);
});
