// Tensor storage in the WebAssembly memory: the backend's float32 / int64 outputs are allocated
// with flint_alloc and handed to the tensor as a typed-array view of the memory, so the next
// kernel that reads them gets their address (no copy in) and the kernel that makes them writes
// them in place (no copy out). Each range is freed once its view is garbage-collected.
//
// Only on a shared memory (the threaded build, ./threads.ts): growing a SharedArrayBuffer-backed
// memory never detaches the views made before (a new, longer SharedArrayBuffer object is made;
// the old ones keep pointing at the same bytes), and the kernels grow the memory for their
// scratch at any time. A non-shared memory (the one-thread build, e.g. a page without
// cross-origin isolation) detaches every view on growth, turning tensors into empty arrays, so
// there storage stays in JavaScript and every call copies (./heap.ts).
//
// FinalizationRegistry callbacks run between tasks, never inside a synchronous training loop, so
// the ranges of a loop that never yields are only freed after it. Two limits keep such a loop
// from growing the memory (fresh pages, each a page fault, and a memory that never shrinks): the
// bytes allocated since the event loop last turned (the budget), and the live bytes (the cap).
// Past either, or when flint_alloc fails, an allocation returns null and the caller makes a
// JavaScript array (copied through the arena as before): the heap never traps for storage, and
// keeps room for the kernels' scratch.
import type { KernelExports } from "./module.js";

type Elems = Float32Array | Float64Array | Int32Array;

/**
 * Below this many bytes an output stays in JavaScript: copying it costs less than registering it,
 * and it stays zero-filled as uninitArray (src/dtype.ts) makes it at these sizes.
 */
const MIN_BYTES = 1 << 12;
/** Default cap on live storage bytes (the shared memory may grow to 4 GiB; the rest is scratch). */
export const DEFAULT_HEAP_CAP = 1 << 30;
/**
 * Default ballast, as a fraction of the storage's size (see `ballast` below): half in Node, the
 * full size in a browser. In Chromium a collection comes later for the same external memory, and
 * every page the memory grows by is slow to touch the first time (writing 64 MB into fresh arrays
 * costs ~35x Node's): with half, the seed CNN demo's memory was still growing at step 27 (177 MiB);
 * with the full size it stopped at step 5 (115 MiB), steps that do not grow the memory taking as
 * long (bench/browser.ts --ballast; the page's ?ballast=).
 */
export const DEFAULT_BALLAST = 0.5,
  DEFAULT_BROWSER_BALLAST = 1;
/** Default budget of storage bytes allocated between two turns of the event loop. */
export const DEFAULT_HEAP_BUDGET = 128 << 20;

export interface HeapStorageOptions {
  /** false: keep storage in JavaScript (today's copy path); default: on for a shared memory. */
  enabled?: boolean;
  /** Cap on live storage bytes in the heap (default 1 GiB). */
  cap?: number;
  /** Bytes that may be allocated in the heap before the event loop turns (default 128 MiB). */
  budget?: number;
  /** The ballast's size as a fraction of the storage's (default 0.5; see `ballast`). */
  ballast?: number;
}

/** The WebAssembly memory's use: its size, live storage, and storage allocations so far. */
export interface HeapStats {
  memoryBytes: number;
  liveBytes: number;
  /** Storage allocations made in the memory. */
  heap: number;
  /** Allocations that fell back to JavaScript arrays (over the cap or the per-turn budget, or no memory). */
  fallback: number;
  freed: number;
}

/**
 * FLINT_WASM_HEAP_STORAGE=0 turns heap storage off (for A/B benchmarks); FLINT_WASM_HEAP_CAP and
 * FLINT_WASM_HEAP_BUDGET set the cap and the budget in bytes.
 */
function envOptions(): HeapStorageOptions {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
  const bytes = (v: string | undefined): number | undefined => (v && Number(v) >= 0 ? Number(v) : undefined);
  const cap = bytes(env.FLINT_WASM_HEAP_CAP),
    budget = bytes(env.FLINT_WASM_HEAP_BUDGET);
  return {
    ...(env.FLINT_WASM_HEAP_STORAGE === "0" ? { enabled: false } : {}),
    ...(cap !== undefined ? { cap } : {}),
    ...(budget !== undefined ? { budget } : {}),
  };
}

/**
 * The collector does not see the WebAssembly memory: a view is a small object, so left alone it
 * would be collected (and its range freed) rarely, and every new tensor would take fresh pages
 * of a growing memory (page faults, the memory never shrinking). Each view therefore carries an
 * ArrayBuffer that is never written (uninitialised in Node: no pages touched), which the
 * collector counts as external memory, so it collects these tensors about as often as
 * JavaScript-array tensors. Half the storage's size by default in Node: a full-size ballast made
 * the seed CNN step ~10 % slower there (more collections) for a peak memory of ~85 MB instead of
 * ~220 MB; a tenth was too little (nothing collected in 16 steps). The full size in a browser
 * (DEFAULT_BROWSER_BALLAST: fresh pages cost more there). A WeakMap, not a property, so the
 * views keep the shape of plain typed arrays for the JIT.
 */
const ballast = new WeakMap<object, ArrayBuffer>();
const nodeBuffer = (globalThis as { Buffer?: { allocUnsafeSlow(n: number): { buffer: ArrayBuffer } } }).Buffer;
const untouched = (bytes: number): ArrayBuffer =>
  nodeBuffer ? nodeBuffer.allocUnsafeSlow(bytes).buffer : new ArrayBuffer(bytes);

/** A timer that does not keep Node's process alive (browsers' timers are numbers). */
const unrefTimer = (t: unknown): void => (t as { unref?: () => void }).unref?.();

export class HeapStorage {
  /** Whether outputs are allocated in the heap at all (a shared memory, not turned off). */
  readonly enabled: boolean;
  /** Cap on live storage bytes; may be changed at any time (0 stops new heap storage). */
  cap: number;
  /** Budget of bytes allocated between two turns of the event loop; may be changed at any time. */
  budget: number;
  /** Bytes of storage allocated and not yet freed. */
  live = 0;
  private readonly ballastFraction: number;
  /** Bytes allocated since the event loop last turned (reset by a timer set at the first of them). */
  private sinceTurn = 0;
  private readonly turned = (): void => {
    this.sinceTurn = 0;
  };
  /** Storage allocations made in the heap, and those that fell back to JavaScript (over the cap, or no memory). */
  readonly counts = { heap: 0, fallback: 0, freed: 0 };
  /**
   * Every buffer object the memory has handed out: after a growth memory.buffer is a new
   * SharedArrayBuffer object, while views made before keep the old one.
   */
  private readonly buffers = new WeakSet<object>();
  private readonly registry: FinalizationRegistry<readonly [number, number]>;

  constructor(
    private readonly ex: KernelExports,
    options: HeapStorageOptions = {},
  ) {
    const opts = { ...envOptions(), ...options };
    const shared = typeof SharedArrayBuffer !== "undefined" && ex.memory.buffer instanceof SharedArrayBuffer;
    this.enabled = shared && opts.enabled !== false;
    this.cap = opts.cap ?? DEFAULT_HEAP_CAP;
    this.budget = opts.budget ?? DEFAULT_HEAP_BUDGET;
    this.ballastFraction = opts.ballast ?? (nodeBuffer ? DEFAULT_BALLAST : DEFAULT_BROWSER_BALLAST);
    this.registry = new FinalizationRegistry(([ptr, bytes]) => {
      ex.flint_free(ptr);
      this.live -= bytes;
      this.counts.freed++;
    });
  }

  /** What benchmarks print: the memory's size, the live storage bytes and the allocation counts. */
  stats(): HeapStats {
    return { memoryBytes: this.ex.memory.buffer.byteLength, liveBytes: this.live, ...this.counts };
  }

  /** A float32 array of n elements in the heap, or null (the caller makes a JavaScript array). */
  float32(n: number): Float32Array | null {
    const ptr = this.alloc(n * 4);
    return ptr === 0 ? null : this.track(new Float32Array(this.buffer(), ptr, n), ptr, n * 4);
  }

  /** A float64 array (int64 storage: max-pool indices) of n elements in the heap, or null. */
  float64(n: number): Float64Array | null {
    const ptr = this.alloc(n * 8);
    return ptr === 0 ? null : this.track(new Float64Array(this.buffer(), ptr, n), ptr, n * 8);
  }

  /** Whether array is a view of this module's memory (its elements' address is array.byteOffset). */
  owns(array: Elems): boolean {
    return this.enabled && this.buffers.has(array.buffer);
  }

  private alloc(bytes: number): number {
    if (!this.enabled || bytes < MIN_BYTES) return 0;
    if (this.live + bytes > this.cap || this.sinceTurn + bytes > this.budget) {
      this.counts.fallback++;
      return 0;
    }
    const ptr = this.ex.flint_alloc(bytes);
    if (ptr === 0) {
      this.counts.fallback++;
      return 0;
    }
    if (this.sinceTurn === 0) unrefTimer(setTimeout(this.turned, 0));
    this.sinceTurn += bytes;
    return ptr;
  }

  private buffer(): ArrayBuffer {
    const b = this.ex.memory.buffer;
    this.buffers.add(b);
    return b;
  }

  private track<T extends Elems>(view: T, ptr: number, bytes: number): T {
    this.live += bytes;
    this.counts.heap++;
    // The held value must not refer to the view, or it would never be collected.
    this.registry.register(view, [ptr, bytes] as const);
    if (this.ballastFraction > 0) ballast.set(view, untouched(Math.ceil(bytes * this.ballastFraction)));
    return view;
  }
}
