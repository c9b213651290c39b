// Broadcast elementwise math in native blocks. A broadcast binary op (a bias added to every row,
// a per-row scale) is, over its innermost dims, either two dense runs or a dense run and one
// repeated value; finding the longest such suffix turns it into a few calls of the addon's dense
// kernels, one per outer index, instead of a per-element loop in TypeScript.
import { broadcastStrides } from "../../shape.js";
import type { Strided } from "../backend.js";
import type { BinaryOpCode, NativeAddon } from "./addon.js";

type Mode = "dense" | "repeat";

/** Below this many elements per block the per-call overhead wins: the caller falls back. */
const MIN_BLOCK = 32;

/**
 * Writes a op b (broadcast to outShape) into out, or returns false when the layout has no
 * dense-or-repeated inner block of at least MIN_BLOCK elements.
 */
export function blockedBinary(addon: NativeAddon, code: BinaryOpCode, reversed: BinaryOpCode,
                              a: Strided, b: Strided, outShape: readonly number[], out: Float32Array): boolean {
  const nd = outShape.length;
  const as = broadcastStrides(a.shape, a.strides, outShape), bs = broadcastStrides(b.shape, b.strides, outShape);
  let aMode: Mode | null = null, bMode: Mode | null = null;
  let inner = 1, k = nd;
  const modeAt = (s: number, mode: Mode | null): Mode | null => {
    const m: Mode | null = s === inner ? "dense" : s === 0 ? "repeat" : null;
    return m !== null && (mode === null || mode === m) ? m : null;
  };
  for (let d = nd - 1; d >= 0; d--) {
    if (outShape[d] === 1) { k = d; continue; }
    const am = modeAt(as[d], aMode), bm = modeAt(bs[d], bMode);
    if (am === null || bm === null) break;
    aMode = am;
    bMode = bm;
    inner *= outShape[d];
    k = d;
  }
  if (inner < MIN_BLOCK || (aMode === "repeat" && bMode === "repeat")) return false;
  const A = a.storage.data as Float32Array, B = b.storage.data as Float32Array;
  const outer = out.length / inner;
  const idx = new Array<number>(k).fill(0);
  let aOff = a.offset, bOff = b.offset;
  for (let o = 0; o < outer; o++) {
    const outOff = o * inner;
    if (aMode === "dense" && bMode === "dense") addon.binary(code, A, aOff, B, bOff, out, outOff, inner);
    else if (aMode === "dense") addon.binaryScalar(code, A, aOff, B[bOff], out, outOff, inner);
    else addon.binaryScalar(reversed, B, bOff, A[aOff], out, outOff, inner);
    // Next outer index (odometer over dims k-1 .. 0).
    for (let d = k - 1; d >= 0; d--) {
      if (++idx[d] < outShape[d]) {
        aOff += as[d];
        bOff += bs[d];
        break;
      }
      idx[d] = 0;
      aOff -= as[d] * (outShape[d] - 1);
      bOff -= bs[d] * (outShape[d] - 1);
    }
  }
  return true;
}
