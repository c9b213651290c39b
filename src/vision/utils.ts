// vision.utils: makeGrid and saveImage (torchvision.utils.make_grid / save_image, 0.14).
// saveImage writes PNG (lossless: the file holds exactly torchvision's uint8 pixels) or JPEG
// (jpeg-js's encoder, quality 75 as PIL's default; its bytes differ from libjpeg's).
import { writeFileSync } from "node:fs";
import { extname } from "node:path";
import jpeg from "jpeg-js";
import pngjs from "pngjs";
import { Tensor } from "../tensor.js";
import { ShapeError, ValueError, fmtShape } from "../errors.js";
import { cat, stack } from "../ops/join.js";
import { full } from "../ops/creation.js";
import { contiguous, toDType } from "../ops/cast.js";
import { noGrad } from "../autograd/grad-mode.js";

export interface MakeGridOptions {
  nrow?: number;
  padding?: number;
  normalize?: boolean;
  valueRange?: [number, number] | null;
  scaleEach?: boolean;
  padValue?: number;
}

/** make_grid(tensor [B, C, H, W] or a list of [C, H, W], nrow = 8, padding = 2, normalize, valueRange, scaleEach, padValue). */
export function makeGrid(input: Tensor | Tensor[], o: MakeGridOptions = {}): Tensor {
  return noGrad(() => {
    const nrow = o.nrow ?? 8,
      padding = o.padding ?? 2,
      padValue = o.padValue ?? 0;
    let t = Array.isArray(input) ? stack(input, 0) : input;
    if (t.dim() === 2) t = t.unsqueeze(0);
    if (t.dim() === 3) {
      if (t.shape[0] === 1) t = cat([t, t, t], 0);
      t = t.unsqueeze(0);
    }
    if (t.dim() !== 4)
      throw new ShapeError(
        `make_grid: expected a 2-D, 3-D or 4-D tensor (or a list of images), got ${fmtShape(t.shape)}`,
      );
    if (t.shape[1] === 1) t = cat([t, t, t], 1);
    if (o.normalize) {
      t = t.clone();
      const normIp = (img: Tensor, low: number, high: number): void => {
        img.clamp_(low, high);
        img.sub_(low).div_(Math.max(high - low, 1e-5));
      };
      const normRange = (x: Tensor): void => {
        const vr = o.valueRange ?? null;
        if (vr) normIp(x, vr[0], vr[1]);
        else normIp(x, x.min().item() as number, x.max().item() as number);
      };
      if (o.scaleEach) for (let i = 0; i < t.shape[0]; i++) normRange(t.select(0, i));
      else normRange(t);
    }
    if (t.shape[0] === 1) return t.squeeze(0);
    const nmaps = t.shape[0],
      xmaps = Math.min(nrow, nmaps),
      ymaps = Math.ceil(nmaps / xmaps);
    const height = t.shape[2] + padding,
      width = t.shape[3] + padding,
      c = t.shape[1];
    const grid = full([c, height * ymaps + padding, width * xmaps + padding], padValue, { dtype: t.dtype });
    let k = 0;
    for (let y = 0; y < ymaps; y++) {
      for (let x = 0; x < xmaps && k < nmaps; x++, k++) {
        grid
          .narrow(1, y * height + padding, height - padding)
          .narrow(2, x * width + padding, width - padding)
          .copy_(t.select(0, k));
      }
    }
    return grid;
  });
}

/** The uint8 HWC pixels save_image writes: grid * 255 + 0.5, clamped, truncated. */
export function gridToPixels(grid: Tensor): { width: number; height: number; channels: number; data: Uint8Array } {
  const g = grid.dim() === 2 ? grid.unsqueeze(0) : grid;
  const u8 = contiguous(toDType(g.mul(255).add(0.5).clamp(0, 255).permute(1, 2, 0), "uint8"));
  const [height, width, channels] = u8.shape;
  return { width, height, channels, data: u8.typedArray() as Uint8Array };
}

/** save_image(tensor, path, { format, ...makeGrid options }): PNG or JPEG by the extension or `format`. */
export function saveImage(
  input: Tensor | Tensor[],
  path: string,
  o: MakeGridOptions & { format?: "png" | "jpeg" | "jpg" } = {},
): void {
  const { format, ...gridOpts } = o;
  const px = noGrad(() => gridToPixels(makeGrid(input, gridOpts)));
  const fmt = (format ?? extname(path).slice(1)).toLowerCase();
  const rgba = new Uint8Array(px.width * px.height * 4);
  for (let i = 0; i < px.width * px.height; i++) {
    for (let ch = 0; ch < 3; ch++) rgba[i * 4 + ch] = px.data[i * px.channels + (px.channels === 1 ? 0 : ch)];
    rgba[i * 4 + 3] = px.channels === 4 ? px.data[i * 4 + 3] : 255;
  }
  if (fmt === "png") {
    writeFileSync(
      path,
      pngjs.PNG.sync.write(
        Object.assign(new pngjs.PNG({ width: px.width, height: px.height }), { data: Buffer.from(rgba) }),
      ),
    );
  } else if (fmt === "jpg" || fmt === "jpeg") {
    writeFileSync(path, jpeg.encode({ width: px.width, height: px.height, data: Buffer.from(rgba) }, 75).data);
  } else throw new ValueError(`save_image: unknown file format '${fmt}' for ${path} (png or jpeg)`);
}
