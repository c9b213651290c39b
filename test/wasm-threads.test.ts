// The threaded WebAssembly build (native/wasm/flint-mt.wasm): one module instantiated on the
// calling thread and in worker_threads workers on one shared memory (src/backend/wasm/threads.ts,
// native/wasm/threadpool_workers.cc). Its results on 2 threads equal the one-thread build's where
// the work split does not change the summation order, and stay close where it does (the per-task
// partial sums of the weight gradient); the memory grows while the workers hold their stacks
// and scratch in it; and the one-thread build (where SharedArrayBuffer is missing) ignores
// setNumThreads.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { instantiateThreadedNode } from "../src/backend/wasm/load-node.js";
import { makeWasmAddon } from "../src/backend/wasm/kernels.js";
import { instantiateKernelsSync } from "../src/backend/wasm/module.js";
import { assertClose, randArray, rng } from "./native-helpers.js";

const dir = join(import.meta.dirname, "..", "native", "wasm");
const mt = makeWasmAddon(instantiateThreadedNode(readFileSync(join(dir, "flint-mt.wasm"))));
const st = makeWasmAddon(instantiateKernelsSync(readFileSync(join(dir, "flint.wasm"))));
mt.setNumThreads(2);

test("the threaded build on 2 threads matches the one-thread build", () => {
  const r = rng(7);
  const [N, C, H, OC] = [8, 16, 12, 24];
  const x = randArray(N * C * H * H, r),
    w = randArray(OC * C * 25, r),
    b = randArray(OC, r),
    g = randArray(N * OC * H * H, r);
  const geo = [N, C, H, H, OC, 5, 5, 1, 1, 2, 2, 1, 1, 1] as const;
  for (let rep = 0; rep < 3; rep++) {
    const [o1, o2] = [new Float32Array(N * OC * H * H), new Float32Array(N * OC * H * H)];
    st.conv2dForward(x, w, b, o1, ...geo);
    mt.conv2dForward(x, w, b, o2, ...geo);
    assert.deepEqual(o2, o1, "conv2d forward");
    const [i1, i2] = [new Float32Array(x.length), new Float32Array(x.length)];
    st.conv2dBackwardInput(g, w, i1, ...geo);
    mt.conv2dBackwardInput(g, w, i2, ...geo);
    assert.deepEqual(i2, i1, "conv2d backward input");
    const [w1, w2, b1, b2] = [
      new Float32Array(w.length),
      new Float32Array(w.length),
      new Float32Array(OC),
      new Float32Array(OC),
    ];
    st.conv2dBackwardWeight(x, g, w1, b1, ...geo);
    mt.conv2dBackwardWeight(x, g, w2, b2, ...geo);
    assertClose(w2, w1, "conv2d backward weight", { rtol: 1e-4, atol: 1e-4 });
    assert.deepEqual(b2, b1, "bias gradient");
  }
  const [M, K, Nn] = [150, 70, 333];
  const A = randArray(M * K, r),
    B = randArray(K * Nn, r);
  const [c1, c2] = [new Float32Array(M * Nn), new Float32Array(M * Nn)];
  st.sgemm(false, true, M, Nn, K, 1, A, 0, K, B, 0, K, 0, c1, 0, Nn);
  mt.sgemm(false, true, M, Nn, K, 1, A, 0, K, B, 0, K, 0, c2, 0, Nn);
  assert.deepEqual(c2, c1, "sgemm");
  assert.equal(mt.getNumThreads(), 2);
});

test("the shared memory grows under the workers; the one-thread build stays on one thread", () => {
  const n = 24 << 20; // 96 MiB per array: beyond the initial 16 MiB memory
  const r = rng(3);
  const A = randArray(64 * 512, r),
    B = new Float32Array(n).fill(0.5);
  const cols = B.length / 512;
  const C = new Float32Array(64 * cols);
  mt.sgemm(false, false, 64, cols, 512, 1, A, 0, 512, B, 0, cols, 0, C, 0, cols);
  let want = 0;
  for (let p = 0; p < 512; p++) want += A[p] * 0.5;
  assert.ok(Math.abs(C[cols - 1] - want) < 1e-3 * Math.abs(want) + 1e-3);
  st.setNumThreads(4);
  assert.equal(st.getNumThreads(), 1);
});
