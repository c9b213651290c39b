// Image file decoding for ImageFolder: PNG (pngjs) and JPEG (jpeg-js), both pure JavaScript,
// plus binary/ASCII PPM and PGM. Like torchvision's pil_loader (Image.open(f).convert("RGB")),
// the default result is 3-channel RGB: gray is replicated, palettes expanded, alpha dropped.
import jpeg from "jpeg-js";
import pngjs from "pngjs";
import { makeImage, type Image } from "./image.js";
import { FlintError } from "../errors.js";
import { readRegularFile } from "../serialization/read-bounded.js";
import { checkImagePixels, declaredSize, getMaxImagePixels } from "./image-limits.js";

/** An image file that cannot be decoded. */
export class ImageDecodeError extends FlintError {
  constructor(message: string) {
    super(message);
    this.name = "ImageDecodeError";
  }
}

function rgbaToRgb(data: Uint8Array, width: number, height: number): Image {
  const out = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; j < out.length; i += 4, j += 3) {
    out[j] = data[i];
    out[j + 1] = data[i + 1];
    out[j + 2] = data[i + 2];
  }
  return makeImage(width, height, 3, out);
}

function decodePnm(bytes: Uint8Array, source: string): Image {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Header tokens: magic, width, height, maxval; '#' starts a comment to end of line.
  const tokens: string[] = [];
  let pos = 0;
  while (tokens.length < 4 && pos < text.length) {
    const c = text[pos];
    if (c === 0x23) {
      while (pos < text.length && text[pos] !== 0x0a) pos++;
    } else if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
      pos++;
    } else {
      const start = pos;
      while (pos < text.length && ![0x20, 0x0a, 0x0d, 0x09].includes(text[pos])) pos++;
      tokens.push(text.toString("latin1", start, pos));
    }
  }
  const [magic, w, h, max] = [tokens[0], Number(tokens[1]), Number(tokens[2]), Number(tokens[3])];
  const channels = magic === "P6" || magic === "P3" ? 3 : 1;
  if (!(w > 0 && h > 0 && max > 0 && max < 256))
    throw new ImageDecodeError(`decodeImage: ${source}: unsupported PNM header ${tokens.join(" ")}`);
  try {
    checkImagePixels(w, h, `decodeImage: ${source}`);
  } catch (e) {
    throw new ImageDecodeError((e as Error).message);
  }
  const n = w * h * channels;
  let px: Uint8Array;
  if (magic === "P5" || magic === "P6") {
    px = Uint8Array.from(bytes.subarray(pos + 1, pos + 1 + n));
  } else {
    px = Uint8Array.from(text.toString("latin1", pos).trim().split(/\s+/).slice(0, n).map(Number));
  }
  if (px.length !== n)
    throw new ImageDecodeError(`decodeImage: ${source}: truncated PNM data (${px.length} of ${n} samples)`);
  if (max !== 255) for (let i = 0; i < n; i++) px[i] = Math.round((px[i] * 255) / max);
  return makeImage(w, h, channels, px);
}

/** Converts to the requested channel count (1: ITU-R 601-2 luma as PIL's "L"; 3: RGB). */
export function convertImage(im: Image, channels: 1 | 3): Image {
  if (im.channels === channels) return im;
  const n = im.width * im.height;
  const out = new Uint8Array(n * channels);
  if (channels === 3) {
    for (let i = 0; i < n; i++) out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = im.data[i];
  } else {
    // PIL: L = R * 299/1000 + G * 587/1000 + B * 114/1000, in fixed point with rounding.
    for (let i = 0; i < n; i++) {
      const d = im.data;
      out[i] = (d[3 * i] * 19595 + d[3 * i + 1] * 38470 + d[3 * i + 2] * 7471 + 0x8000) >> 16;
    }
  }
  return makeImage(im.width, im.height, channels, out);
}

/** Decodes PNG, JPEG, PPM or PGM bytes (sniffed from the content) to an RGB Image. */
export function decodeImage(bytes: Uint8Array, source = "image"): Image {
  const b = bytes;
  const size = declaredSize(b);
  if (size) {
    try {
      checkImagePixels(size.width, size.height, `decodeImage: ${source}`);
    } catch (e) {
      throw new ImageDecodeError((e as Error).message);
    }
  }
  try {
    if (b.length > 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) {
      const png = pngjs.PNG.sync.read(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
      return rgbaToRgb(
        new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength),
        png.width,
        png.height,
      );
    }
    if (b.length > 3 && b[0] === 0xff && b[1] === 0xd8) {
      // jpeg-js has its own (100 MP) cap; ours applies first, so lift its cap to ours.
      const jpg = jpeg.decode(b, {
        useTArray: true,
        formatAsRGBA: false,
        maxResolutionInMP: Math.max(100, getMaxImagePixels() / 1e6),
        maxMemoryUsageInMB: 4096,
      });
      const channels = jpg.data.length / (jpg.width * jpg.height);
      return convertImage(makeImage(jpg.width, jpg.height, channels, jpg.data), 3);
    }
    if (b.length > 2 && b[0] === 0x50 && b[1] >= 0x32 && b[1] <= 0x36 && b[1] !== 0x34) {
      return convertImage(decodePnm(b, source), 3);
    }
  } catch (e) {
    if (e instanceof ImageDecodeError) throw e;
    throw new ImageDecodeError(`decodeImage: cannot decode ${source}: ${(e as Error).message}`);
  }
  throw new ImageDecodeError(
    `decodeImage: ${source} is not a PNG, JPEG, PPM or PGM file (first bytes ${Array.from(b.subarray(0, 4)).join(" ")})`,
  );
}

/** Reads and decodes an image file to RGB (torchvision's default_loader / pil_loader). */
export function loadImage(path: string): Image {
  let bytes: Uint8Array;
  try {
    bytes = readRegularFile(path, "loadImage");
  } catch (e) {
    throw new ImageDecodeError((e as Error).message);
  }
  return decodeImage(bytes, path);
}
