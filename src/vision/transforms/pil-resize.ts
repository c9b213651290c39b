// Pillow's resampling (libImaging/Resample.c, Pillow 9) for 8-bit images: what torchvision's
// Resize does to a PIL image, so dataset images (Image values) get torchvision's numbers. Each
// output pixel is a normalised filter window over the source, the window widened by the
// downscale factor (antialiasing); coefficients in 22-bit fixed point; a horizontal pass into an
// 8-bit intermediate image, then a vertical pass.
import { type Image, makeImage } from "../image.js";

export type PilFilter = "bilinear" | "bicubic";

const PRECISION_BITS = 32 - 8 - 2;
const FILTERS: Record<PilFilter, { support: number; f: (x: number) => number }> = {
  bilinear: {
    support: 1,
    f: (x) => {
      const a = Math.abs(x);
      return a < 1 ? 1 - a : 0;
    },
  },
  bicubic: {
    support: 2,
    f: (x0) => {
      const a = -0.5,
        x = Math.abs(x0);
      if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
      if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
      return 0;
    },
  },
};

interface Coeffs {
  ksize: number;
  bounds: Int32Array;
  kk: Int32Array;
}

/** Pillow's precompute_coeffs + normalize_coeffs_8bpc for one axis. */
function coeffs(inSize: number, outSize: number, filter: PilFilter): Coeffs {
  const { support: s0, f } = FILTERS[filter];
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = s0 * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2),
    kk = new Int32Array(outSize * ksize);
  const pre = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const ss = 1 / filterscale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      pre[x] = f((x + xmin - center + 0.5) * ss);
      ww += pre[x];
    }
    for (let x = 0; x < ksize; x++) {
      const w = x < xmax ? (ww !== 0 ? pre[x] / ww : pre[x]) : 0;
      kk[xx * ksize + x] = Math.trunc(w < 0 ? -0.5 + w * (1 << PRECISION_BITS) : 0.5 + w * (1 << PRECISION_BITS));
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { ksize, bounds, kk };
}

const clip8 = (v: number): number => (v >= (1 << PRECISION_BITS) << 8 ? 255 : v <= 0 ? 0 : v >> PRECISION_BITS);

/** Image.resize((width, height), filter) as Pillow computes it. */
export function pilResize(im: Image, outH: number, outW: number, filter: PilFilter): Image {
  const { width: w, height: h, channels: c, data } = im;
  if (outH === h && outW === w) return makeImage(w, h, c, data.slice());
  const ch = coeffs(w, outW, filter),
    cv = coeffs(h, outH, filter);
  const needH = outW !== w,
    needV = outH !== h;
  // Rows the vertical pass reads.
  const yFirst = cv.bounds[0],
    yLast = cv.bounds[outH * 2 - 2] + cv.bounds[outH * 2 - 1];
  let src = data,
    srcW = w,
    rows = h,
    rowOff = 0;
  if (needH) {
    rows = needV ? yLast - yFirst : h;
    rowOff = needV ? yFirst : 0;
    const tmp = new Uint8Array(outW * rows * c);
    for (let y = 0; y < rows; y++) {
      const inRow = (y + rowOff) * w * c;
      for (let xx = 0; xx < outW; xx++) {
        const xmin = ch.bounds[xx * 2],
          xmax = ch.bounds[xx * 2 + 1],
          k = xx * ch.ksize;
        for (let cc = 0; cc < c; cc++) {
          let ss = 1 << (PRECISION_BITS - 1);
          for (let x = 0; x < xmax; x++) ss += data[inRow + (x + xmin) * c + cc] * ch.kk[k + x];
          tmp[(y * outW + xx) * c + cc] = clip8(ss);
        }
      }
    }
    src = tmp;
    srcW = outW;
  }
  if (!needV) return makeImage(srcW, rows, c, src);
  const out = new Uint8Array(srcW * outH * c);
  const shift = needH ? yFirst : 0;
  for (let yy = 0; yy < outH; yy++) {
    const ymin = cv.bounds[yy * 2] - shift,
      ymax = cv.bounds[yy * 2 + 1],
      k = yy * cv.ksize;
    for (let xx = 0; xx < srcW; xx++) {
      for (let cc = 0; cc < c; cc++) {
        let ss = 1 << (PRECISION_BITS - 1);
        for (let y = 0; y < ymax; y++) ss += src[((y + ymin) * srcW + xx) * c + cc] * cv.kk[k + y];
        out[(yy * srcW + xx) * c + cc] = clip8(ss);
      }
    }
  }
  return makeImage(srcW, outH, c, out);
}
