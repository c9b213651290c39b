// torchvision.datasets.DatasetFolder and ImageFolder: root/<class>/**/<file>, classes sorted.
import { type Args, signature } from "../../internal/args.js";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { checkIndex } from "../../utils/data/dataset.js";
import type { WorkerSpec } from "../../utils/data/worker-spec.js";
import type { Image } from "../image.js";
import { loadImage } from "../image-io.js";
import { VisionDataset, type Transform } from "./vision.js";

export const IMG_EXTENSIONS = [".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp"];

/** torchvision's default_loader: the image file decoded to RGB. */
export function defaultLoader(path: string): Image {
  return loadImage(path);
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory(); // follows symlinks, as os.scandir's is_dir()
  } catch {
    return false;
  }
}

// Python's sorted() on str compares code points; compare the same way (not localeCompare).
const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Class folder names, sorted, and their indices (torchvision's find_classes). */
export function findClasses(directory: string): [string[], Record<string, number>] {
  const classes = readdirSync(directory)
    .filter((name) => isDir(join(directory, name)))
    .sort(byCodePoint);
  if (classes.length === 0) throw new Error(`ImageFolder: Couldn't find any class folder in ${directory}.`);
  return [classes, Object.fromEntries(classes.map((c, i) => [c, i]))];
}

function walkSorted(dir: string): string[] {
  // os.walk(followlinks=True), sorted by folder path, then files by name.
  const dirs: string[] = [];
  const visit = (d: string) => {
    dirs.push(d);
    for (const name of readdirSync(d)) if (isDir(join(d, name))) visit(join(d, name));
  };
  visit(dir);
  const files: string[] = [];
  for (const d of dirs.sort(byCodePoint)) {
    const names = readdirSync(d).filter((n) => !isDir(join(d, n)));
    for (const n of names.sort(byCodePoint)) files.push(join(d, n));
  }
  return files;
}

/** [path, classIndex] for every valid file (torchvision's make_dataset). */
export function makeDataset(
  directory: string,
  classToIdx: Record<string, number>,
  extensions: string[] | null,
  isValidFile: ((path: string) => boolean) | null = null,
): [string, number][] {
  if ((extensions === null) === (isValidFile === null)) {
    throw new Error("ImageFolder: Both extensions and is_valid_file cannot be None or not None at the same time");
  }
  const valid = isValidFile ?? ((p: string) => extensions!.some((e) => p.toLowerCase().endsWith(e)));
  const samples: [string, number][] = [];
  const found = new Set<string>();
  for (const cls of Object.keys(classToIdx).sort(byCodePoint)) {
    const dir = join(directory, cls);
    if (!isDir(dir)) continue;
    for (const path of walkSorted(dir)) {
      if (valid(path)) {
        samples.push([path, classToIdx[cls]]);
        found.add(cls);
      }
    }
  }
  const empty = Object.keys(classToIdx)
    .filter((c) => !found.has(c))
    .sort(byCodePoint);
  if (empty.length > 0) {
    let msg = `ImageFolder: Found no valid file for the classes ${empty.join(", ")}. `;
    if (extensions !== null) msg += `Supported extensions are: ${extensions.join(", ")}`;
    throw new Error(msg);
  }
  return samples;
}

export interface DatasetFolderOptions<S, X, Y> {
  extensions?: string[] | null;
  transform?: Transform<S, X> | null;
  targetTransform?: Transform<number, Y> | null;
  isValidFile?: ((path: string) => boolean) | null;
}

/** A generic folder dataset: `loader(path)` reads a sample; the folder name is its class. */
export class DatasetFolder<S, X = S, Y = number> extends VisionDataset<S, X, number, Y> {
  readonly loader: (path: string) => S;
  readonly extensions: string[] | null;
  readonly classes: string[];
  readonly classToIdx: Record<string, number>;
  readonly samples: [string, number][];
  readonly targets: number[];
  readonly isValidFile: ((path: string) => boolean) | null;

  constructor(...args: Args<DatasetFolderParams<S, X, Y>, typeof DATASET_FOLDER_NAMES>) {
    const { root, loader, ...options } = datasetFolderArgs.parse(args, new.target.name) as DatasetFolderParams<S, X, Y>;
    super(root, options);
    this.loader = loader;
    this.extensions = options.extensions ?? null;
    this.isValidFile = options.isValidFile ?? null;
    [this.classes, this.classToIdx] = findClasses(root);
    this.samples = makeDataset(root, this.classToIdx, this.extensions, options.isValidFile ?? null);
    this.targets = this.samples.map(([, t]) => t);
  }

  get length(): number {
    return this.samples.length;
  }

  getItem(index: number): [X, Y] {
    const [path, target] = this.samples[checkIndex(this.constructor.name, index, this.samples.length)];
    return this.applyTransforms(this.loader(path), target);
  }

  workerSpec(): WorkerSpec {
    const options = {
      extensions: this.extensions,
      transform: this.transform,
      targetTransform: this.targetTransform,
      isValidFile: this.isValidFile,
    };
    return { module: import.meta.url, export: "DatasetFolder", args: [this.root, this.loader, options] };
  }
}

/** DatasetFolder's parameters in torchvision's order. */
export interface DatasetFolderParams<S, X, Y> extends DatasetFolderOptions<S, X, Y> {
  root: string;
  loader: (path: string) => S;
}
const DATASET_FOLDER_NAMES = ["root", "loader", "extensions", "transform", "targetTransform", "isValidFile"] as const;
const datasetFolderArgs = signature<DatasetFolderParams<unknown, unknown, unknown>>()(
  "DatasetFolder",
  DATASET_FOLDER_NAMES,
  { extensions: null, transform: null, targetTransform: null, isValidFile: null },
);

export interface ImageFolderOptions<X, Y> {
  transform?: Transform<Image, X> | null;
  targetTransform?: Transform<number, Y> | null;
  /** Reads one file; default: decode PNG/JPEG/PPM/PGM to an RGB Image. */
  loader?: (path: string) => Image;
  isValidFile?: ((path: string) => boolean) | null;
}

/** ImageFolder's parameters in torchvision's order. */
export interface ImageFolderParams<X, Y> extends ImageFolderOptions<X, Y> {
  root: string;
}
const IMAGE_FOLDER_NAMES = ["root", "transform", "targetTransform", "loader", "isValidFile"] as const;
const imageFolderArgs = signature<ImageFolderParams<unknown, unknown>>()("ImageFolder", IMAGE_FOLDER_NAMES, {
  transform: null,
  targetTransform: null,
  loader: undefined,
  isValidFile: null,
});

/** root/<class>/xxx.png|jpg ... ; getItem(i) is [image, classIndex]. */
export class ImageFolder<X = Image, Y = number> extends DatasetFolder<Image, X, Y> {
  constructor(...args: Args<ImageFolderParams<X, Y>, typeof IMAGE_FOLDER_NAMES>) {
    const { root, ...options } = imageFolderArgs.parse(args) as ImageFolderParams<X, Y>;
    const isValidFile = options.isValidFile ?? null;
    super(root, options.loader ?? defaultLoader, {
      extensions: isValidFile === null ? IMG_EXTENSIONS : null,
      transform: options.transform,
      targetTransform: options.targetTransform,
      isValidFile,
    });
  }

  /** Alias of samples, as torchvision's `imgs`. */
  get imgs(): [string, number][] {
    return this.samples;
  }

  override workerSpec(): WorkerSpec {
    const options: Record<string, unknown> = {
      transform: this.transform,
      targetTransform: this.targetTransform,
      isValidFile: this.isValidFile,
    };
    if (this.loader !== defaultLoader) options.loader = this.loader;
    return { module: import.meta.url, export: "ImageFolder", args: [this.root, options] };
  }
}
