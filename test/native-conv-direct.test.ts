// The implicit-GEMM conv2d path (stride 1, dilation 1, groups 1, AVX-512; see
// native/conv_direct.h) against a float64 direct reference: output widths that are not a
// multiple of the 8-position tile, channel counts that are not a multiple of the 32-channel
// panel, asymmetric and zero padding, padding wider than the kernel (input-gradient fallback),
// batches smaller than, equal to and not divisible by the thread count, on every ISA (AVX2 and
// scalar take the im2col + GEMM path, so both paths are checked against the same reference).
// Also the 3x3 path (native/conv3x3.h: 16-channel panels, multi-row blocks, stride 2, blocks of
// images on planes of at most 4x4), the strided few-channel forward (native/conv_strided.h) and
// tiny planes as one dense matrix (native/conv_dense.h).
import { describe, it } from "node:test";

import { nativeAddon } from "../src/backend/native/addon.js";
import { assertClose, randArray, rng } from "./native-helpers.js";

const addon = nativeAddon();
const skip = addon === null ? "native addon not built (run `npm install`)" : false;

interface Geo {
  N: number;
  C: number;
  H: number;
  W: number;
  OC: number;
  KH: number;
  KW: number;
  pH: number;
  pW: number;
  s?: number; // stride (both axes), 1 unless given
}

const cases: Geo[] = [
  { N: 3, C: 16, H: 8, W: 8, OC: 16, KH: 5, KW: 5, pH: 2, pW: 2 },
  { N: 2, C: 17, H: 7, W: 13, OC: 33, KH: 3, KW: 3, pH: 1, pW: 1 },
  { N: 5, C: 20, H: 6, W: 5, OC: 70, KH: 5, KW: 3, pH: 2, pW: 0 },
  { N: 1, C: 32, H: 9, W: 11, OC: 40, KH: 2, KW: 4, pH: 0, pW: 3 },
  { N: 4, C: 24, H: 4, W: 4, OC: 20, KH: 3, KW: 3, pH: 3, pW: 2 },
  { N: 3, C: 3, H: 19, W: 21, OC: 32, KH: 5, KW: 5, pH: 2, pW: 2 },
  { N: 2, C: 5, H: 10, W: 12, OC: 7, KH: 1, KW: 3, pH: 0, pW: 1 },
  { N: 2, C: 32, H: 16, W: 16, OC: 32, KH: 5, KW: 5, pH: 2, pW: 2 },
  { N: 3, C: 16, H: 3, W: 17, OC: 64, KH: 3, KW: 7, pH: 1, pW: 3 },
  { N: 1, C: 16, H: 48, W: 40, OC: 32, KH: 3, KW: 3, pH: 1, pW: 1 }, // big enough to split its rows across threads
  // 3x3 path (native/conv3x3.h): 16-channel panels, blocks of several rows on narrow planes.
  { N: 3, C: 16, H: 32, W: 32, OC: 16, KH: 3, KW: 3, pH: 1, pW: 1 },
  { N: 2, C: 16, H: 8, W: 8, OC: 48, KH: 3, KW: 3, pH: 1, pW: 1 },
  { N: 3, C: 32, H: 4, W: 4, OC: 32, KH: 3, KW: 3, pH: 1, pW: 1 },
  { N: 2, C: 32, H: 7, W: 3, OC: 64, KH: 3, KW: 3, pH: 1, pW: 1 },
  { N: 2, C: 16, H: 9, W: 2, OC: 16, KH: 3, KW: 3, pH: 1, pW: 1 },
  { N: 3, C: 24, H: 6, W: 4, OC: 32, KH: 3, KW: 3, pH: 0, pW: 2 },
  { N: 1, C: 48, H: 5, W: 19, OC: 24, KH: 3, KW: 3, pH: 2, pW: 0 },
  { N: 2, C: 3, H: 11, W: 9, OC: 16, KH: 3, KW: 3, pH: 1, pW: 1 },
  // row-vector blocks (stride 1, rows of a multiple of 16 outputs, channels a multiple of 8): 32- and
  // 16-channel panels, channel groups of 8 in a half-filled panel, 1-, 2- and 3-row blocks, no padding.
  { N: 2, C: 32, H: 5, W: 16, OC: 32, KH: 3, KW: 3, pH: 1, pW: 1 },
  { N: 3, C: 8, H: 7, W: 48, OC: 24, KH: 3, KW: 3, pH: 1, pW: 1 },
  { N: 2, C: 40, H: 4, W: 18, OC: 16, KH: 3, KW: 3, pH: 0, pW: 0 },
  { N: 2, C: 24, H: 10, W: 16, OC: 40, KH: 3, KW: 3, pH: 1, pW: 1 },
  // stride 2 (3x3 path for the forward and the weight gradient)
  { N: 3, C: 16, H: 32, W: 32, OC: 32, KH: 3, KW: 3, pH: 1, pW: 1, s: 2 },
  { N: 2, C: 32, H: 9, W: 7, OC: 16, KH: 3, KW: 3, pH: 1, pW: 1, s: 2 },
  { N: 3, C: 24, H: 8, W: 8, OC: 40, KH: 3, KW: 3, pH: 1, pW: 1, s: 2 },
  { N: 2, C: 17, H: 10, W: 5, OC: 64, KH: 3, KW: 3, pH: 0, pW: 2, s: 2 },
  // stride-2 input gradient by row and column parity (conv3x3S2BackwardImageAvx512): both column
  // parities of pW, odd heights and widths, blocks of 16 columns with tails, channel tails.
  { N: 3, C: 32, H: 16, W: 16, OC: 64, KH: 3, KW: 3, pH: 1, pW: 1, s: 2 },
  { N: 2, C: 16, H: 13, W: 19, OC: 24, KH: 3, KW: 3, pH: 0, pW: 0, s: 2 },
  { N: 1, C: 48, H: 11, W: 12, OC: 16, KH: 3, KW: 3, pH: 2, pW: 1, s: 2 },
  { N: 4, C: 20, H: 8, W: 8, OC: 32, KH: 3, KW: 3, pH: 1, pW: 2, s: 2 },
  { N: 2, C: 16, H: 6, W: 33, OC: 16, KH: 3, KW: 3, pH: 1, pW: 1, s: 2 },
  // planes of at most 4x4 outputs, blocks of 8 or 16 images (conv3x3SmallAvx512): batches that
  // are not a multiple of the block, 32- and 16-channel panels with channel tails; stride 2 (the
  // plane kernel) on the same sizes.
  { N: 37, C: 32, H: 4, W: 4, OC: 64, KH: 3, KW: 3, pH: 1, pW: 1 },
  { N: 19, C: 16, H: 4, W: 3, OC: 20, KH: 3, KW: 3, pH: 1, pW: 1 },
  { N: 16, C: 24, H: 4, W: 4, OC: 32, KH: 3, KW: 3, pH: 0, pW: 1 },
  { N: 18, C: 16, H: 8, W: 8, OC: 32, KH: 3, KW: 3, pH: 1, pW: 1, s: 2 },
  { N: 17, C: 32, H: 7, W: 5, OC: 16, KH: 3, KW: 3, pH: 1, pW: 1, s: 2 },
  // strided few-channel forward (native/conv_strided.h, the ImageNet stem's 3 -> 64 7x7 stride 2):
  // output widths that are not a multiple of its 8-position blocks, channel tails, strides 2-4.
  { N: 3, C: 3, H: 19, W: 21, OC: 40, KH: 7, KW: 7, pH: 3, pW: 3, s: 2 },
  { N: 1, C: 4, H: 12, W: 9, OC: 16, KH: 5, KW: 5, pH: 0, pW: 2, s: 3 },
  { N: 2, C: 1, H: 30, W: 33, OC: 64, KH: 7, KW: 3, pH: 3, pW: 1, s: 4 },
  // tiny planes as one dense matrix (native/conv_dense.h)
  { N: 5, C: 20, H: 2, W: 2, OC: 24, KH: 3, KW: 3, pH: 1, pW: 1 },
  { N: 3, C: 8, H: 1, W: 3, OC: 5, KH: 3, KW: 3, pH: 1, pW: 1 },
  { N: 4, C: 6, H: 2, W: 2, OC: 7, KH: 2, KW: 2, pH: 0, pW: 0 },
];

function outSize(g: Geo): number {
  const st = g.s ?? 1;
  return g.N * g.OC * (Math.floor((g.H + 2 * g.pH - g.KH) / st) + 1) * (Math.floor((g.W + 2 * g.pW - g.KW) / st) + 1);
}

function reference(g: Geo, x: Float32Array, w: Float32Array, bias: Float32Array, go: Float32Array) {
  const st = g.s ?? 1;
  const OH = Math.floor((g.H + 2 * g.pH - g.KH) / st) + 1,
    OW = Math.floor((g.W + 2 * g.pW - g.KW) / st) + 1;
  const out = new Float64Array(g.N * g.OC * OH * OW),
    mOut = new Float64Array(out.length);
  const gi = new Float64Array(x.length),
    mGi = new Float64Array(x.length);
  const gw = new Float64Array(w.length),
    mGw = new Float64Array(w.length);
  const gb = new Float64Array(g.OC),
    mGb = new Float64Array(g.OC);
  for (let n = 0; n < g.N; n++)
    for (let oc = 0; oc < g.OC; oc++)
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++) {
          const oi = ((n * g.OC + oc) * OH + oh) * OW + ow;
          out[oi] += bias[oc];
          mOut[oi] += Math.abs(bias[oc]);
          gb[oc] += go[oi];
          mGb[oc] += Math.abs(go[oi]);
          for (let c = 0; c < g.C; c++)
            for (let kh = 0; kh < g.KH; kh++) {
              const ih = oh * st - g.pH + kh;
              if (ih < 0 || ih >= g.H) continue;
              for (let kw = 0; kw < g.KW; kw++) {
                const iw = ow * st - g.pW + kw;
                if (iw < 0 || iw >= g.W) continue;
                const xi = ((n * g.C + c) * g.H + ih) * g.W + iw,
                  wi = ((oc * g.C + c) * g.KH + kh) * g.KW + kw;
                out[oi] += x[xi] * w[wi];
                mOut[oi] += Math.abs(x[xi] * w[wi]);
                gi[xi] += go[oi] * w[wi];
                mGi[xi] += Math.abs(go[oi] * w[wi]);
                gw[wi] += go[oi] * x[xi];
                mGw[wi] += Math.abs(go[oi] * x[xi]);
              }
            }
        }
  return { OH, OW, out, mOut, gi, mGi, gw, mGw, gb, mGb };
}

describe("native conv2d, implicit-GEMM path", { skip }, () => {
  const a = addon!;
  const original = (addon?.getIsa() ?? "scalar") as "avx512" | "avx2" | "scalar";
  const isas = (["avx512", "avx2", "scalar"] as const).filter((n) => addon !== null && addon.setIsa(n));
  addon?.setIsa(original);
  for (const isa of isas)
    for (const threads of [1, 2, 5])
      // 5: fewer images than threads, so rows are split too
      for (const [ci, g] of cases.entries()) {
        const label = `N${g.N} C${g.C} ${g.H}x${g.W} OC${g.OC} k${g.KH}x${g.KW} p${g.pH},${g.pW}${g.s ? ` s${g.s}` : ""}, ${isa}, ${threads} thread(s)`;
        it(label, () => {
          a.setIsa(isa);
          a.setNumThreads(threads);
          try {
            const rand = rng(700 + ci);
            const x = randArray(g.N * g.C * g.H * g.W, rand),
              w = randArray(g.OC * g.C * g.KH * g.KW, rand);
            const bias = randArray(g.OC, rand);
            const go = randArray(outSize(g), rand);
            const r = reference(g, x, w, bias, go);
            const st = g.s ?? 1;
            const geo = [g.N, g.C, g.H, g.W, g.OC, g.KH, g.KW, st, st, g.pH, g.pW, 1, 1, 1] as const;
            const out = new Float32Array(r.out.length).fill(Number.NaN);
            a.conv2dForward(x, w, bias, out, ...geo);
            assertClose(out, r.out, "forward", { mag: r.mOut });
            const gi = new Float32Array(x.length).fill(Number.NaN);
            a.conv2dBackwardInput(go, w, gi, ...geo);
            assertClose(gi, r.gi, "backward input", { mag: r.mGi });
            const gw = new Float32Array(w.length).fill(Number.NaN),
              gb = new Float32Array(g.OC).fill(Number.NaN);
            a.conv2dBackwardWeight(x, go, gw, gb, ...geo);
            assertClose(gw, r.gw, "backward weight", { mag: r.mGw });
            assertClose(gb, r.gb, "backward bias", { mag: r.mGb });
            // Repeat: per-thread scratch is reused and must not leak between calls.
            a.conv2dBackwardWeight(x, go, gw, null, ...geo);
            assertClose(gw, r.gw, "backward weight (second call)", { mag: r.mGw });
          } finally {
            a.setIsa(original);
            a.setNumThreads(2);
          }
        });
      }
});
