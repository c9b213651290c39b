// Browser build of ./inflate.ts: browsers decompress DEFLATE only asynchronously
// (DecompressionStream), and zip decoding here is synchronous. torch.save and Flint write
// stored (uncompressed) entries, so .pt files from them load; a re-zipped, compressed archive does not.
export function inflateRaw(_data: Uint8Array, _size: number): Uint8Array {
  throw new Error(
    "not implemented in the browser build: compressed zip entries (torch.save writes stored entries; re-save the file with torch.save)",
  );
}
