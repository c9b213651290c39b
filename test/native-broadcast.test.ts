// Broadcast and strided elementwise math on the native backend (src/backend/native/blocked.ts,
// the strided unary path and the reference backend's row-block copy) against the reference
// backend, bit for bit: the same IEEE operations on the same elements in any order.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as torch from "../src/index.js";
import { nativeAddon } from "../src/backend/native/addon.js";

const skip = nativeAddon() === null ? "native addon not built (run `npm install`)" : false;

function onBackend<T>(name: "native" | "ref", f: () => T): T {
  const before = torch.backendName();
  torch.setBackend(name);
  try {
    return f();
  } finally {
    torch.setBackend(before as "native" | "ref");
  }
}

const same = (a: torch.Tensor, b: torch.Tensor, what: string): void => {
  assert.deepEqual(a.shape, b.shape, what);
  const x = a.contiguous().typedArray(), y = b.contiguous().typedArray();
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) assert.fail(`${what}: element ${i}: ${x[i]} vs ${y[i]}`);
};

// [a shape, b shape, how a is laid out]
const cases: [number[], number[], "plain" | "transposed" | "sliced"][] = [
  [[64, 1024], [1024], "plain"], // bias on every row
  [[64, 1024], [64, 1], "plain"], // per-row scale
  [[1, 1024], [64, 1024], "plain"], // a repeated, b dense
  [[64, 1], [64, 1024], "plain"],
  [[8, 3, 40], [3, 40], "plain"], // two outer levels
  [[8, 3, 40], [8, 1, 40], "plain"],
  [[8, 3, 40], [8, 3, 1], "plain"],
  [[4, 1, 6, 40], [5, 1, 40], "plain"], // size-1 dims inside and outside the block
  [[40, 64], [64], "transposed"], // a strided: falls back
  [[16, 100], [100], "sliced"], // a row slice: dense rows at a stride
  [[3, 10], [10], "plain"], // block below the threshold: falls back
  [[0, 64], [64], "plain"], // empty
];

describe("native broadcast elementwise equals the reference backend", { skip }, () => {
  torch.manualSeed(0);
  for (const [as, bs, layout] of cases) {
    const make = (): [torch.Tensor, torch.Tensor] => {
      let a: torch.Tensor;
      if (layout === "transposed") a = torch.randn([...as].reverse()).t();
      else if (layout === "sliced") a = torch.randn([as[0], as[1] + 7]).narrow(1, 3, as[1]);
      else a = torch.randn(as);
      return [a, torch.randn(bs)];
    };
    const [a, b] = make();
    for (const op of ["add", "sub", "mul", "div", "maximum", "minimum"] as const) {
      it(`${op} [${as}] (${layout}) with [${bs}], both orders`, () => {
        const f = (x: torch.Tensor, y: torch.Tensor) => (torch as unknown as Record<string, (p: torch.Tensor, q: torch.Tensor) => torch.Tensor>)[op](x, y);
        same(onBackend("native", () => f(a, b)), onBackend("ref", () => f(a, b)), `${op}(a, b)`);
        same(onBackend("native", () => f(b, a)), onBackend("ref", () => f(b, a)), `${op}(b, a)`);
      });
    }
  }
  it("unary ops on strided float32 views", () => {
    const big = torch.randn([37, 200]);
    for (const v of [big.narrow(1, 50, 64), big.t(), big.index("::2", "1::3")]) {
      for (const op of ["sigmoid", "exp", "neg", "relu", "abs"] as const) {
        const f = (x: torch.Tensor) => (x as unknown as Record<string, () => torch.Tensor>)[op]();
        const n = onBackend("native", () => f(v)), r = onBackend("ref", () => f(v));
        if (op === "sigmoid" || op === "exp") {
          const x = n.typedArray(), y = r.typedArray();
          for (let i = 0; i < x.length; i++) assert.ok(Math.abs(x[i] - y[i]) <= 2e-7 * Math.abs(y[i]) + 1e-30, `${op} ${i}`);
        } else same(n, r, op);
      }
    }
  });
  it("strided copies (row blocks) keep values and dtypes", () => {
    const x = torch.arange(0, 600, { dtype: "float64" }).reshape(2, 3, 100);
    const v = x.narrow(2, 10, 40).contiguous();
    assert.equal(v.dtype, "float64");
    const got = Array.from(v.typedArray());
    const want = [0, 1, 2, 3, 4, 5].flatMap((r) => Array.from({ length: 40 }, (_, c) => r * 100 + 10 + c));
    assert.deepEqual(got, want);
  });
});
