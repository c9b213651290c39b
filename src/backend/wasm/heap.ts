// Moving typed arrays through the WebAssembly memory for one kernel call. An array that is a view
// of the memory (tensor storage allocated there, ./heap-storage.ts) is passed by its address: no
// copy either way. Any other argument gets a region of one reusable arena (grown, never shrunk),
// inputs copied in before the call and outputs copied out after it.
import type { HeapStorage } from "./heap-storage.js";
import type { KernelExports } from "./module.js";

type Elems = Float32Array | Float64Array | Int32Array;

/** One array argument: elements [start, start + length) of `array`, copied in and/or out. */
export interface Region {
  array: Elems;
  start: number;
  length: number;
  /** Copy the elements into the heap before the call (false: the kernel overwrites them all). */
  input: boolean;
  /** Copy the elements back after the call. */
  output: boolean;
}

const ALIGN = 64;
const roundUp = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;

export class Heap {
  private arena = 0;
  private capacity = 0;
  /** A fixed block for int32 arguments (geometry, strides, shapes) and scalar out-parameters. */
  readonly ints: number;
  static readonly INTS = 256;

  constructor(
    private readonly ex: KernelExports,
    /** Which arrays live in the memory already (none when absent). */
    private readonly storage: HeapStorage | null = null,
  ) {
    this.ints = ex.flint_alloc(Heap.INTS * 4);
    if (this.ints === 0) throw new RangeError("flint wasm: out of memory for the argument block");
  }

  /** Writes int32 values at the start of the int block (index `at` onward) and returns their address. */
  putInts(values: readonly number[], at = 0): number {
    if (at + values.length > Heap.INTS)
      throw new RangeError(`flint wasm: ${values.length} integer arguments exceed the block`);
    new Int32Array(this.ex.memory.buffer, this.ints, Heap.INTS).set(values, at);
    return this.ints + at * 4;
  }

  readInt(at: number): number {
    return new Int32Array(this.ex.memory.buffer, this.ints, Heap.INTS)[at];
  }

  /**
   * Runs fn with the regions' addresses (0 for null): an in-memory array's own, the others placed
   * in the arena, inputs copied in before and outputs copied back after. The memory may grow
   * inside fn (the kernels allocate scratch), so views are made fresh after it. In-memory
   * arguments alias as they do for the native addon (a kernel sees the same bytes); copied ones
   * each get their own region, as before.
   */
  run<T>(regions: readonly (Region | null)[], fn: (ptrs: number[]) => T): T {
    const st = this.storage;
    const direct = regions.map((r) => r !== null && st !== null && st.owns(r.array));
    let bytes = 0;
    regions.forEach((r, i) => {
      if (r && !direct[i]) bytes += roundUp(r.length * r.array.BYTES_PER_ELEMENT);
    });
    if (bytes > 0) this.reserve(bytes);
    const ptrs: number[] = [];
    let at = this.arena;
    const buffer = this.ex.memory.buffer;
    for (let i = 0; i < regions.length; i++) {
      const r = regions[i];
      if (!r) {
        ptrs.push(0);
        continue;
      }
      if (direct[i]) {
        ptrs.push(r.array.byteOffset + r.start * r.array.BYTES_PER_ELEMENT);
        continue;
      }
      ptrs.push(at);
      if (r.input && r.length > 0)
        view(buffer, r.array, at, r.length).set(r.array.subarray(r.start, r.start + r.length));
      at += roundUp(r.length * r.array.BYTES_PER_ELEMENT);
    }
    let result: T;
    try {
      result = fn(ptrs);
    } catch (e) {
      // A trap: the kernels abort only when a work buffer cannot be allocated (native/scratch.cc).
      if (e instanceof Error && e.name === "RuntimeError") {
        throw new RangeError(
          `flint wasm: a kernel ran out of memory (${this.ex.memory.buffer.byteLength} bytes in use; ${e.message})`,
        );
      }
      throw e;
    }
    const after = this.ex.memory.buffer;
    regions.forEach((r, i) => {
      if (r && !direct[i] && r.output && r.length > 0) r.array.set(view(after, r.array, ptrs[i], r.length), r.start);
    });
    return result;
  }

  private reserve(bytes: number): void {
    if (bytes <= this.capacity) return;
    if (this.arena !== 0) this.ex.flint_free(this.arena);
    const want = roundUp(Math.max(bytes, this.capacity * 1.5, 1 << 20));
    this.arena = this.ex.flint_alloc(want);
    if (this.arena === 0) {
      this.capacity = 0;
      throw new RangeError(`flint wasm: out of memory (${bytes} bytes of kernel arguments)`);
    }
    this.capacity = want;
  }
}

function view(buffer: ArrayBuffer, like: Elems, byteOffset: number, length: number): Elems {
  if (like instanceof Float32Array) return new Float32Array(buffer, byteOffset, length);
  if (like instanceof Float64Array) return new Float64Array(buffer, byteOffset, length);
  return new Int32Array(buffer, byteOffset, length);
}
