// Storage: the memory a tensor and its views share, owned by one device's backend. On the CPU it
// is a JavaScript typed array that the kernels read and write in place (zero-copy, freed by the
// garbage collector like any array); a `meta` storage holds nothing; a WebGPU storage holds a GPU
// buffer, a WebAssembly one a range of its heap. The device contract (allocate, free, read,
// write, copy) is written down in src/backend/backend.ts.
import type { TypedArray } from "./dtype.js";
import { DeviceError } from "./errors.js";

/** The device types Flint knows; a backend registers for each one it runs (src/backend/registry.ts). */
export type DeviceType = "cpu" | "meta" | "webgpu" | "wasm";

export abstract class Storage {
  /** In-place writes so far: autograd compares it with what a saved tensor saw. */
  version = 0;
  abstract readonly device: DeviceType;
  /** Number of elements. */
  abstract readonly length: number;
  /**
   * The elements as a typed array, which only CPU storage has: other devices throw a DeviceError
   * (read their values with the async forms: `await x.cpuAsync()`, `itemAsync()`, `tolistAsync()`).
   */
  abstract readonly data: TypedArray;
}

/** CPU storage: a typed array (int64 in a Float64Array, bool in a Uint8Array; see src/dtype.ts). */
export class CpuStorage extends Storage {
  constructor(public data: TypedArray) {
    super();
  }
  get device(): "cpu" {
    return "cpu";
  }
  get length(): number {
    return this.data.length;
  }
}

/** The base of storages whose values are not a JS array: reading `data` says how to read them. */
export abstract class DeviceStorage extends Storage {
  get data(): TypedArray {
    throw new DeviceError(
      this.device === "meta"
        ? 'meta tensors have no data: they carry shape, dtype and strides only (materialise them with module.toEmpty({ device: "cpu" }) or create them on the CPU)'
        : `a ${this.device} tensor's values cannot be read synchronously; use await x.cpuAsync(), x.itemAsync() or x.tolistAsync()`,
    );
  }
}

/** Meta storage: a length and nothing else. */
export class MetaStorage extends DeviceStorage {
  constructor(readonly length: number) {
    super();
  }
  get device(): "meta" {
    return "meta";
  }
}

const collected = new FinalizationRegistry<() => void>((release) => release());

/**
 * Runs `release` once `storage` has been garbage-collected: how a backend frees memory the
 * collector cannot see (a GPU buffer, a range of a WebAssembly heap). `release` must not refer
 * to `storage` itself, or it would keep it alive.
 */
export function freeAfterGC(storage: Storage, release: () => void): void {
  collected.register(storage, release);
}
