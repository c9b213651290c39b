/**
 * The byte-level data model shared by the safetensors and PyTorch readers and writers.
 * It is deliberately independent of Flint's Tensor class: the glue between the two lives
 * elsewhere, so these formats can be tested (and fuzzed) on their own.
 */

export type StoredDType =
  "float32" | "float64" | "int64" | "int32" | "uint8" | "bool" | "float16" | "bfloat16" | "int16" | "int8";

/** A storage: a flat little-endian byte buffer shared by every view that points into it. */
export interface RawStorage {
  dtype: StoredDType;
  bytes: Uint8Array;
  /** The storage's record name in a PyTorch archive (set by the reader; the writer renumbers). */
  key?: string;
}

/** A strided view over a storage, in elements (as PyTorch's size/stride/storage_offset). */
export interface RawTensor {
  dtype: StoredDType;
  shape: number[];
  strides: number[];
  storageOffset: number;
  storage: RawStorage;
  /** PyTorch's requires_grad flag. */
  requiresGrad?: boolean;
  /** Pickled as an nn.Parameter (torch._utils._rebuild_parameter), as torch.save does for parameters. */
  isParameter?: boolean;
}

/** A Python float, kept distinct from an int (a JS number that is an integer pickles as int). */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** A Python tuple (plain JS arrays pickle as lists). */
export class PyTuple {
  constructor(readonly items: Saved[]) {}
}

/** A collections.OrderedDict, with the attribute dict PyTorch attaches (`_metadata`) if any. */
export class PyOrderedDict {
  constructor(
    readonly entries: Map<string | number, Saved> = new Map(),
    /** Set after construction when a reader converts a graph whose state refers back to the dict. */
    public state: Saved | null = null,
  ) {}
}

export type Saved =
  | RawTensor
  | number
  | string
  | boolean
  | null
  | bigint
  | PyFloat
  | PyTuple
  | PyOrderedDict
  | Saved[]
  | { [k: string]: Saved }
  | Map<string | number, Saved>;

export const ITEM_SIZE: Readonly<Record<StoredDType, number>> = {
  float32: 4,
  float64: 8,
  int64: 8,
  int32: 4,
  uint8: 1,
  bool: 1,
  float16: 2,
  bfloat16: 2,
  int16: 2,
  int8: 1,
};

export function isRawTensor(v: unknown): v is RawTensor {
  // A Saved dict can never hold a Uint8Array, so this cannot mistake a dict for a tensor.
  if (typeof v !== "object" || v === null) return false;
  const s = (v as { storage?: unknown }).storage;
  return typeof s === "object" && s !== null && (s as { bytes?: unknown }).bytes instanceof Uint8Array;
}

/** Sets an own property even for keys like "__proto__", which plain assignment would not. */
export function defineKey<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}
