// Broadcast and strided elementwise math on the native backend (binaryStrided in native/elementwise.cc,
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
  const x = a.contiguous().typedArray(),
    y = b.contiguous().typedArray();
  for (let i = 0; i < x.length; i++)
    if (!Object.is(x[i], y[i])) assert.fail(`${what}: element ${i}: ${x[i]} vs ${y[i]}`);
};

// [a shape, b shape, how a is laid out]
const cases: [number[], number[], "plain" | "transposed" | "sliced" | "expanded"][] = [
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
  [[16, 32, 40], [1], "expanded"], // a repeated along its last dim (a mean's gradient), b a scalar
  [[16, 32, 40], [40], "expanded"],
];

describe("native broadcast elementwise equals the reference backend", { skip }, () => {
  torch.manualSeed(0);
  for (const [as, bs, layout] of cases) {
    const make = (): [torch.Tensor, torch.Tensor] => {
      let a: torch.Tensor;
      if (layout === "transposed") a = torch.randn([...as].reverse()).t();
      else if (layout === "sliced") a = torch.randn([as[0], as[1] + 7]).narrow(1, 3, as[1]);
      else if (layout === "expanded") a = torch.randn([...as.slice(0, -1), 1]).expand(as);
      else a = torch.randn(as);
      return [a, torch.randn(bs)];
    };
    const [a, b] = make();
    for (const op of ["add", "sub", "mul", "div", "maximum", "minimum"] as const) {
      it(`${op} [${as}] (${layout}) with [${bs}], both orders`, () => {
        const f = (x: torch.Tensor, y: torch.Tensor) =>
          (torch as unknown as Record<string, (p: torch.Tensor, q: torch.Tensor) => torch.Tensor>)[op](x, y);
        same(
          onBackend("native", () => f(a, b)),
          onBackend("ref", () => f(a, b)),
          `${op}(a, b)`,
        );
        same(
          onBackend("native", () => f(b, a)),
          onBackend("ref", () => f(b, a)),
          `${op}(b, a)`,
        );
      });
    }
  }
  it("unary ops on strided float32 views", () => {
    const big = torch.randn([37, 200]);
    for (const v of [big.narrow(1, 50, 64), big.t(), big.index("::2", "1::3")]) {
      for (const op of ["sigmoid", "exp", "neg", "relu", "abs"] as const) {
        const f = (x: torch.Tensor) => (x as unknown as Record<string, () => torch.Tensor>)[op]();
        const n = onBackend("native", () => f(v)),
          r = onBackend("ref", () => f(v));
        if (op === "sigmoid" || op === "exp") {
          const x = n.typedArray(),
            y = r.typedArray();
          for (let i = 0; i < x.length; i++)
            assert.ok(Math.abs(x[i] - y[i]) <= 2e-7 * Math.abs(y[i]) + 1e-30, `${op} ${i}`);
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

describe("native copyStrided", { skip }, () => {
  const addon = nativeAddon()!;
  const ref = (
    src: Float32Array,
    so: number,
    ss: number[],
    dst: Float32Array,
    dof: number,
    ds: number[],
    shape: number[],
  ): void => {
    const n = shape.reduce((a, b) => a * b, 1);
    for (let i = 0; i < n; i++) {
      let r = i,
        s = so,
        d = dof;
      for (let k = shape.length - 1; k >= 0; k--) {
        const idx = r % shape[k];
        r = Math.floor(r / shape[k]);
        s += idx * ss[k];
        d += idx * ds[k];
      }
      dst[d] = src[s];
    }
  };
  const contiguous = (shape: number[]): number[] => shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const cases: {
    name: string;
    shape: number[];
    src: (sh: number[]) => { strides: number[]; off: number; len: number };
    dst?: (sh: number[]) => { strides: number[]; off: number; len: number };
  }[] = [
    { name: "2-D transpose", shape: [37, 53], src: ([r, c]) => ({ strides: [1, r], off: 0, len: r * c }) },
    {
      name: "3-D permute (2, 0, 1)",
      shape: [5, 17, 33],
      src: ([a, b, c]) => ({ strides: [b, 1, a * b], off: 0, len: a * b * c }),
    }, // a [c, a, b] array viewed as [a, b, c]
    {
      name: "row slice with offset",
      shape: [20, 30],
      src: () => ({ strides: [45, 1], off: 7, len: 7 + 19 * 45 + 30 }),
    },
    { name: "broadcast rows (stride 0)", shape: [16, 40], src: () => ({ strides: [0, 1], off: 3, len: 43 }) },
    {
      name: "every other element",
      shape: [9, 11],
      src: () => ({ strides: [22 * 2, 2], off: 1, len: 1 + 8 * 44 + 21 }),
    },
    {
      name: "into a strided destination",
      shape: [16, 128],
      src: ([r, c]) => ({ strides: [c, 1], off: 0, len: r * c }),
      dst: ([r]) => ({ strides: [512, 1], off: 128, len: 128 + (r - 1) * 512 + 128 }),
    },
    {
      name: "transposed into strided",
      shape: [24, 19],
      src: ([r, c]) => ({ strides: [1, r], off: 0, len: r * c }),
      dst: ([, c]) => ({ strides: [c + 5, 1], off: 2, len: 2 + 23 * (c + 5) + c }),
    },
    { name: "scalar", shape: [], src: () => ({ strides: [], off: 4, len: 5 }) },
    { name: "big (threaded) transpose", shape: [300, 700], src: ([r, c]) => ({ strides: [1, r], off: 0, len: r * c }) },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const s = c.src(c.shape);
      const d = c.dst
        ? c.dst(c.shape)
        : { strides: contiguous(c.shape), off: 0, len: c.shape.reduce((a, b) => a * b, 1) };
      const src = Float32Array.from({ length: s.len }, (_, i) => i * 0.5 - 3);
      const want = new Float32Array(d.len).fill(-7),
        got = new Float32Array(d.len).fill(-7);
      ref(src, s.off, s.strides, want, d.off, d.strides, c.shape);
      addon.copyStrided(src, s.off, s.strides, got, d.off, d.strides, c.shape);
      assert.deepEqual(got, want);
    });
  }
  it("refuses strides that reach past either array", () => {
    const a = new Float32Array(10),
      b = new Float32Array(10);
    assert.throws(() => addon.copyStrided(a, 0, [5, 1], b, 0, [2, 1], [3, 2]), /copyStrided/);
    assert.throws(() => addon.copyStrided(a, 0, [2, 1], b, 5, [2, 1], [3, 2]), /copyStrided/);
    assert.throws(() => addon.copyStrided(a, 0, [1], b, 0, [1, 1], [3]), /same length/);
  });
});
