// Decompression-bomb guard: an image's declared dimensions are read from its header and checked
// before decoding, as PIL does (Image.MAX_IMAGE_PIXELS; DecompressionBombError above twice that,
// 178956970 pixels). A 20000x20000 PNG under 1 MB on disk would otherwise decode into gigabytes.
import { ValueError } from "../errors.js";

/** PIL's error threshold: 2 * Image.MAX_IMAGE_PIXELS = 2 * (1024 * 1024 * 1024 / 4 / 3). */
export const PIL_MAX_IMAGE_PIXELS = 178956970;

function envLimit(): number {
  const v = Number(process.env.FLINT_MAX_IMAGE_PIXELS ?? "");
  return Number.isFinite(v) && v > 0 ? v : PIL_MAX_IMAGE_PIXELS;
}

let maxImagePixels = envLimit();

/** Raises (or lowers) the pixel limit; FLINT_MAX_IMAGE_PIXELS sets it for a whole process. */
export function setMaxImagePixels(n: number): void {
  if (!(Number.isFinite(n) && n > 0)) throw new ValueError(`setMaxImagePixels: expected a positive number, got ${n}`);
  maxImagePixels = n;
}
export const getMaxImagePixels = (): number => maxImagePixels;

const u16be = (b: Uint8Array, p: number): number => (b[p] << 8) | b[p + 1];
const u32be = (b: Uint8Array, p: number): number =>
  ((b[p] << 24) >>> 0) + (b[p + 1] << 16) + (b[p + 2] << 8) + b[p + 3];

/** JPEG start-of-frame markers (baseline, progressive, lossless …), which carry the size. */
const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

/** Width and height from a PNG's IHDR or a JPEG's frame header, or null when not found. */
export function declaredSize(b: Uint8Array): { width: number; height: number } | null {
  if (b.length >= 24 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) {
    return { width: u32be(b, 16), height: u32be(b, 20) };
  }
  if (b.length > 3 && b[0] === 0xff && b[1] === 0xd8) {
    let p = 2;
    while (p + 4 <= b.length) {
      if (b[p] !== 0xff) return null;
      const marker = b[p + 1];
      if (marker === 0xff) {
        p++;
        continue;
      } // fill byte
      if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
        p += 2;
        continue;
      }
      const len = u16be(b, p + 2);
      if (SOF.has(marker)) return p + 9 <= b.length ? { width: u16be(b, p + 7), height: u16be(b, p + 5) } : null;
      if (marker === 0xda || len < 2) return null; // scan data before any frame header
      p += 2 + len;
    }
  }
  return null;
}

/** Throws when the declared pixel count is above the limit (`what` names the file). */
export function checkImagePixels(width: number, height: number, what: string): void {
  const pixels = width * height;
  if (pixels > maxImagePixels) {
    throw new RangeError(
      `${what}: image size (${width}x${height} = ${pixels} pixels) exceeds the limit of ${maxImagePixels} pixels, ` +
        "which could be a decompression bomb DOS attack (FLINT_MAX_IMAGE_PIXELS or setMaxImagePixels() raise it)",
    );
  }
}
