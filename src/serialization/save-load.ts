// torch.save / torch.load: safetensors or PyTorch's zip format, chosen by extension on save and
// by content on load; writes are atomic (temporary file, then rename). The encoding lives in
// ./in-memory.ts; the browser build swaps this file for ./save-load-browser.ts.
import { readRegularFile } from "./read-bounded.js";
import { SerializationError } from "./errors.js";
import { writeFileAtomic } from "./atomic.js";
import {
  type Format,
  type Loaded,
  type Savable,
  type SaveOptions,
  loadFromBytes,
  safetensorsMetadata,
  saveToBytes,
} from "./in-memory.js";

export { saveToBytes };
export type { Format, SaveOptions, Savable, Loaded };

const formatFor = (path: string, opts: SaveOptions): Format =>
  opts.format ?? (path.endsWith(".safetensors") ? "safetensors" : "pt");

/** torch.save(obj, path): a state dict or checkpoint object, written atomically. */
export function save(obj: Savable, path: string, opts: SaveOptions = {}): void {
  writeFileAtomic(path, saveToBytes(obj, { ...opts, format: formatFor(path, opts) }));
}

/** torch.load(path or bytes): tensors keep the file's storage sharing and views. */
export function load(source: string | Uint8Array): Loaded {
  if (typeof source !== "string") return loadFromBytes(source);
  const bytes = readRegularFile(source, "load");
  try {
    return loadFromBytes(bytes);
  } catch (e) {
    // Name the file: "load runs/x.pt: pickle: global 'os.system' is not allowed …".
    if (e instanceof SerializationError) throw new SerializationError(`load ${source}: ${e.message}`);
    throw e;
  }
}

/** The __metadata__ of a safetensors file (or null). */
export function loadSafetensorsMetadata(source: string | Uint8Array): Record<string, string> | null {
  return safetensorsMetadata(typeof source === "string" ? readRegularFile(source, "loadSafetensorsMetadata") : source);
}
