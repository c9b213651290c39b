// Raw DEFLATE decoding for compressed zip entries (Node: zlib). The browser build swaps in
// ./inflate-browser.ts (package.json "browser" map).
import { inflateRawSync } from "node:zlib";

/** Inflates raw DEFLATE data that must decode to at most `size` bytes. */
export function inflateRaw(data: Uint8Array, size: number): Uint8Array {
  return new Uint8Array(inflateRawSync(data, { maxOutputLength: Math.max(1, size) }));
}
