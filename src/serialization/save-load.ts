// torch.save / torch.load: safetensors or PyTorch's zip format, chosen by extension on save and
// by content on load; writes are atomic (temporary file, then rename). The encoding lives in
// ./in-memory.ts; the browser build swaps this file for ./save-load-browser.ts.
import { readFileSync } from "node:fs";
import { writeFileAtomic } from "./atomic.js";
import { type Format, type Loaded, type Savable, type SaveOptions, loadFromBytes, safetensorsMetadata, saveToBytes } from "./in-memory.js";

export { saveToBytes };
export type { Format, SaveOptions, Savable, Loaded };

const formatFor = (path: string, opts: SaveOptions): Format => opts.format ?? (path.endsWith(".safetensors") ? "safetensors" : "pt");

/** torch.save(obj, path): a state dict or checkpoint object, written atomically. */
export function save(obj: Savable, path: string, opts: SaveOptions = {}): void {
  writeFileAtomic(path, saveToBytes(obj, { ...opts, format: formatFor(path, opts) }));
}

/** torch.load(path or bytes): tensors keep the file's storage sharing and views. */
export function load(source: string | Uint8Array): Loaded {
  return loadFromBytes(typeof source === "string" ? new Uint8Array(readFileSync(source)) : source);
}

/** The __metadata__ of a safetensors file (or null). */
export function loadSafetensorsMetadata(source: string | Uint8Array): Record<string, string> | null {
  return safetensorsMetadata(typeof source === "string" ? new Uint8Array(readFileSync(source)) : source);
}

