// CIFAR-10 and CIFAR-100 from the official binary versions, as torchvision.datasets.CIFAR10 /
// CIFAR100 (which read the python pickles; the records and the returned values are the same).
import { type Args, signature } from "../../internal/args.js";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { WorkerSpec } from "../../utils/data/worker-spec.js";
import { checkIndex } from "../../utils/data/dataset.js";
import { makeImage, type Image } from "../image.js";
import { CIFAR_PIXELS, readCifarBatches } from "./cifar-format.js";
import { DatasetNotFoundError, checkIntegrity, downloadAndExtractArchiveSync } from "./utils.js";
import { VisionDataset, type Transform } from "./vision.js";
import { defaultQuiet } from "../../internal/progress.js";
import { type Tensor, fromTypedArray } from "../../tensor.js";

/** The pixels NHWC as a uint8 tensor [N, 32, 32, 3] (torchvision's CIFAR10.data array), sharing the buffer. */
const pixelsTensor = (px: Uint8Array): Tensor => fromTypedArray(px, [px.length / CIFAR_PIXELS, 32, 32, 3], "uint8");

export interface CIFAROptions<X, Y> {
  /** Training set (data_batch_1..5) or test set (test_batch). Default true. */
  train?: boolean;
  transform?: Transform<Image, X> | null;
  targetTransform?: Transform<number, Y> | null;
  /** Fetch, verify and unpack the archive into root when the files are not there. */
  download?: boolean;
}

/** CIFAR10 / CIFAR100's parameters in torchvision's order. */
export interface CIFARParams<X, Y> extends CIFAROptions<X, Y> {
  root: string;
}
const CIFAR_NAMES = ["root", "train", "transform", "targetTransform", "download"] as const;
const cifarArgs = signature<CIFARParams<unknown, unknown>>()("CIFAR10", CIFAR_NAMES, {
  train: true,
  transform: null,
  targetTransform: null,
  download: false,
});
cifarArgs.as("CIFAR100");

/** [file name, MD5 or null]: null means only the size is checked (see `recordsPerFile`). */
export type FileEntry = [string, string | null];

interface CIFARState {
  root: string;
  train: boolean;
  data: Uint8Array;
  targets: number[];
  classes: string[];
  transform: unknown;
  targetTransform: unknown;
}

/**
 * CIFAR-10: 60,000 32x32 RGB images in 10 classes. getItem(i) is [image, target]: without a
 * transform the image is an Image (HWC uint8; transforms.ToTensor makes it CHW float32).
 * `data` holds all pixels as a uint8 tensor [N, 32, 32, 3] (torchvision's data array);
 * `targets` the labels.
 */
export class CIFAR10<X = Image, Y = number> extends VisionDataset<Image, X, number, Y> {
  static baseFolder = "cifar-10-batches-bin";
  static url = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz";
  static filename = "cifar-10-binary.tar.gz";
  static tgzMd5: string | null = "c32a1d4ab5d03f1284b67883e8d87530";
  static trainList: FileEntry[] = [1, 2, 3, 4, 5].map((i): FileEntry => [`data_batch_${i}.bin`, null]);
  static testList: FileEntry[] = [["test_batch.bin", null]];
  /** Text file of class names, one per line. */
  static metaFile = "batches.meta.txt";
  /** Label bytes before each record's pixels, and which of them is the target. */
  static labelBytes = 1;
  static targetLabel = 0;
  /** Records in each batch file: a file of another size is an error naming it and its size. */
  static records: Record<string, number> = Object.fromEntries(
    [
      "data_batch_1.bin",
      "data_batch_2.bin",
      "data_batch_3.bin",
      "data_batch_4.bin",
      "data_batch_5.bin",
      "test_batch.bin",
    ].map((f) => [f, 10000]),
  );

  readonly train: boolean;
  readonly data: Tensor;
  readonly targets: number[];
  readonly classes: string[];

  constructor(...args: Args<CIFARParams<X, Y>, typeof CIFAR_NAMES>) {
    const { root, ...options } = cifarArgs.parse(args, new.target.name) as CIFARParams<X, Y>;
    super(root, options);
    this.train = options.train ?? true;
    const cls = this.constructor as typeof CIFAR10;
    if (options.download === true) this.download();
    const problem = this.integrityProblem();
    if (problem !== null) {
      throw new DatasetNotFoundError(
        `${cls.name}: Dataset not found or corrupted. You can use download=True to download it ` +
          `(${problem}; pass { download: true } to fetch ${cls.url} into ${root})`,
      );
    }
    const files = this.fileList().map(([f]) => f);
    const batch = readCifarBatches(
      files.map((f) => join(root, cls.baseFolder, f)),
      cls.labelBytes,
      files.map((f) => cls.records[f] ?? null),
    );
    this.data = pixelsTensor(batch.data);
    this.targets = Array.from(batch.labels[cls.targetLabel]);
    this.classes = this.loadMeta();
  }

  /** Rebuilds a dataset from loaded state (used in DataLoader worker threads; shares `data`). */
  static fromState<X, Y>(this: typeof CIFAR10, state: CIFARState): CIFAR10<X, Y> {
    const ds = Object.create(this.prototype) as CIFAR10<X, Y>;
    Object.assign(ds, { ...state, data: pixelsTensor(state.data) });
    return ds;
  }

  workerSpec(): WorkerSpec {
    const cls = this.constructor as typeof CIFAR10;
    const state: CIFARState = {
      root: this.root,
      train: this.train,
      data: this.data.storage.data as Uint8Array,
      targets: this.targets,
      classes: this.classes,
      transform: this.transform,
      targetTransform: this.targetTransform,
    };
    return {
      module: import.meta.url,
      export: cls === CIFAR100 ? "CIFAR100" : "CIFAR10",
      args: [state],
      factory: "fromState",
    };
  }

  get length(): number {
    return this.targets.length;
  }

  /** Class name to index, e.g. { airplane: 0, automobile: 1, ... }. */
  get classToIdx(): Record<string, number> {
    return Object.fromEntries(this.classes.map((c, i) => [c, i]));
  }

  getItem(index: number): [X, Y] {
    const i = checkIndex(this.constructor.name, index, this.targets.length);
    const px = this.data.storage.data as Uint8Array;
    const img = makeImage(32, 32, 3, px.slice(i * CIFAR_PIXELS, (i + 1) * CIFAR_PIXELS));
    return this.applyTransforms(img, this.targets[i]);
  }

  /** torchvision's extra_repr. */
  extraRepr(): string {
    return `Split: ${this.train ? "Train" : "Test"}`;
  }

  protected fileList(): FileEntry[] {
    const cls = this.constructor as typeof CIFAR10;
    return this.train ? cls.trainList : cls.testList;
  }

  /** Every batch file exists with the right size (and MD5, where one is listed). */
  protected checkIntegrity(): boolean {
    return this.integrityProblem() === null;
  }

  /** What is wrong with the files on disk, or null when all are present and sound. */
  protected integrityProblem(): string | null {
    const cls = this.constructor as typeof CIFAR10;
    const record = cls.labelBytes + CIFAR_PIXELS;
    for (const [name, md5] of [...cls.trainList, ...cls.testList]) {
      const path = join(this.root, cls.baseFolder, name);
      if (!existsSync(path)) return `${path} is missing`;
      const size = statSync(path).size;
      const n = cls.records[name];
      if (n !== undefined && size !== n * record) {
        return `${path} has ${size} bytes, expected ${n * record} (${n} records of ${record} bytes): truncated or not a CIFAR binary batch`;
      }
      if (!checkIntegrity(path, md5)) return `${path} does not match its MD5 ${md5}`;
    }
    return null;
  }

  /** Fetches and unpacks the archive unless the files are already there (torchvision's download). */
  download(): void {
    const cls = this.constructor as typeof CIFAR10;
    if (this.checkIntegrity()) {
      if (!defaultQuiet()) process.stdout.write("Files already downloaded and verified\n");
      return;
    }
    downloadAndExtractArchiveSync(cls.url, this.root, { filename: cls.filename, md5: cls.tgzMd5 });
  }

  private loadMeta(): string[] {
    const cls = this.constructor as typeof CIFAR10;
    const path = join(this.root, cls.baseFolder, cls.metaFile);
    if (!existsSync(path)) return [];
    return readFileSync(path, "utf8")
      .split(/\r?\n/)
      .map((s) => s.trim())
      .filter((s) => s !== "");
  }
}

/**
 * CIFAR-100: 100 fine classes (the target) grouped in 20 coarse ones. Binary records carry
 * the coarse label byte, then the fine label byte, then the pixels.
 */
export class CIFAR100<X = Image, Y = number> extends CIFAR10<X, Y> {
  static override baseFolder = "cifar-100-binary";
  static override url = "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz";
  static override filename = "cifar-100-binary.tar.gz";
  static override tgzMd5: string | null = "03b5dce01913d631647c71ecec9e9cb8";
  static override trainList: FileEntry[] = [["train.bin", null]];
  static override testList: FileEntry[] = [["test.bin", null]];
  static override metaFile = "fine_label_names.txt";
  static override labelBytes = 2;
  static override targetLabel = 1;
  static override records: Record<string, number> = { "train.bin": 50000, "test.bin": 10000 };
}
