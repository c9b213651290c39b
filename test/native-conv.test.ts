// Native conv2d forward/backward vs a direct scalar reference (float64 sums): groups, stride,
// padding, dilation, odd sizes, 1x1 kernels, batch smaller and larger than the thread count.
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
  sH: number;
  sW: number;
  pH: number;
  pW: number;
  dH: number;
  dW: number;
  groups: number;
}

function outSize(g: Geo): [number, number] {
  return [
    Math.floor((g.H + 2 * g.pH - g.dH * (g.KH - 1) - 1) / g.sH) + 1,
    Math.floor((g.W + 2 * g.pW - g.dW * (g.KW - 1) - 1) / g.sW) + 1,
  ];
}

/** Calls visit(n, oc, oh, ow, c, kh, kw, xIndex, wIndex, outIndex) for every valid tap. */
function forEachTap(g: Geo, visit: (xi: number, wi: number, oi: number) => void): void {
  const [OH, OW] = outSize(g);
  const Cg = g.C / g.groups,
    OCg = g.OC / g.groups;
  for (let n = 0; n < g.N; n++)
    for (let oc = 0; oc < g.OC; oc++) {
      const grp = Math.floor(oc / OCg);
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++) {
          const oi = ((n * g.OC + oc) * OH + oh) * OW + ow;
          for (let c = 0; c < Cg; c++)
            for (let kh = 0; kh < g.KH; kh++) {
              const ih = oh * g.sH - g.pH + kh * g.dH;
              if (ih < 0 || ih >= g.H) continue;
              for (let kw = 0; kw < g.KW; kw++) {
                const iw = ow * g.sW - g.pW + kw * g.dW;
                if (iw < 0 || iw >= g.W) continue;
                const xi = ((n * g.C + grp * Cg + c) * g.H + ih) * g.W + iw;
                const wi = ((oc * Cg + c) * g.KH + kh) * g.KW + kw;
                visit(xi, wi, oi);
              }
            }
        }
    }
}

const cases: Geo[] = [
  { N: 3, C: 3, H: 9, W: 7, OC: 5, KH: 3, KW: 3, sH: 1, sW: 1, pH: 1, pW: 1, dH: 1, dW: 1, groups: 1 },
  { N: 1, C: 4, H: 11, W: 13, OC: 6, KH: 3, KW: 2, sH: 2, sW: 3, pH: 0, pW: 2, dH: 1, dW: 1, groups: 2 },
  { N: 5, C: 6, H: 10, W: 9, OC: 3, KH: 3, KW: 3, sH: 2, sW: 1, pH: 2, pW: 1, dH: 2, dW: 3, groups: 3 },
  { N: 2, C: 7, H: 5, W: 6, OC: 17, KH: 1, KW: 1, sH: 1, sW: 1, pH: 0, pW: 0, dH: 1, dW: 1, groups: 1 },
  { N: 4, C: 4, H: 8, W: 8, OC: 4, KH: 5, KW: 5, sH: 1, sW: 1, pH: 2, pW: 2, dH: 1, dW: 1, groups: 4 },
  { N: 2, C: 3, H: 32, W: 32, OC: 32, KH: 5, KW: 5, sH: 1, sW: 1, pH: 2, pW: 2, dH: 1, dW: 1, groups: 1 },
  { N: 3, C: 32, H: 8, W: 8, OC: 64, KH: 5, KW: 5, sH: 1, sW: 1, pH: 2, pW: 2, dH: 1, dW: 1, groups: 1 },
  { N: 2, C: 2, H: 3, W: 4, OC: 3, KH: 3, KW: 4, sH: 1, sW: 1, pH: 0, pW: 0, dH: 1, dW: 1, groups: 1 },
  { N: 2, C: 3, H: 7, W: 7, OC: 2, KH: 1, KW: 1, sH: 2, sW: 2, pH: 1, pW: 0, dH: 1, dW: 1, groups: 1 },
  // depthwise planes of <= 256 positions (AVX-512: one or two permutes per tap and block of 16
  // positions; stride-1 planes of 1, 2, 4 or 16 positions packed several to a vector; the dilated
  // 8x8 needs a wider span and falls back to the row kernel); 8x64 planes split over threads.
  { N: 3, C: 12, H: 1, W: 1, OC: 12, KH: 3, KW: 3, sH: 1, sW: 1, pH: 1, pW: 1, dH: 1, dW: 1, groups: 12 },
  { N: 2, C: 7, H: 1, W: 2, OC: 7, KH: 3, KW: 3, sH: 1, sW: 1, pH: 1, pW: 1, dH: 1, dW: 1, groups: 7 },
  { N: 2, C: 5, H: 4, W: 4, OC: 5, KH: 3, KW: 3, sH: 1, sW: 1, pH: 1, pW: 1, dH: 1, dW: 1, groups: 5 },
  { N: 8, C: 64, H: 2, W: 2, OC: 64, KH: 3, KW: 3, sH: 1, sW: 1, pH: 1, pW: 1, dH: 1, dW: 1, groups: 64 },
  { N: 3, C: 7, H: 4, W: 4, OC: 7, KH: 3, KW: 3, sH: 2, sW: 2, pH: 1, pW: 1, dH: 1, dW: 1, groups: 7 },
  { N: 2, C: 5, H: 8, W: 8, OC: 5, KH: 3, KW: 3, sH: 1, sW: 1, pH: 1, pW: 1, dH: 1, dW: 1, groups: 5 },
  { N: 2, C: 6, H: 7, W: 9, OC: 6, KH: 3, KW: 3, sH: 2, sW: 2, pH: 1, pW: 1, dH: 1, dW: 1, groups: 6 },
  { N: 2, C: 6, H: 7, W: 9, OC: 6, KH: 3, KW: 3, sH: 1, sW: 1, pH: 1, pW: 1, dH: 1, dW: 1, groups: 6 },
  { N: 2, C: 4, H: 5, W: 6, OC: 4, KH: 3, KW: 2, sH: 1, sW: 2, pH: 2, pW: 1, dH: 2, dW: 1, groups: 4 },
  { N: 3, C: 9, H: 8, W: 8, OC: 9, KH: 3, KW: 3, sH: 2, sW: 2, pH: 1, pW: 1, dH: 1, dW: 1, groups: 9 },
  { N: 2, C: 5, H: 16, W: 16, OC: 5, KH: 3, KW: 3, sH: 1, sW: 1, pH: 1, pW: 1, dH: 1, dW: 1, groups: 5 },
  { N: 2, C: 6, H: 16, W: 16, OC: 6, KH: 3, KW: 3, sH: 2, sW: 2, pH: 1, pW: 1, dH: 1, dW: 1, groups: 6 },
  { N: 1, C: 4, H: 12, W: 20, OC: 4, KH: 5, KW: 5, sH: 1, sW: 1, pH: 2, pW: 2, dH: 1, dW: 1, groups: 4 },
  { N: 2, C: 3, H: 8, W: 8, OC: 3, KH: 3, KW: 3, sH: 1, sW: 1, pH: 4, pW: 4, dH: 4, dW: 4, groups: 3 },
];

function name(g: Geo): string {
  return `N${g.N} C${g.C} ${g.H}x${g.W} OC${g.OC} k${g.KH}x${g.KW} s${g.sH},${g.sW} p${g.pH},${g.pW} d${g.dH},${g.dW} g${g.groups}`;
}

function geoArgs(
  g: Geo,
): [number, number, number, number, number, number, number, number, number, number, number, number, number, number] {
  return [g.N, g.C, g.H, g.W, g.OC, g.KH, g.KW, g.sH, g.sW, g.pH, g.pW, g.dH, g.dW, g.groups];
}

function isas(): ("avx512" | "avx2" | "scalar")[] {
  if (addon === null) return [];
  const original = addon.getIsa() as "avx512";
  const list = (["avx512", "avx2", "scalar"] as const).filter((n) => addon.setIsa(n));
  addon.setIsa(original);
  return list;
}

describe("native conv2d", { skip }, () => {
  const a = addon!;
  const original = addon?.getIsa() as "avx512";
  const configs = [...isas().map((isa) => ({ isa, threads: 1 })), { isa: original, threads: 2 }];
  for (const { isa, threads } of configs) {
    for (const [ci, g] of cases.entries()) {
      it(`${name(g)}, ${isa}, ${threads} thread(s)`, () => {
        a.setNumThreads(threads);
        a.setIsa(isa);
        try {
          const rand = rng(100 + ci);
          const [OH, OW] = outSize(g);
          const x = randArray(g.N * g.C * g.H * g.W, rand);
          const w = randArray(g.OC * (g.C / g.groups) * g.KH * g.KW, rand);
          const bias = randArray(g.OC, rand);
          const go = randArray(g.N * g.OC * OH * OW, rand);
          const wantOut = new Float64Array(go.length),
            magOut = new Float64Array(go.length);
          const wantGi = new Float64Array(x.length),
            magGi = new Float64Array(x.length);
          const wantGw = new Float64Array(w.length),
            magGw = new Float64Array(w.length);
          forEachTap(g, (xi, wi, oi) => {
            wantOut[oi] += x[xi] * w[wi];
            magOut[oi] += Math.abs(x[xi] * w[wi]);
            wantGi[xi] += go[oi] * w[wi];
            magGi[xi] += Math.abs(go[oi] * w[wi]);
            wantGw[wi] += go[oi] * x[xi];
            magGw[wi] += Math.abs(go[oi] * x[xi]);
          });
          const P = OH * OW;
          for (let i = 0; i < wantOut.length; i++) {
            const oc = Math.floor(i / P) % g.OC;
            wantOut[i] += bias[oc];
            magOut[i] += Math.abs(bias[oc]);
          }
          const wantGb = new Float64Array(g.OC),
            magGb = new Float64Array(g.OC);
          for (let i = 0; i < go.length; i++) {
            const oc = Math.floor(i / P) % g.OC;
            wantGb[oc] += go[i];
            magGb[oc] += Math.abs(go[i]);
          }
          const out = new Float32Array(go.length).fill(Number.NaN);
          a.conv2dForward(x, w, bias, out, ...geoArgs(g));
          assertClose(out, wantOut, "forward", { mag: magOut });
          a.conv2dForward(x, w, null, out, ...geoArgs(g));
          const noBias = wantOut.map((v, i) => v - bias[Math.floor(i / P) % g.OC]);
          assertClose(out, noBias, "forward without bias", { mag: magOut });
          const gi = new Float32Array(x.length).fill(Number.NaN);
          a.conv2dBackwardInput(go, w, gi, ...geoArgs(g));
          assertClose(gi, wantGi, "backward input", { mag: magGi });
          const gw = new Float32Array(w.length).fill(Number.NaN);
          const gb = new Float32Array(g.OC).fill(Number.NaN);
          a.conv2dBackwardWeight(x, go, gw, gb, ...geoArgs(g));
          assertClose(gw, wantGw, "backward weight", { mag: magGw });
          assertClose(gb, wantGb, "backward bias", { mag: magGb });
          a.conv2dBackwardWeight(x, go, gw, null, ...geoArgs(g));
          assertClose(gw, wantGw, "backward weight (no bias)", { mag: magGw });
        } finally {
          a.setNumThreads(2);
          a.setIsa(original);
        }
      });
    }
  }
});
