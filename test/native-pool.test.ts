// Native max/avg pooling vs scalar references written from PyTorch's definitions (window
// clipping, dilation, padding, ceil-mode output sizes, count_include_pad, divisor_override).
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { nativeAddon } from "../src/backend/native/addon.js";
import { assertClose, randArray, rng } from "./native-helpers.js";

const addon = nativeAddon();
const skip = addon === null ? "native addon not built (run `npm install`)" : false;

interface P {
  N: number;
  C: number;
  H: number;
  W: number;
  KH: number;
  KW: number;
  sH: number;
  sW: number;
  pH: number;
  pW: number;
  dH: number;
  dW: number;
  ceil: boolean;
}

function outDim(L: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  const num = L + 2 * p - d * (k - 1) - 1;
  let o = (ceil ? Math.ceil(num / s) : Math.floor(num / s)) + 1;
  if (ceil && (o - 1) * s >= L + p) o--; // PyTorch: the last window must start inside the input or left padding
  return o;
}

const cases: P[] = [
  { N: 2, C: 3, H: 8, W: 8, KH: 2, KW: 2, sH: 2, sW: 2, pH: 0, pW: 0, dH: 1, dW: 1, ceil: false },
  { N: 1, C: 2, H: 7, W: 9, KH: 3, KW: 2, sH: 2, sW: 1, pH: 1, pW: 1, dH: 1, dW: 1, ceil: true },
  { N: 3, C: 1, H: 11, W: 10, KH: 3, KW: 3, sH: 2, sW: 3, pH: 1, pW: 0, dH: 2, dW: 1, ceil: false },
  { N: 1, C: 5, H: 5, W: 5, KH: 5, KW: 5, sH: 1, sW: 1, pH: 2, pW: 2, dH: 1, dW: 1, ceil: false },
  { N: 64, C: 32, H: 32, W: 32, KH: 2, KW: 2, sH: 2, sW: 2, pH: 0, pW: 0, dH: 1, dW: 1, ceil: false },
  // ResNet's stem pool (padded: border columns one by one, the rest row segment by segment).
  { N: 2, C: 3, H: 12, W: 13, KH: 3, KW: 3, sH: 2, sW: 2, pH: 1, pW: 1, dH: 1, dW: 1, ceil: false },
  { N: 1, C: 2, H: 9, W: 17, KH: 3, KW: 2, sH: 1, sW: 2, pH: 1, pW: 1, dH: 1, dW: 2, ceil: true },
];

describe("native pooling", { skip }, () => {
  const a = addon!;
  for (const [ci, p] of cases.entries()) {
    const OH = outDim(p.H, p.KH, p.sH, p.pH, p.dH, p.ceil),
      OW = outDim(p.W, p.KW, p.sW, p.pW, p.dW, p.ceil);
    const geo = [p.N, p.C, p.H, p.W, p.KH, p.KW, p.sH, p.sW, p.pH, p.pW, p.dH, p.dW, OH, OW] as const;
    it(`maxPool2d ${JSON.stringify(p)}`, () => {
      const rand = rng(300 + ci);
      const x = randArray(p.N * p.C * p.H * p.W, rand);
      if (ci <= 1 || ci >= 5) x[5] = Number.NaN; // NaN wins its windows
      if (ci >= 5) x[40] = Number.NaN;
      if (ci === 0) x[4] = Number.NaN; // two NaNs in one window: the last one gives the index
      const planes = p.N * p.C,
        HW = p.H * p.W,
        P2 = OH * OW;
      const wantOut = new Float32Array(planes * P2),
        wantIdx = new Float64Array(planes * P2);
      for (let pl = 0; pl < planes; pl++)
        for (let oh = 0; oh < OH; oh++)
          for (let ow = 0; ow < OW; ow++) {
            let best = -Infinity,
              bi = -1;
            for (let kh = 0; kh < p.KH; kh++)
              for (let kw = 0; kw < p.KW; kw++) {
                const ih = oh * p.sH - p.pH + kh * p.dH,
                  iw = ow * p.sW - p.pW + kw * p.dW;
                if (ih < 0 || ih >= p.H || iw < 0 || iw >= p.W) continue;
                const v = x[pl * HW + ih * p.W + iw];
                if (bi < 0 || v > best || Number.isNaN(v)) {
                  best = v;
                  bi = ih * p.W + iw;
                }
              }
            wantOut[pl * P2 + oh * OW + ow] = best;
            wantIdx[pl * P2 + oh * OW + ow] = bi;
          }
      const out = new Float32Array(planes * P2),
        idx = new Float64Array(planes * P2),
        idx32 = new Int32Array(planes * P2);
      a.maxPool2dForward(x, out, idx, ...geo);
      assert.deepEqual(out, wantOut);
      assert.deepEqual(idx, wantIdx);
      a.maxPool2dForward(x, out, idx32, ...geo);
      assert.deepEqual(Float64Array.from(idx32), wantIdx);
      const values = new Float32Array(planes * P2).fill(7);
      a.maxPool2dForward(x, values, null, ...geo); // inference: the values only
      assert.deepEqual(values, wantOut);
      const go = randArray(planes * P2, rand);
      const wantGi = new Float64Array(planes * HW);
      for (let i = 0; i < go.length; i++) wantGi[Math.floor(i / P2) * HW + wantIdx[i]] += go[i];
      const gi = new Float32Array(planes * HW).fill(7);
      a.maxPool2dBackward(go, idx, gi, ...geo);
      assertClose(gi, wantGi, "maxPool2dBackward");
      gi.fill(7);
      a.maxPool2dBackward(go, idx32, gi, ...geo);
      assertClose(gi, wantGi, "maxPool2dBackward int32");
    });
    if (p.dH !== 1 || p.dW !== 1) continue;
    for (const [countIncludePad, divisor] of [
      [true, null],
      [false, null],
      [true, 3],
    ] as const) {
      it(`avgPool2d countIncludePad=${countIncludePad} divisor=${divisor} ${JSON.stringify(p)}`, () => {
        const rand = rng(400 + ci);
        const x = randArray(p.N * p.C * p.H * p.W, rand);
        const planes = p.N * p.C,
          HW = p.H * p.W,
          P2 = OH * OW;
        const want = new Float64Array(planes * P2),
          go = randArray(planes * P2, rand);
        const wantGi = new Float64Array(planes * HW);
        for (let pl = 0; pl < planes; pl++)
          for (let oh = 0; oh < OH; oh++)
            for (let ow = 0; ow < OW; ow++) {
              let h0 = oh * p.sH - p.pH,
                w0 = ow * p.sW - p.pW;
              let h1 = Math.min(h0 + p.KH, p.H + p.pH),
                w1 = Math.min(w0 + p.KW, p.W + p.pW);
              const poolSize = (h1 - h0) * (w1 - w0);
              h0 = Math.max(h0, 0);
              w0 = Math.max(w0, 0);
              h1 = Math.min(h1, p.H);
              w1 = Math.min(w1, p.W);
              const div = divisor ?? (countIncludePad ? poolSize : (h1 - h0) * (w1 - w0));
              let s = 0;
              for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) s += x[pl * HW + ih * p.W + iw];
              want[pl * P2 + oh * OW + ow] = h0 < h1 && w0 < w1 ? s / div : 0;
              if (h0 < h1 && w0 < w1)
                for (let ih = h0; ih < h1; ih++)
                  for (let iw = w0; iw < w1; iw++) wantGi[pl * HW + ih * p.W + iw] += go[pl * P2 + oh * OW + ow] / div;
            }
        const geo2 = [p.N, p.C, p.H, p.W, p.KH, p.KW, p.sH, p.sW, p.pH, p.pW, OH, OW] as const;
        const out = new Float32Array(planes * P2);
        a.avgPool2dForward(x, out, ...geo2, countIncludePad, divisor);
        assertClose(out, want, "avgPool2dForward");
        const gi = new Float32Array(planes * HW).fill(3);
        a.avgPool2dBackward(go, gi, ...geo2, countIncludePad, divisor);
        assertClose(gi, wantGi, "avgPool2dBackward");
      });
    }
  }
});
