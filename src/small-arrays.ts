// Small typed arrays carved out of shared slabs. A `new Float32Array(n)` above 64 bytes gets its
// own off-heap backing store, which V8 makes slowly (a calloc, an ArrayBuffer extension and
// external-memory accounting that triggers GCs): measured ~3 µs for 1 KiB against ~0.3 µs for a
// view on an existing buffer. Tensors of a few hundred elements are the common case of small-op
// and RNN-step code, so such arrays are views into 32 KiB slabs, bump-allocated and never reused
// (a slab is freed by the GC once every view into it is gone), as Node's Buffer pool does. Fresh
// slab memory is zero, so these arrays start zeroed like any new typed array.
const SLAB_BYTES = 1 << 15;
/** Arrays of at most this many bytes come from a slab (larger ones pin too much of it). */
export const SLAB_MAX_BYTES = 1 << 12;
/** V8 allocates typed arrays up to 64 bytes on its heap, which is already fast. */
export const SLAB_MIN_BYTES = 65;

let slab = new ArrayBuffer(SLAB_BYTES);
let used = 0;

/** The byte offset of `bytes` fresh zeroed bytes in `slab` (16-byte aligned). */
function take(bytes: number): number {
  if (used + bytes > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    used = 0;
  }
  const at = used;
  used += (bytes + 15) & ~15;
  return at;
}

export function slabFloat32(n: number): Float32Array {
  const at = take(n * 4);
  return new Float32Array(slab, at, n);
}
export function slabFloat64(n: number): Float64Array {
  const at = take(n * 8);
  return new Float64Array(slab, at, n);
}
export function slabInt32(n: number): Int32Array {
  const at = take(n * 4);
  return new Int32Array(slab, at, n);
}
export function slabUint8(n: number): Uint8Array {
  const at = take(n);
  return new Uint8Array(slab, at, n);
}
