// What the commands share: flags (data root, backend, threads), backend setup, the CIFAR-10
// datasets and loaders, and the error type for failures that are not the user's typing.
import * as torch from "../index.js";
import { DataLoader, Subset } from "../utils/data/index.js";
import { datasets, transforms } from "../vision/index.js";
import type { Tensor } from "../tensor.js";
import { FlintError } from "../errors.js";

/** A failure to report in one line (no stack trace), exit code 1. */
export class CliError extends FlintError {
  override name = "CliError";
}

/** Applies --backend and --threads; returns a description for the run banner. */
export function setupBackend(choice: string, threads: number | null): string {
  if (choice === "ref" || choice === "native" || choice === "wasm") {
    try {
      torch.setBackend(choice);
    } catch {
      throw new CliError(
        choice === "native"
          ? "--backend native: the native addon is not built (run `npm run build:native`); use --backend wasm, ref or auto"
          : "--backend wasm: native/wasm/flint.wasm is missing (run `npm run build:wasm`); use --backend ref or auto",
      );
    }
  }
  if (threads !== null) torch.setNumThreads(threads);
  // The CLI owns its process: the malloc and V8 settings that training is faster with.
  torch.tuneProcess();
  const active = torch.backendName();
  const n = active === "native" ? torch.getNumThreads() : 1;
  return `${active} (${n} thread${n === 1 ? "" : "s"})`;
}

export type CifarSet = InstanceType<typeof datasets.CIFAR10<Tensor, number>>;

/** CIFAR-10 with a tensor transform; a missing dataset is a CliError saying how to get it. */
export function loadCifar(root: string, train: boolean, augment: boolean, download: boolean): CifarSet {
  const transform = augment
    ? new transforms.Compose([
        new transforms.RandomCrop(32, { padding: 4 }),
        new transforms.RandomHorizontalFlip(),
        new transforms.ToTensor(),
      ])
    : new transforms.ToTensor();
  try {
    return new datasets.CIFAR10(root, { train, transform, download });
  } catch (e) {
    const msg = (e as Error).message;
    if (/not found|missing|ENOENT/i.test(msg) && !download) {
      throw new CliError(
        `CIFAR-10 not found under ${root}: ${msg}\n` +
          `Unpack the official binary archive there (tar xzf cifar-10-binary.tar.gz -C ${root}), ` +
          `point --root at a folder that holds cifar-10-batches-bin/, or drop --no-download to fetch it.`,
      );
    }
    const offline = /download:/.test(msg)
      ? `\nOffline: with the extracted cifar-10-batches-bin/ folder in DIR, run with --root DIR --no-download ` +
        `(or copy cifar-10-binary.tar.gz into ${root}).`
      : "";
    throw new CliError(`cannot load CIFAR-10 from ${root}: ${msg}${offline}`);
  }
}

/** The first n items of a dataset (all when n is null), e.g. for quick runs with --train-size. */
export function firstN<T>(
  ds: { length: number; getItem(i: number): T },
  n: number | null,
): { length: number; getItem(i: number): T } {
  if (n === null || n >= ds.length) return ds;
  return new Subset(
    ds,
    Array.from({ length: n }, (_, i) => i),
  );
}

export interface LoaderOptions {
  batchSize: number;
  shuffle: boolean;
  workers: number;
}

/** Shuffles follow torch.manualSeed: DataLoader draws from torch's default generator, as PyTorch's. */
export function makeLoader<T>(ds: { length: number; getItem(i: number): T }, o: LoaderOptions): DataLoader<T> {
  return new DataLoader(ds, { batchSize: o.batchSize, shuffle: o.shuffle, numWorkers: o.workers });
}

export const CIFAR10_CLASSES = [
  "airplane",
  "automobile",
  "bird",
  "cat",
  "deer",
  "dog",
  "frog",
  "horse",
  "ship",
  "truck",
];

/** Yields to the event loop so signals (Ctrl-C) and the dashboard's HTTP requests get served. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
