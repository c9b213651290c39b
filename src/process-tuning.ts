// torch.tuneProcess(): the process-wide settings that make training on a small machine faster,
// as an explicit opt-in (importing Flint changes nothing outside Flint). The `flint` CLI calls it;
// a program that trains calls it once at start, a library that embeds Flint may leave it off.
//   - malloc: glibc keeps freed large blocks in the heap (mallopt M_MMAP_THRESHOLD, M_TRIM_THRESHOLD,
//     M_TOP_PAD) instead of unmapping them, so a training step's reallocated activation buffers
//     cost no page faults (native/addon.cc). Affects every allocation of the host process.
//   - v8: V8 frees dead ArrayBuffers on the main thread after a GC instead of on a background
//     thread that competes with the kernels' thread pool (src/backend/select.ts). Skipped when
//     FLINT_KEEP_V8_FLAGS=1.
import { freeArrayBuffersOnMainThread } from "./backend/select.js";
import { nativeAddon } from "./backend/native/addon.js";

export interface TuneProcessOptions {
  /** Keep freed large blocks in glibc's heap (default true; needs the native addon and glibc). */
  malloc?: boolean;
  /** Free ArrayBuffers on the main thread (default true). */
  v8?: boolean;
}

/** What tuneProcess applied. */
export interface TuneProcessResult {
  malloc: boolean;
  v8: boolean;
}

type AddonWithMalloc = NonNullable<ReturnType<typeof nativeAddon>> & { keepLargeBlocksInHeap?: () => boolean };

export function tuneProcess(options: TuneProcessOptions = {}): TuneProcessResult {
  const out = { malloc: false, v8: false };
  if (options.malloc ?? true) {
    const addon = nativeAddon() as AddonWithMalloc | null;
    out.malloc = addon?.keepLargeBlocksInHeap?.() ?? false;
  }
  if ((options.v8 ?? true) && process.env.FLINT_KEEP_V8_FLAGS !== "1") {
    freeArrayBuffersOnMainThread();
    out.v8 = true;
  }
  return out;
}
