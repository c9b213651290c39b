// `flint predict --checkpoint F IMAGE…`: the class and probabilities for each image file.
// Images of another size are resized to 32x32 (bilinear, like PIL's resize) before ToTensor.
import { basename } from "node:path";
import { noGrad } from "../autograd/grad-mode.js";
import { type Tensor, fromTypedArray } from "../tensor.js";
import * as torch from "../index.js";
import type { Image } from "../vision/image.js";
import { loadImage } from "../vision/image-io.js";
import { type ParsedArgs, UsageError } from "./args.js";
import { models } from "../vision/index.js";
import { makeImage } from "../vision/image.js";
import { findStateDict } from "./checkpoint.js";
import { CIFAR_MODELS, MODEL_NAMES } from "./flags.js";
import { type Net, zooBuilder } from "./models.js";
import { CIFAR10_CLASSES, CliError, setupBackend } from "./common.js";
import { loadModel, safeLabel } from "./train-state.js";

/** Bilinear resize with half-pixel centers (PIL's BILINEAR for upscaling). */
export function resizeBilinear(im: Image, w: number, h: number): Image {
  if (im.width === w && im.height === h) return im;
  const c = im.channels;
  const out = new Uint8Array(w * h * c);
  const sx = im.width / w;
  const sy = im.height / h;
  for (let y = 0; y < h; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), im.height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, im.height - 1);
    const wy = fy - y0;
    for (let x = 0; x < w; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), im.width - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, im.width - 1);
      const wx = fx - x0;
      for (let k = 0; k < c; k++) {
        const p = (yy: number, xx: number): number => im.data[(yy * im.width + xx) * c + k];
        const v = (1 - wy) * ((1 - wx) * p(y0, x0) + wx * p(y0, x1)) + wy * ((1 - wx) * p(y1, x0) + wx * p(y1, x1));
        out[(y * w + x) * c + k] = Math.round(v);
      }
    }
  }
  return { width: w, height: h, channels: c, data: out };
}

/** Gray or RGBA pixels as RGB (PIL's convert("RGB")). */
function toRgb(im: Image): Image {
  const n = im.width * im.height;
  const out = new Uint8Array(3 * n);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < 3; k++) out[3 * i + k] = im.data[i * im.channels + Math.min(k, im.channels - 1)];
  return makeImage(im.height, im.width, 3, out);
}

/** HWC uint8 → [3, H, W] float32 in [0, 1] (transforms.ToTensor). */
function toCHW(im: Image): Float32Array {
  const n = im.width * im.height;
  const out = new Float32Array(3 * n);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < 3; k++) out[k * n + i] = im.data[i * im.channels + Math.min(k, im.channels - 1)] / 255;
  return out;
}

/**
 * A torchvision ImageNet model (`--model resnet18 --weights resnet18-f37072fd.pth`): the weights'
 * own preprocessing (Weights.transforms(): resize, center crop, normalize) and 1000 categories.
 */
function imagenetModel(
  name: string,
  weightsFile: string,
): { model: Net; classes: readonly string[]; prepare: (im: Image) => Tensor } {
  const build = CIFAR_MODELS.includes(name) ? null : zooBuilder(name);
  if (build === null)
    throw new UsageError(
      `--weights takes a torchvision architecture: --model one of ${MODEL_NAMES.filter((n) => !CIFAR_MODELS.includes(n)).join(", ")}`,
      "predict",
    );
  const model = build({ numClasses: 1000 });
  const { state } = findStateDict(torch.load(weightsFile), weightsFile);
  try {
    model.loadStateDict(state);
  } catch (e) {
    throw new CliError(`${weightsFile} does not fit torchvision's ${name}: ${(e as Error).message}`);
  }
  model.eval();
  // The Weights entry whose file this is (its transforms), else the architecture's default entry.
  const entries: models.Weights[] = Object.values(models).flatMap((v: unknown) =>
    typeof v === "object" && v !== null
      ? Object.values(v).filter((x): x is models.Weights => x instanceof models.Weights)
      : [],
  );
  const file = basename(weightsFile);
  const w =
    entries.find((e) => basename(new URL(e.url).pathname) === file) ??
    entries.find(
      (e) =>
        e.enumName
          .toLowerCase()
          .replace(/_weights$/, "")
          .replace(/_/g, "") === name.replace(/_/g, ""),
    );
  const t = (w ?? models.ResNet18_Weights.IMAGENET1K_V1).transforms();
  return {
    model,
    classes: (w ?? models.ResNet18_Weights.IMAGENET1K_V1).meta.categories,
    prepare: (im) => t(im) as Tensor,
  };
}

export async function predictCommand(a: ParsedArgs): Promise<number> {
  setupBackend(a.str("backend"), a.optNum("threads"));
  const weightsFile = a.optStr("weights");
  const checkpoint = a.optStr("checkpoint");
  if ((weightsFile === null) === (checkpoint === null))
    throw new UsageError(
      "give either --checkpoint FILE (a flint or CIFAR checkpoint) or --model NAME --weights FILE (torchvision ImageNet weights)",
      "predict",
    );
  const imagenet = weightsFile !== null ? imagenetModel(a.optStr("model") ?? "", weightsFile) : null;
  const loaded =
    imagenet === null
      ? loadModel(checkpoint as string, a.optStr("model"))
      : { model: imagenet.model, classes: [...imagenet.classes] };
  const classes = loaded.classes.length > 0 ? loaded.classes : CIFAR10_CLASSES;
  // An unreadable file is reported and skipped; the others are still classified (exit code 1).
  const files: string[] = [];
  const images: Image[] = [];
  let failed = 0;
  for (const f of a.positionals) {
    try {
      images.push(loadImage(f));
      files.push(f);
    } catch (e) {
      failed++;
      process.stderr.write(`flint predict: skipping ${safeLabel(f)}: ${safeLabel((e as Error).message)}\n`);
    }
  }
  if (files.length === 0)
    throw new CliError(`predict: none of the ${failed} image file${failed === 1 ? "" : "s"} could be read`);
  let x: Tensor;
  if (imagenet !== null) {
    x = torch.stack(images.map((im) => imagenet.prepare(im.channels === 3 ? im : toRgb(im))));
  } else {
    const pixels = new Float32Array(files.length * 3 * 32 * 32);
    images.forEach((im, i) => pixels.set(toCHW(resizeBilinear(im, 32, 32)), i * 3 * 32 * 32));
    x = fromTypedArray(pixels, [files.length, 3, 32, 32], "float32");
  }
  const probs = noGrad(() => torch.softmax(loaded.model.forward(x), 1));
  const p = probs.typedArray();
  // Rows are as wide as the model's outputs, whatever the file's class list says.
  const nOut = probs.shape[1];
  if (classes.length !== nOut) {
    process.stderr.write(
      `flint predict: the checkpoint names ${classes.length} classes but the model has ${nOut} outputs; unnamed outputs are shown as "class N"\n`,
    );
  }
  const label = (j: number): string => (j < classes.length ? classes[j] : `class ${j}`);
  const k = Math.min(a.num("topk"), nOut);
  const json = a.bool("json");
  const shown = files.map((f) => safeLabel(basename(f)));
  const width = Math.max(...shown.map((f) => f.length));
  files.forEach((f, i) => {
    const row = Array.from(p.subarray(i * nOut, (i + 1) * nOut), Number);
    const order = row
      .map((v, j) => [v, j] as const)
      .sort((u, v) => v[0] - u[0])
      .slice(0, k);
    if (json) {
      process.stdout.write(
        JSON.stringify({
          file: f,
          class: label(order[0][1]),
          index: order[0][1],
          probabilities: Object.fromEntries(row.map((v, j) => [label(j), v])),
        }) + "\n",
      );
    } else {
      const rest = order
        .slice(1)
        .map(([v, j]) => `${label(j)} ${(100 * v).toFixed(1)}%`)
        .join(", ");
      process.stdout.write(
        `${shown[i].padEnd(width)}  ${label(order[0][1])} (${(100 * order[0][0]).toFixed(1)}%)${rest !== "" ? `   then ${rest}` : ""}\n`,
      );
    }
  });
  return failed > 0 ? 1 : 0;
}
