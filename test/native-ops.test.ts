// Native elementwise, reduction, softmax, cross-entropy and optimizer kernels: vs scalar
// references (odd lengths, tails, offsets, NaN) and vs PyTorch 1.13 fixtures
// (scripts/fixtures/native-optim.py) for the optimizers and the fused cross-entropy.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";

import { nativeAddon, type OpCode } from "../src/backend/native/addon.js";
import "../src/index.js";
import { declaredBinaryOps, declaredUnaryOps } from "../src/backend/elementwise-registry.js";
import { assertClose, randArray, rng } from "./native-helpers.js";
import { expF, sigmoidF, tanhF } from "../src/backend/native/vmath.js";
import * as torch from "../src/index.js";

const addon = nativeAddon();
const skip = addon === null ? "native addon not built (run `npm install`)" : false;
const f = Math.fround;
const sizes = [1, 7, 17, 33, 65, 127, 1000, 300001];

const unaryRef: Record<string, (x: number) => number> = {
  neg: (x) => -x,
  abs: Math.abs,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  rsqrt: (x) => f(1 / f(Math.sqrt(x))),
  sigmoid: (x) => f(1 / f(1 + f(Math.exp(-x)))),
  tanh: Math.tanh,
  relu: (x) => (x > 0 || Number.isNaN(x) ? x : 0),
};
const binaryRef: Record<string, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  maximum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)),
  minimum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b)),
  reluBackward: (g, x) => (x <= 0 ? 0 : g),
  sigmoidBackward: (g, y) => f(f(g * f(1 - y)) * y),
  tanhBackward: (g, y) => f(g * f(1 - f(y * y))),
  rsub: (a, b) => b - a,
  rdiv: (a, b) => b / a,
};

interface OptimStep {
  param: number[];
  buf: number[] | null;
  exp_avg: number[] | null;
  exp_avg_sq: number[] | null;
}
interface Fixture {
  p0: number[];
  grads: number[][];
  optim: { name: string; options: Record<string, number | boolean | number[]>; trajectory: OptimStep[] }[];
  crossEntropy: {
    rows: number;
    cols: number;
    labelSmoothing: number;
    ignoreIndex: number;
    logits: number[];
    targets: number[];
    loss: number;
    grad: number[];
  }[];
}

describe("native elementwise", { skip }, () => {
  const a = addon!;
  it("opcodes by name: every native kernel is a declared op (rsub and rdiv are the reversed forms)", () => {
    assert.deepEqual(
      a.unaryOps.filter((n) => !declaredUnaryOps().includes(n)),
      [],
    );
    assert.deepEqual(
      a.binaryOps.filter((n) => !declaredBinaryOps().includes(n)),
      ["rsub", "rdiv"],
    );
    assert.deepEqual(Object.keys(unaryRef).sort(), [...a.unaryOps].sort());
    assert.deepEqual(Object.keys(binaryRef).sort(), [...a.binaryOps].sort());
  });
  for (const [i, name] of (addon?.unaryOps ?? []).entries()) {
    const op = i as OpCode;
    it(`unary ${name}`, () => {
      for (const n of sizes) {
        const rand = rng(n + op);
        const x = randArray(n + 3, rand).map((v) =>
          name === "log" || name === "sqrt" || name === "rsqrt" ? Math.abs(v) * 10 : v * 10,
        );
        if (n > 5) x[4] = Number.NaN;
        const out = new Float32Array(n + 2).fill(9);
        a.unary(op, x, 3, out, 2, n);
        const ref = unaryRef[name];
        const want = Array.from(x.subarray(3), ref);
        // exp/log/tanh: libm vs Math may differ by an ulp; others are exact.
        assertClose(out.subarray(2), want, `${name}(n=${n})`, { rtol: 3e-7, atol: 0 });
        assert.equal(out[0], 9);
      }
    });
  }
  for (const [i, name] of (addon?.binaryOps ?? []).entries()) {
    const op = i as OpCode;
    it(`binary and scalar ${name}`, () => {
      for (const n of sizes) {
        const rand = rng(7 * n + op);
        const x = randArray(n + 1, rand),
          y = randArray(n + 5, rand);
        if (n > 9) {
          x[3] = Number.NaN;
          y[9] = Number.NaN;
          y[6] = 0;
        }
        const out = new Float32Array(n);
        const ref = binaryRef[name];
        a.binary(op, x, 1, y, 5, out, 0, n);
        assert.deepEqual(
          out,
          Float32Array.from({ length: n }, (_, i) => ref(x[1 + i], y[5 + i])),
          `${name}(n=${n})`,
        );
        const s = f(0.37);
        a.binaryScalar(op, x, 1, 0.37, out, 0, n);
        assert.deepEqual(
          out,
          Float32Array.from({ length: n }, (_, i) => ref(x[1 + i], s)),
          `${name} scalar(n=${n})`,
        );
      }
    });
  }
  it("exp, sigmoid, tanh: the TypeScript port (small tensors) equals the kernel bit for bit", () => {
    const edge = [0, -0, Infinity, -Infinity, NaN, 88.72283, 88.7229, 89, -87.33, -88.72, -103.97, -104, -150];
    edge.push(0.625, -0.625, f(0.625 - 2 ** -24), 9.01, -9.01, 1e-30, -1e-30, 1e-45, 2 ** -126, 20, -20);
    const rand = rng(5);
    const x = Float32Array.from([
      ...edge,
      ...Array.from({ length: 30000 }, (_, i) => (rand() * 2 - 1) * 10 ** (i % 3)),
    ]);
    const out = new Float32Array(x.length);
    for (const [name, fn] of [
      ["exp", expF],
      ["sigmoid", sigmoidF],
      ["tanh", tanhF],
    ] as const) {
      a.unary(a.unaryOps.indexOf(name) as OpCode, x, 0, out, 0, x.length);
      for (let i = 0; i < x.length; i++)
        assert.ok(Object.is(out[i], f(fn(x[i]))), `${name}(${x[i]}): kernel ${out[i]}, TypeScript ${fn(x[i])}`);
      // Through the op layer: 5 elements take the TypeScript path.
      const t = torch.tensor(Array.from(x.subarray(0, 5)));
      const small = (name === "exp" ? t.exp() : name === "sigmoid" ? t.sigmoid() : t.tanh()).typedArray();
      assert.deepEqual(small, out.subarray(0, 5), `${name} of a small tensor`);
    }
  });
  it("addScaled = fused a + alpha * b, in place too", () => {
    for (const n of sizes) {
      const rand = rng(n);
      const x = randArray(n, rand),
        y = randArray(n + 2, rand),
        out = new Float32Array(n);
      a.addScaled(x, 0, y, 2, -0.3, out, 0, n);
      const alpha = f(-0.3);
      // One rounding of the exact value: the double product of two floats is exact.
      assert.deepEqual(
        out,
        Float32Array.from({ length: n }, (_, i) => x[i] + alpha * y[2 + i]),
      );
      const before = Float32Array.from(x);
      a.addScaled(x, 0, y, 2, 1, x, 0, n);
      assert.deepEqual(
        x,
        Float32Array.from({ length: n }, (_, i) => before[i] + y[2 + i]),
      );
    }
  });
});

describe("native reductions and softmax", { skip }, () => {
  const a = addon!;
  it("sumRows over the middle axis, and biasGradNCHW", () => {
    for (const [outer, n, inner] of [
      [1, 1, 1],
      [3, 17, 1],
      [5, 7, 33],
      [1, 1000, 3],
      [2, 65, 127],
      [64, 10, 1],
      [1, 64, 1024],
    ]) {
      const rand = rng(outer * n * inner);
      const x = randArray(outer * n * inner + 4, rand),
        out = new Float32Array(outer * inner + 1);
      const want = new Float64Array(outer * inner),
        mag = new Float64Array(outer * inner);
      for (let o = 0; o < outer; o++)
        for (let j = 0; j < n; j++)
          for (let i = 0; i < inner; i++) {
            want[o * inner + i] += x[4 + (o * n + j) * inner + i];
            mag[o * inner + i] += Math.abs(x[4 + (o * n + j) * inner + i]);
          }
      a.sumRows(x, 4, out, 1, outer, n, inner);
      assertClose(out.subarray(1), want, `sumRows(${outer},${n},${inner})`, { mag, rtol: 1e-6 });
      const gb = new Float32Array(n);
      a.biasGradNCHW(x, gb, outer, n, inner);
      const wantB = new Float64Array(n),
        magB = new Float64Array(n);
      for (let o = 0; o < outer; o++)
        for (let c = 0; c < n; c++)
          for (let i = 0; i < inner; i++) {
            wantB[c] += x[(o * n + c) * inner + i];
            magB[c] += Math.abs(x[(o * n + c) * inner + i]);
          }
      assertClose(gb, wantB, "biasGradNCHW", { mag: magB, rtol: 1e-6 });
    }
  });
  it("softmax / log-softmax rows and their backward", () => {
    for (const [rows, cols] of [
      [1, 1],
      [3, 7],
      [64, 10],
      [5, 1000],
      [2, 33],
      // The vector paths (native/rowops.cc): whole 16-lane vectors, an overlapping last vector,
      // a partial block of rows, sums chunked every 256 values.
      [67, 32],
      [9, 16],
      [11, 17],
      [3, 31],
      [4, 300],
      [2, 5000],
    ]) {
      const rand = rng(rows * 31 + cols);
      const x = randArray(rows * cols + 2, rand).map((v) => v * 20),
        go = randArray(rows * cols, rand);
      const ls = new Float32Array(rows * cols),
        sm = new Float32Array(rows * cols);
      a.logSoftmaxRows(x, 2, ls, 0, rows, cols);
      a.softmaxRows(x, 2, sm, 0, rows, cols);
      const wantLs: number[] = [],
        wantSm: number[] = [],
        wantGl: number[] = [],
        wantGs: number[] = [];
      for (let r = 0; r < rows; r++) {
        const row = Array.from(x.subarray(2 + r * cols, 2 + (r + 1) * cols));
        const m = Math.max(...row),
          lse = Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
        const g = Array.from(go.subarray(r * cols, (r + 1) * cols));
        const p = row.map((v) => Math.exp(v - m - lse));
        const gs = g.reduce((s, v) => s + v, 0),
          dot = g.reduce((s, v, j) => s + v * p[j], 0);
        row.forEach((v, j) => {
          wantLs.push(v - m - lse);
          wantSm.push(p[j]);
          wantGl.push(g[j] - p[j] * gs);
          wantGs.push(p[j] * (g[j] - dot));
        });
      }
      assertClose(ls, wantLs, "logSoftmaxRows", { rtol: 2e-6, atol: 2e-6 });
      assertClose(sm, wantSm, "softmaxRows", { rtol: 2e-6, atol: 1e-7 });
      const gi = new Float32Array(rows * cols);
      a.logSoftmaxBackwardRows(go, ls, gi, rows, cols);
      assertClose(gi, wantGl, "logSoftmaxBackwardRows", { rtol: 1e-5, atol: 1e-6 });
      a.softmaxBackwardRows(go, sm, gi, rows, cols);
      assertClose(gi, wantGs, "softmaxBackwardRows", { rtol: 1e-5, atol: 1e-6 });
    }
  });
});

describe("native softmax rows: non-finite values as PyTorch 1.13", { skip }, () => {
  // A NaN or +inf anywhere, or a row of -inf only, makes the row NaN; -inf entries are 0 (-inf in
  // log-softmax). Rows short (scalar loops) and long (vectors, with an overlapping tail).
  const a = addon!;
  for (const cols of [2, 33]) {
    it(`cols=${cols}`, () => {
      const rows: number[][] = [
        [Infinity, 1],
        [-Infinity, -Infinity],
        [NaN, 1],
        [-Infinity, 0, 1],
      ].map((r) => [...r, ...new Array<number>(cols - Math.min(cols, r.length)).fill(r[r.length - 1])].slice(0, cols));
      const x = Float32Array.from(rows.flat()),
        sm = new Float32Array(x.length),
        ls = new Float32Array(x.length);
      a.softmaxRows(x, 0, sm, 0, rows.length, cols);
      a.logSoftmaxRows(x, 0, ls, 0, rows.length, cols);
      for (let r = 0; r < 3; r++)
        for (let j = 0; j < cols; j++) {
          assert.ok(Number.isNaN(sm[r * cols + j]) && Number.isNaN(ls[r * cols + j]), `row ${r} col ${j}`);
        }
      const last = rows[3];
      const live = last.filter((v) => v > -Infinity),
        m = Math.max(...live),
        lse = m + Math.log(live.reduce((s, v) => s + Math.exp(v - m), 0));
      assertClose(
        sm.subarray(3 * cols),
        last.map((v) => Math.exp(v - lse)),
        "softmax -inf row",
        { rtol: 2e-6, atol: 0 },
      );
      for (let j = 0; j < cols; j++) {
        const want = last[j] - lse;
        if (want === -Infinity) assert.equal(ls[3 * cols + j], -Infinity);
        else assert.ok(Math.abs(ls[3 * cols + j] - want) <= 2e-6 * Math.abs(want) + 1e-6, `log-softmax col ${j}`);
      }
    });
  }
});

describe("native cross-entropy and optimizers vs PyTorch 1.13", { skip }, () => {
  const a = addon!;
  const fx = JSON.parse(readFileSync(new URL("./fixtures/native-optim.json", import.meta.url), "utf8")) as Fixture;
  for (const c of fx.crossEntropy) {
    it(`crossEntropy rows=${c.rows} cols=${c.cols} eps=${c.labelSmoothing} ignore=${c.ignoreIndex}`, () => {
      const grad = new Float32Array(c.rows * c.cols);
      const loss = a.crossEntropyForwardBackward(
        Float32Array.from(c.logits),
        Float64Array.from(c.targets),
        grad,
        c.rows,
        c.cols,
        c.labelSmoothing,
        c.ignoreIndex,
      );
      assertClose([f(loss)], [c.loss], "loss", { rtol: 1e-6, atol: 0 });
      assertClose(grad, c.grad, "grad", { rtol: 1e-6, atol: 1e-8 });
    });
  }
  it("crossEntropy rejects targets out of range", () => {
    assert.throws(
      () => a.crossEntropyForwardBackward(new Float32Array(6), Float64Array.from([0, 3]), null, 2, 3, 0, -100),
      /Target 3 is out of bounds/,
    );
  });
  for (const [ci, c] of fx.optim.entries()) {
    it(`${c.name} ${JSON.stringify(c.options)}`, () => {
      const o = c.options;
      const n = fx.p0.length;
      const param = Float32Array.from(fx.p0);
      const s1 = new Float32Array(n),
        s2 = new Float32Array(n),
        s3 = new Float32Array(n);
      c.trajectory.forEach((want, k) => {
        const grad = Float32Array.from(fx.grads[k]);
        if (c.name === "sgd") {
          a.sgdStep(
            param,
            grad,
            o.momentum === 0 ? null : s1,
            o.lr as number,
            o.momentum as number,
            o.dampening as number,
            o.weight_decay as number,
            o.nesterov as boolean,
            o.maximize as boolean,
            k === 0,
          );
          if (want.buf) assertClose(s1, want.buf, `case ${ci} step ${k} momentum_buffer`, { rtol: 1e-6, atol: 0 });
        } else {
          const [b1, b2] = o.betas as number[];
          a.adamStep(
            param,
            grad,
            s1,
            s2,
            o.amsgrad ? s3 : null,
            o.lr as number,
            b1,
            b2,
            o.eps as number,
            o.weight_decay as number,
            k + 1,
            o.amsgrad as boolean,
            o.maximize as boolean,
            c.name === "adamw",
          );
          assertClose(s1, want.exp_avg!, `case ${ci} step ${k} exp_avg`, { rtol: 1e-6, atol: 0 });
          assertClose(s2, want.exp_avg_sq!, `case ${ci} step ${k} exp_avg_sq`, { rtol: 1e-6, atol: 0 });
        }
        assertClose(param, want.param, `case ${ci} step ${k} param`, { rtol: 1e-6, atol: 0 });
      });
    });
  }
});
