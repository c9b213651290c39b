// Browser build of ./save-load.ts (package.json "browser" map): the same functions on bytes
// (Uint8Array, or an ArrayBuffer's view); a path needs a file system, which a page does not have.
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

const noFiles = (fn: string, path: string): Error =>
  new Error(
    `${fn}('${path}'): not implemented in the browser build (no file system); use ${fn === "save" ? "saveToBytes and a download" : "the file's bytes (Uint8Array)"}`,
  );

/** torch.save to a path: Node only; in the browser use saveToBytes. */
export function save(_obj: Savable, path: string, _opts: SaveOptions = {}): void {
  throw noFiles("save", path);
}

/** torch.load from bytes. */
export function load(source: string | Uint8Array): Loaded {
  if (typeof source === "string") throw noFiles("load", source);
  return loadFromBytes(source);
}

/** The __metadata__ of safetensors bytes (or null). */
export function loadSafetensorsMetadata(source: string | Uint8Array): Record<string, string> | null {
  if (typeof source === "string") throw noFiles("loadSafetensorsMetadata", source);
  return safetensorsMetadata(source);
}
