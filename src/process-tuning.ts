// torch.tuneProcess(): the process-wide settings that make training on a small machine faster,
// as an explicit opt-in (importing Flint changes nothing outside Flint). The `flint` CLI calls it;
// a program that trains calls it once at start, a library that embeds Flint may leave it off.
//   - malloc: glibc keeps freed large blocks in the heap (mallopt M_MMAP_THRESHOLD, M_TRIM_THRESHOLD,
//     M_TOP_PAD) instead of unmapping them, so a training step's reallocated activation buffers
//     cost no page faults (native/addon.cc). Affects every allocation of the host process.
//   - v8: V8 frees dead ArrayBuffers on the main thread after a GC instead of on a background
//     thread that competes with the kernels' thread pool (src/backend/select.ts). Skipped when
//     FLINT_KEEP_V8_FLAGS=1.
//   - storage: kernel outputs of 4 KiB and more come from the native addon's caching allocator,
//     which also schedules the young-generation collections that free them (native/storage.cc):
//     a conv-net training step then sees ~1 scavenge instead of ~6 and few mark-compacts. Needs
//     the v8 setting (dead buffers are then swept before the collection returns); main thread
//     only. FLINT_NATIVE_STORAGE=0 leaves V8's allocator; FLINT_STORAGE_YOUNG_MB (default 256)
//     sets how many MB of tensor storage are handed out between two scavenges. The end of each
//     backward (and DDP's reducer, before its all-reduce wait) tells the allocator that a step's
//     activations are dead (src/storage-step.ts): its scavenges then happen there, once per step
//     or fewer, instead of mid-step. FLINT_STEP_GC=0 leaves them to the byte budget alone.
import { isMainThread } from "node:worker_threads";
import { freeArrayBuffersOnMainThread } from "./backend/select.js";
import { nativeAddon } from "./backend/native/addon.js";
import { getStorageAllocator, setStorageAllocator } from "./dtype.js";
import { setStorageStepBoundary } from "./storage-step.js";

export interface TuneProcessOptions {
  /** Keep freed large blocks in glibc's heap (default true; needs the native addon and glibc). */
  malloc?: boolean;
  /** Free ArrayBuffers on the main thread (default true). */
  v8?: boolean;
  /** Tensor storage from the native caching allocator (default true; needs the addon and `v8`). */
  storage?: boolean;
}

/** What tuneProcess applied. */
export interface TuneProcessResult {
  malloc: boolean;
  v8: boolean;
  storage: boolean;
}

type AddonWithMalloc = NonNullable<ReturnType<typeof nativeAddon>> & {
  keepLargeBlocksInHeap?: () => boolean;
  storageEnable?: (maxYoungBudgetMB: number, exposeGcGiven: boolean) => boolean;
  storageAlloc?: (bytes: number) => ArrayBuffer | undefined;
  storageStepBoundary?: () => boolean;
};

export function tuneProcess(options: TuneProcessOptions = {}): TuneProcessResult {
  const out = { malloc: false, v8: false, storage: false };
  const addon = nativeAddon() as AddonWithMalloc | null;
  if (options.malloc ?? true) {
    out.malloc = addon?.keepLargeBlocksInHeap?.() ?? false;
  }
  if ((options.v8 ?? true) && process.env.FLINT_KEEP_V8_FLAGS !== "1") {
    freeArrayBuffersOnMainThread();
    out.v8 = true;
  }
  if ((options.storage ?? true) && out.v8 && isMainThread && process.env.FLINT_NATIVE_STORAGE !== "0") {
    const young = Number(process.env.FLINT_STORAGE_YOUNG_MB ?? "256");
    // A global gc() means node was started with --expose-gc, which the allocator then leaves on.
    const exposeGc = typeof (globalThis as { gc?: unknown }).gc === "function";
    if (addon?.storageEnable && addon.storageAlloc && addon.storageEnable(young > 0 ? young : 256, exposeGc)) {
      setStorageAllocator(addon.storageAlloc);
      setStorageStepBoundary(process.env.FLINT_STEP_GC === "0" ? null : (addon.storageStepBoundary ?? null));
      out.storage = true;
    }
  } else if (addon?.storageAlloc !== undefined && getStorageAllocator() === addon.storageAlloc) {
    // Asked off after an earlier call turned it on: new storage comes from V8 again.
    setStorageAllocator(null);
    setStorageStepBoundary(null);
  }
  return out;
}
