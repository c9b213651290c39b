// MNIST and Fashion-MNIST from their IDX files in root/<ClassName>/raw (gzip or not), as
// torchvision.datasets.MNIST / FashionMNIST.
import { type Args, signature } from "../../internal/args.js";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fromTypedArray, type Tensor } from "../../tensor.js";
import { checkIndex } from "../../utils/data/dataset.js";
import type { WorkerSpec } from "../../utils/data/worker-spec.js";
import { defaultQuiet } from "../../internal/progress.js";
import { makeImage, type Image } from "../image.js";
import { IdxFormatError, readIdx } from "./idx.js";
import { DatasetNotFoundError, downloadUrlSync } from "./utils.js";
import { VisionDataset, type Transform } from "./vision.js";

export interface MNISTOptions<X, Y> {
  train?: boolean;
  transform?: Transform<Image, X> | null;
  targetTransform?: Transform<number, Y> | null;
  download?: boolean;
}

/** MNIST / FashionMNIST's parameters in torchvision's order. */
export interface MNISTParams<X, Y> extends MNISTOptions<X, Y> {
  root: string;
}
const MNIST_NAMES = ["root", "train", "transform", "targetTransform", "download"] as const;
const mnistArgs = signature<MNISTParams<unknown, unknown>>()("MNIST", MNIST_NAMES, {
  train: true,
  transform: null,
  targetTransform: null,
  download: false,
});
mnistArgs.as("FashionMNIST");

interface MNISTState {
  root: string;
  train: boolean;
  pixels: Uint8Array;
  labels: number[];
  imageShape: [number, number];
  transform: unknown;
  targetTransform: unknown;
}

/**
 * MNIST: 28x28 grayscale digits. getItem(i) is [image, target]; without a transform the image
 * is a 1-channel Image (HWC uint8). As in torchvision, `data` is a uint8 tensor [N, 28, 28]
 * and `targets` an int64 tensor [N] (`pixels` and `labels` hold the same as plain arrays).
 */
export class MNIST<X = Image, Y = number> extends VisionDataset<Image, X, number, Y> {
  static mirrors: string[] = ["http://yann.lecun.com/exdb/mnist/", "https://ossci-datasets.s3.amazonaws.com/mnist/"];
  static resources: [string, string | null][] = [
    ["train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"],
    ["train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"],
    ["t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"],
    ["t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"],
  ];
  static classes: string[] = [
    "0 - zero",
    "1 - one",
    "2 - two",
    "3 - three",
    "4 - four",
    "5 - five",
    "6 - six",
    "7 - seven",
    "8 - eight",
    "9 - nine",
  ];

  readonly train: boolean;
  /** All pixels, N*H*W bytes, in a SharedArrayBuffer that worker threads read without a copy. */
  readonly pixels: Uint8Array;
  readonly labels: number[];
  /** [height, width] of each image. */
  readonly imageShape: [number, number];

  constructor(...args: Args<MNISTParams<X, Y>, typeof MNIST_NAMES>) {
    const { root, ...options } = mnistArgs.parse(args, new.target.name) as MNISTParams<X, Y>;
    super(root, options);
    this.train = options.train ?? true;
    const cls = this.constructor as typeof MNIST;
    if (options.download === true) this.download();
    if (!this.checkExists()) {
      throw new DatasetNotFoundError(
        `${cls.name}: Dataset not found. You can use download=True to download it ` +
          `(looked for ${cls.resources.map(([f]) => f).join(", ")} (gzip or not) in ${this.rawFolder})`,
      );
    }
    const prefix = this.train ? "train" : "t10k";
    const images = readIdx(this.findRaw(`${prefix}-images-idx3-ubyte`));
    const labels = readIdx(this.findRaw(`${prefix}-labels-idx1-ubyte`));
    if (images.type !== "uint8" || images.shape.length !== 3) {
      throw new IdxFormatError(
        `${cls.name}: expected uint8 images of shape [N, H, W], got ${images.type} [${images.shape.join(", ")}]`,
      );
    }
    if (labels.shape.length !== 1 || labels.shape[0] !== images.shape[0]) {
      throw new IdxFormatError(
        `${cls.name}: ${images.shape[0]} images but labels of shape [${labels.shape.join(", ")}]`,
      );
    }
    this.pixels = images.data as Uint8Array;
    this.labels = Array.from(labels.data);
    this.imageShape = [images.shape[1], images.shape[2]];
  }

  static fromState<X, Y>(this: typeof MNIST, state: MNISTState): MNIST<X, Y> {
    const ds = Object.create(this.prototype) as MNIST<X, Y>;
    Object.assign(ds, state);
    return ds;
  }

  workerSpec(): WorkerSpec {
    const state: MNISTState = {
      root: this.root,
      train: this.train,
      pixels: this.pixels,
      labels: this.labels,
      imageShape: this.imageShape,
      transform: this.transform,
      targetTransform: this.targetTransform,
    };
    const name = this.constructor === FashionMNIST ? "FashionMNIST" : "MNIST";
    return { module: import.meta.url, export: name, args: [state], factory: "fromState" };
  }

  /** root/<ClassName>/raw, as torchvision. */
  get rawFolder(): string {
    return join(this.root, this.constructor.name, "raw");
  }

  get classes(): string[] {
    return (this.constructor as typeof MNIST).classes;
  }

  get classToIdx(): Record<string, number> {
    return Object.fromEntries(this.classes.map((c, i) => [c, i]));
  }

  /** torchvision's MNIST.data: uint8 tensor [N, H, W] over the loaded pixels (no copy). */
  get data(): Tensor {
    return fromTypedArray(this.pixels, [this.labels.length, ...this.imageShape], "uint8");
  }

  /** torchvision's MNIST.targets: int64 tensor [N]. */
  get targets(): Tensor {
    return fromTypedArray(Float64Array.from(this.labels), [this.labels.length], "int64");
  }

  get length(): number {
    return this.labels.length;
  }

  getItem(index: number): [X, Y] {
    const i = checkIndex(this.constructor.name, index, this.labels.length);
    const [h, w] = this.imageShape;
    const img = makeImage(w, h, 1, this.pixels.slice(i * h * w, (i + 1) * h * w));
    return this.applyTransforms(img, this.labels[i]);
  }

  extraRepr(): string {
    return `Split: ${this.train ? "Train" : "Test"}`;
  }

  private findRaw(base: string): string {
    for (const name of [base, `${base}.gz`]) {
      const path = join(this.rawFolder, name);
      if (existsSync(path)) return path;
    }
    return join(this.rawFolder, `${base}.gz`);
  }

  protected checkExists(): boolean {
    const cls = this.constructor as typeof MNIST;
    return cls.resources.every(([f]) => existsSync(this.findRaw(f.replace(/\.gz$/, ""))));
  }

  /** Fetches each missing file from the mirrors in turn, verifying its MD5. */
  download(): void {
    if (this.checkExists()) return;
    const cls = this.constructor as typeof MNIST;
    const quiet = defaultQuiet();
    for (const [filename, md5] of cls.resources) {
      if (existsSync(this.findRaw(filename.replace(/\.gz$/, "")))) continue;
      const failures: string[] = [];
      let done = false;
      for (const mirror of cls.mirrors) {
        try {
          downloadUrlSync(`${mirror}${filename}`, this.rawFolder, filename, md5, { quiet });
          done = true;
          break;
        } catch (e) {
          failures.push(`${mirror}${filename}: ${(e as Error).message}`);
          if (!quiet) process.stdout.write(`Failed to download (trying next):\n${(e as Error).message}\n`);
        }
      }
      if (!done) throw new Error(`${cls.name}: Error downloading ${filename}:\n${failures.join("\n")}`);
    }
  }
}

/** Fashion-MNIST: Zalando's 28x28 grayscale clothing images, in MNIST's format. */
export class FashionMNIST<X = Image, Y = number> extends MNIST<X, Y> {
  static override mirrors: string[] = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"];
  static override resources: [string, string | null][] = [
    ["train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"],
    ["train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"],
    ["t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"],
    ["t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"],
  ];
  static override classes: string[] = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
  ];
}
