import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import {
  Generator,
  bernoulli,
  bernoulliTensor,
  defaultGenerator,
  dropoutMask,
  getRngState,
  initialSeed,
  manualSeed,
  setRngState,
  exponential,
  kaimingUniformBound,
  log,
  sincos,
  normal,
  randint,
  randomDefault,
  randperm,
  type RandomDType,
  uniform,
} from "../src/random/index.js";

/** torch.rand = uniform_(0, 1). */
function rand_(gen: Generator, out: Float32Array | Float64Array): Float32Array | Float64Array {
  return uniform(gen, out, 0, 1);
}

/** torch.linspace(0, 1, n) as PyTorch 1.13 computes it on the CPU for small n (step from the start, then from the end). */
function linspace01(out: Float32Array | Float64Array): Float32Array | Float64Array {
  const n = out.length;
  const f = out instanceof Float32Array ? Math.fround : (x: number): number => x;
  const step = f(1 / (n - 1));
  const half = Math.floor(n / 2);
  for (let i = 0; i < n; i++) out[i] = i < half ? f(i * step) : f(1 - f((n - 1 - i) * step));
  return out;
}

interface Encoded {
  n: number;
  values?: number[];
  head?: number[];
  tail?: number[];
  sha256?: string;
}
interface Case {
  seed: number;
  op: string;
  dtype: string;
  args: number[];
  out: Encoded;
}
interface Fixture {
  torch: string;
  cases: Case[];
  sequences: { seed: number; steps: Omit<Case, "seed">[] }[];
  init: {
    seed: number;
    linearWeight: Encoded;
    linearBias: Encoded;
    convWeight: Encoded;
    convBias: Encoded;
    boundLinear: number;
  }[];
  state: { seed: number; stateBase64: string; nextRandn3f64: Encoded };
  libm: { seed: number; n: number; log1mu: Encoded; sincos2piu: Encoded; sincosWide: Encoded };
}

const fx = JSON.parse(readFileSync(new URL("./fixtures/random.json", import.meta.url), "utf8")) as Fixture;

type Arr = Float32Array | Float64Array | Int32Array | Uint8Array;

function alloc(dtype: string, n: number): Arr {
  if (dtype === "float32") return new Float32Array(n);
  if (dtype === "int32") return new Int32Array(n);
  if (dtype === "uint8" || dtype === "bool") return new Uint8Array(n);
  return new Float64Array(n);
}

function bytesOf(a: Arr): Uint8Array {
  if (a instanceof Float32Array) return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const f = a instanceof Float64Array ? a : Float64Array.from(a as Int32Array);
  return new Uint8Array(f.buffer, f.byteOffset, f.byteLength);
}

/** Runs one fixture op on gen (the same call PyTorch made). */
function run(gen: Generator, op: string, dtype: string, args: number[]): Arr {
  const n = args[0];
  switch (op) {
    case "rand":
      return rand_(gen, alloc(dtype, n) as Float32Array | Float64Array);
    case "randn":
      return normal(gen, alloc(dtype, n) as Float32Array | Float64Array, 0, 1);
    case "uniform":
      return uniform(gen, alloc(dtype, n) as Float32Array | Float64Array, args[1], args[2]);
    case "normal":
      return normal(gen, alloc(dtype, n) as Float32Array | Float64Array, args[1], args[2]);
    case "exponential":
      return exponential(gen, alloc(dtype, n) as Float32Array | Float64Array, args[1]);
    case "dropout":
      return dropoutMask(gen, alloc(dtype, n) as Float32Array | Float64Array, args[1]);
    case "bernoulli":
      return bernoulli(gen, alloc(dtype, n) as Float32Array | Float64Array, args[1]) as Arr;
    case "randint":
      return randint(gen, alloc(dtype, n), args[1], args[2]) as Arr;
    case "randperm":
      return randperm(gen, n);
    case "randomDefault":
      return randomDefault(gen, alloc(dtype, n), dtype as RandomDType) as Arr;
    case "normalNonContig": {
      // The fixture fills torch.empty(4, 5).t() (strides (1, 5), non-contiguous, 20 >= 16 elements)
      // and returns it in storage order; TensorIterator visits a transposed view in storage order.
      return normal(gen, alloc(dtype, n) as Float32Array, 0, 1, false);
    }
    case "bernoulliTensor":
      return bernoulliTensor(gen, alloc(dtype, n) as Float32Array, linspace01(alloc(dtype, n) as Float32Array)) as Arr;
    default:
      throw new Error(`unknown op ${op}`);
  }
}

/** Bit-exact comparison (and the SHA-256 of the whole array when the fixture stores one). */
function check(label: string, got: Arr, want: Encoded): void {
  assert.equal(got.length, want.n, `${label}: length`);
  const cmp = (g: number, w: number, i: number): void => {
    assert.ok(Object.is(g, w), `${label}[${i}]: got ${g}, PyTorch ${w}`);
  };
  if (want.values) {
    want.values.forEach((w, i) => cmp(got[i], w, i));
    return;
  }
  want.head!.forEach((w, i) => cmp(got[i], w, i));
  want.tail!.forEach((w, i) => cmp(got[got.length - 5 + i], w, got.length - 5 + i));
  const sha = createHash("sha256").update(bytesOf(got)).digest("hex");
  assert.equal(sha, want.sha256, `${label}: SHA-256 of all ${want.n} values`);
}

test("fixture comes from PyTorch 1.13", () => {
  assert.match(fx.torch, /^1\.13/);
});

test("the default generator starts from a non-deterministic seed, as PyTorch's does", () => {
  assert.notEqual(defaultGenerator.initialSeed(), 67280421310721);
  assert.equal(new Generator().initialSeed(), 67280421310721);
});

test("every single-op case matches PyTorch bit for bit", () => {
  for (const c of fx.cases) {
    const gen = new Generator().manualSeed(c.seed);
    const got = run(gen, c.op, c.dtype, c.args);
    check(`seed ${c.seed} ${c.op}(${c.args.join(", ")}) ${c.dtype}`, got, c.out);
  }
  assert.ok(fx.cases.length > 350);
});

test("sequences carry the stream and the cached normal sample over", () => {
  for (const s of fx.sequences) {
    const gen = new Generator().manualSeed(s.seed);
    s.steps.forEach((st, k) => {
      const got = run(gen, st.op, st.dtype, st.args);
      check(`seq ${s.seed} step ${k} ${st.op}`, got, st.out);
    });
  }
});

test("nn.Linear(5, 3) and nn.Conv2d(3, 4, 5) default init", () => {
  for (const c of fx.init) {
    const gen = new Generator().manualSeed(c.seed);
    const b = kaimingUniformBound(5);
    assert.equal(b, c.boundLinear);
    const lw = uniform(gen, new Float32Array(15), -b, b);
    const lb = uniform(gen, new Float32Array(3), -1 / Math.sqrt(5), 1 / Math.sqrt(5));
    const fanIn = 3 * 5 * 5;
    const cb = kaimingUniformBound(fanIn);
    const cw = uniform(gen, new Float32Array(4 * fanIn), -cb, cb);
    const cbias = uniform(gen, new Float32Array(4), -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn));
    check("linear.weight", lw, c.linearWeight);
    check("linear.bias", lb, c.linearBias);
    check("conv.weight", cw, c.convWeight);
    check("conv.bias", cbias, c.convBias);
  }
});

test("getState/setState use torch.get_rng_state()'s byte layout", () => {
  const torchState = Uint8Array.from(Buffer.from(fx.state.stateBase64, "base64"));
  const g = new Generator().manualSeed(fx.state.seed);
  normal(g, new Float64Array(1));
  assert.deepEqual(g.getState(), torchState);
  const h = new Generator().manualSeed(123).setState(torchState);
  check("randn(3) after setState", normal(h, new Float64Array(3)), fx.state.nextRandn3f64);
  // Round trip and clone keep the exact position.
  const a = new Generator().manualSeed(5);
  rand_(a, new Float32Array(700));
  const st = a.getState();
  const b = a.clone();
  const x = rand_(a, new Float32Array(10));
  assert.deepEqual(rand_(b, new Float32Array(10)), x);
  a.setState(st);
  assert.deepEqual(rand_(a, new Float32Array(10)), x);
});

test("seeds: 64-bit, negative and 2^32 + s behave as in PyTorch", () => {
  const g = new Generator().manualSeed(2n ** 32n + 5n);
  assert.equal(g.initialSeed(), 2 ** 32 + 5);
  const h = new Generator().manualSeed(5);
  assert.deepEqual(rand_(g, new Float32Array(8)), rand_(h, new Float32Array(8)));
  assert.equal(new Generator().manualSeed(-1).initialSeed(), 2n ** 64n - 1n);
  assert.throws(() => new Generator().manualSeed(1.5), /manualSeed/);
  const s = new Generator().seed();
  assert.ok(typeof s === "number" || typeof s === "bigint");
});

test("module-level torch.manual_seed & co. drive the default generator", () => {
  manualSeed(42);
  assert.equal(initialSeed(), 42);
  const st = getRngState();
  const a = rand_(defaultGenerator, new Float32Array(5));
  setRngState(st);
  assert.deepEqual(rand_(defaultGenerator, new Float32Array(5)), a);
  const want = fx.cases.find((c) => c.seed === 42 && c.op === "rand" && c.dtype === "float32" && c.args[0] === 3);
  manualSeed(42);
  check("torch.rand(3) after manualSeed(42)", rand_(defaultGenerator, new Float32Array(3)), want!.out);
});

test("glibc log and sincos ports agree with the system libm bit for bit", () => {
  const n = fx.libm.n;
  const u = uniform(new Generator().manualSeed(fx.libm.seed), new Float64Array(n));
  const logs = new Float64Array(n);
  const sc1 = new Float64Array(2 * n);
  const sc2 = new Float64Array(2 * n);
  const o = new Float64Array(2);
  for (let i = 0; i < n; i++) {
    logs[i] = log(1 - u[i]);
    sincos(2 * Math.PI * u[i], o);
    sc1.set(o, 2 * i);
    sincos(40 * u[i] - 20, o);
    sc2.set(o, 2 * i);
  }
  check("log(1 - u)", logs, fx.libm.log1mu);
  check("sincos(2 pi u)", sc1, fx.libm.sincos2piu);
  check("sincos(40 u - 20)", sc2, fx.libm.sincosWide);
});

test("argument errors name the op", () => {
  const g = new Generator();
  assert.throws(() => uniform(g, new Float32Array(2), 3, 1), /uniform_/);
  assert.throws(() => randint(g, new Float64Array(2), 5, 5), /randint/);
  assert.throws(() => randint(g, new Uint8Array(2), -1, 5), /uint8/);
  assert.throws(() => randint(g, new Int32Array(2), 0, 2 ** 32), /int32/);
  assert.throws(() => bernoulli(g, new Float32Array(2), 1.5), /bernoulli_/);
  assert.throws(() => randperm(g, -1), /randperm/);
  assert.throws(() => dropoutMask(g, new Float32Array(2), 1), /dropout/);
});

test("speed: 1M float32 rand / randn in well under a second", () => {
  const g = new Generator().manualSeed(0);
  const a = new Float32Array(1 << 20);
  let t = performance.now();
  rand_(g, a);
  const tRand = performance.now() - t;
  t = performance.now();
  normal(g, a);
  const tRandn = performance.now() - t;
  assert.ok(tRand < 500 && tRandn < 1500, `rand ${tRand.toFixed(1)} ms, randn ${tRandn.toFixed(1)} ms`);
});
