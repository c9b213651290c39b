/** Reading a file whose format is known only from its bytes (what torch.load(path) needs). */
import { SerializationError } from "./errors.js";
import { type DecodeTorchOptions, decodeTorchZip, detectFormat } from "./pytorch.js";
import { decodeSafetensors } from "./safetensors.js";
import type { Saved } from "./types.js";

/**
 * Decodes a safetensors file (to its record of tensors; metadata is dropped, use
 * decodeSafetensors to get it) or a torch.save archive, whichever `bytes` is.
 */
export function decodeAny(bytes: Uint8Array, options: DecodeTorchOptions = {}): Saved {
  const fmt = detectFormat(bytes);
  if (fmt === "safetensors") return decodeSafetensors(bytes).tensors;
  if (fmt === "torch-zip" || fmt === "torch-legacy") return decodeTorchZip(bytes, options);
  throw new SerializationError("load: not a safetensors file or a PyTorch archive");
}
