// torch.save / torch.load: safetensors or PyTorch's zip format, chosen by extension on save and
// by content on load; writes are atomic (temporary file, then rename).
import { Tensor } from "../tensor.js";
import { writeFileAtomic } from "./atomic.js";
import { decodeAny } from "./auto.js";
import { SerializationError } from "./errors.js";
import { encodeTorchZip } from "./pytorch.js";
import { decodeSafetensors, encodeSafetensors } from "./safetensors.js";
import { type Loaded, type Savable, fromSaved, toSaved } from "./tensors.js";
import type { RawTensor } from "./types.js";
import { readRegularFile } from "./read-bounded.js";

export type Format = "safetensors" | "pt";

export interface SaveOptions {
  /** Overrides the choice by extension (.safetensors -> safetensors, anything else -> PyTorch zip). */
  format?: Format;
  /** safetensors' __metadata__ (string to string). */
  metadata?: Record<string, string>;
}

const formatFor = (path: string, opts: SaveOptions): Format => opts.format ?? (path.endsWith(".safetensors") ? "safetensors" : "pt");

/** Encodes obj in memory (torch.save to a BytesIO). */
export function saveToBytes(obj: Savable, opts: SaveOptions = {}): Uint8Array {
  if ((opts.format ?? "pt") === "pt") return encodeTorchZip(toSaved(obj));
  if (obj === null || typeof obj !== "object" || obj instanceof Tensor || Array.isArray(obj)) {
    throw new SerializationError("save: safetensors holds a flat {name: tensor} record (a state dict); use a .pt file for other objects");
  }
  const entries = obj instanceof Map ? [...obj.entries()] : Object.entries(obj);
  const tensors: Record<string, RawTensor> = {};
  for (const [k, v] of entries) {
    if (!(v instanceof Tensor)) throw new SerializationError(`save: safetensors can only hold tensors, but '${String(k)}' is ${typeof v}; use a .pt file`);
    tensors[String(k)] = toSaved(v.contiguous()) as RawTensor;
  }
  return encodeSafetensors(tensors, opts.metadata);
}

/** torch.save(obj, path): a state dict or checkpoint object, written atomically. */
export function save(obj: Savable, path: string, opts: SaveOptions = {}): void {
  writeFileAtomic(path, saveToBytes(obj, { ...opts, format: formatFor(path, opts) }));
}

/** torch.load(path or bytes): tensors keep the file's storage sharing and views. */
export function load(source: string | Uint8Array): Loaded {
  if (typeof source !== "string") return fromSaved(decodeAny(source));
  const bytes = readRegularFile(source, "load");
  try {
    return fromSaved(decodeAny(bytes));
  } catch (e) {
    // Name the file: "load runs/x.pt: pickle: global 'os.system' is not allowed …".
    if (e instanceof SerializationError) throw new SerializationError(`load ${source}: ${e.message}`);
    throw e;
  }
}

/** The __metadata__ of a safetensors file (or null). */
export function loadSafetensorsMetadata(source: string | Uint8Array): Record<string, string> | null {
  const bytes = typeof source === "string" ? readRegularFile(source, "loadSafetensorsMetadata") : source;
  return decodeSafetensors(bytes).metadata;
}

export type { Savable, Loaded };
