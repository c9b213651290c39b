// The reference (TypeScript) backend against naive loop versions of the same kernels, to show
// what its contiguous fast paths, tiled GEMM and im2col convolution buy where no addon builds.
// Usage: node --import tsx bench/ref-vs-naive.ts
import * as torch from "../src/index.js";
import { refBackend } from "../src/backend/ref/index.js";

torch.setBackend("ref");
torch.manualSeed(0);

function time(fn: () => void, reps = 3): number {
  fn();
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const s = performance.now();
    fn();
    t.push(performance.now() - s);
  }
  return t.sort((a, b) => a - b)[Math.floor(t.length / 2)];
}

// matmul: textbook i-j-k triple loop over float32 arrays.
function naiveMatmul(a: Float32Array, b: Float32Array, M: number, K: number, N: number): Float32Array {
  const out = new Float32Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += a[i * K + k] * b[k * N + j];
      out[i * N + j] = s;
    }
  return out;
}

// conv2d: the seven nested loops of the definition, with a bounds check for padding.
function naiveConv(
  x: Float32Array,
  w: Float32Array,
  N: number,
  C: number,
  H: number,
  W: number,
  O: number,
  k: number,
  pad: number,
): Float32Array {
  const out = new Float32Array(N * O * H * W);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++)
      for (let oy = 0; oy < H; oy++)
        for (let ox = 0; ox < W; ox++) {
          let s = 0;
          for (let c = 0; c < C; c++)
            for (let ky = 0; ky < k; ky++)
              for (let kx = 0; kx < k; kx++) {
                const iy = oy + ky - pad,
                  ix = ox + kx - pad;
                if (iy >= 0 && iy < H && ix >= 0 && ix < W)
                  s += x[((n * C + c) * H + iy) * W + ix] * w[((o * C + c) * k + ky) * k + kx];
              }
          out[((n * O + o) * H + oy) * W + ox] = s;
        }
  return out;
}

const rows: [string, number, number][] = [];
{
  const M = 256,
    K = 256,
    N = 256;
  const a = torch.rand(M, K),
    b = torch.rand(K, N);
  const naive = time(() => void naiveMatmul(a.storage.data as Float32Array, b.storage.data as Float32Array, M, K, N));
  const ref = time(() => void refBackend.matmul(a, b, "float32"));
  rows.push([`matmul ${M}x${K}x${N}`, naive, ref]);
}
{
  const [N, C, H, W, O, k] = [8, 32, 16, 16, 32, 5];
  const x = torch.rand(N, C, H, W),
    w = torch.rand(O, C, k, k);
  const p = {
    stride: [1, 1] as [number, number],
    padding: [2, 2] as [number, number],
    dilation: [1, 1] as [number, number],
    groups: 1,
  };
  const naive = time(
    () => void naiveConv(x.storage.data as Float32Array, w.storage.data as Float32Array, N, C, H, W, O, k, 2),
  );
  const conv = refBackend.conv2d as NonNullable<typeof refBackend.conv2d>;
  const ref = time(() => void conv.call(refBackend, x, w, null, p, [N, O, H, W]));
  rows.push([`conv2d ${N}x${C}x${H}x${W} -> ${O}, 5x5`, naive, ref]);
}
console.log("kernel                          naive ms     ref ms   speed-up");
for (const [name, naive, ref] of rows) {
  console.log(
    `${name.padEnd(30)} ${naive.toFixed(1).padStart(9)} ${ref.toFixed(1).padStart(10)} ${(naive / ref).toFixed(1).padStart(9)}x`,
  );
}
