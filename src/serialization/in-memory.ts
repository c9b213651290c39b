// torch.save / torch.load on bytes (a BytesIO): safetensors or PyTorch's zip format. No file
// system here, so the browser build shares it; ./save-load.ts adds paths for Node.
import { Tensor } from "../tensor.js";
import { decodeAny } from "./auto.js";
import { SerializationError } from "./errors.js";
import { encodeTorchZip } from "./pytorch.js";
import { decodeSafetensors, encodeSafetensors } from "./safetensors.js";
import { type Loaded, type Savable, fromSaved, toSaved } from "./tensors.js";
import type { RawTensor } from "./types.js";

export type Format = "safetensors" | "pt";

export interface SaveOptions {
  /** Overrides the choice by extension (.safetensors -> safetensors, anything else -> PyTorch zip). */
  format?: Format;
  /** safetensors' __metadata__ (string to string). */
  metadata?: Record<string, string>;
}

/** Encodes obj in memory (torch.save to a BytesIO). */
export function saveToBytes(obj: Savable, opts: SaveOptions = {}): Uint8Array {
  if ((opts.format ?? "pt") === "pt") return encodeTorchZip(toSaved(obj));
  if (obj === null || typeof obj !== "object" || obj instanceof Tensor || Array.isArray(obj)) {
    throw new SerializationError(
      "save: safetensors holds a flat {name: tensor} record (a state dict); use a .pt file for other objects",
    );
  }
  const entries = obj instanceof Map ? [...obj.entries()] : Object.entries(obj);
  const tensors: Record<string, RawTensor> = {};
  for (const [k, v] of entries) {
    if (!(v instanceof Tensor))
      throw new SerializationError(
        `save: safetensors can only hold tensors, but '${String(k)}' is ${typeof v}; use a .pt file`,
      );
    tensors[String(k)] = toSaved(v.contiguous()) as RawTensor;
  }
  return encodeSafetensors(tensors, opts.metadata);
}

/** torch.load from bytes: tensors keep the file's storage sharing and views. */
export const loadFromBytes = (bytes: Uint8Array): Loaded => fromSaved(decodeAny(bytes));

/** The __metadata__ of safetensors bytes (or null). */
export const safetensorsMetadata = (bytes: Uint8Array): Record<string, string> | null =>
  decodeSafetensors(bytes).metadata;

export type { Savable, Loaded };
