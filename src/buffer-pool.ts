// Recycling of CPU kernel-output buffers that die inside a backward pass: the one place where
// JavaScript can know that memory is free without waiting for the garbage collector.
//
// PyTorch frees a gradient the moment its reference count drops to zero and its caching
// allocator hands the block to the next op. A JS typed array is only freed by a GC, so a training
// step would allocate every activation gradient afresh (tens of MB per step for a small CNN) and
// the collector would run often to reclaim them. Inside backward(), though, the engine itself holds
// every reference to the gradients flowing between nodes: a buffer that a kernel made during this
// pass, that reached no user code (no hooks, no custom Function, not stored as a .grad), is dead
// once the last node that receives it has run. GradBuffers counts those references; dead buffers
// go to a pool that uninitArray (src/dtype.ts) takes from, so the next forward reuses them.
//
// The pool keeps at most POOL_MAX_BYTES, and only what the last two backward passes released: a
// buffer no forward asked for by then is let go to the collector. (Not WeakRefs: a WeakRef's
// target, once read, stays alive until the current task ends, and a synchronous training loop is
// one task, so every buffer that went through the pool would leak.) FLINT_GRAD_POOL=0 turns
// recycling off.

/** What the tracker reads of a tensor (Tensor satisfies it; kept structural to avoid an import cycle). */
export interface PooledView {
  readonly storage: { readonly device: string; readonly data?: unknown };
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
  readonly base: unknown;
  readonly requiresGrad: boolean;
}

/** Buffers smaller than this are cheap to allocate and stay with the garbage collector. */
export const POOL_MIN_BYTES = 1 << 12;
/** At most this many bytes wait in the pool (more are left to the collector). */
const POOL_MAX_BYTES = 512 * 2 ** 20;

const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
let enabled = env?.FLINT_GRAD_POOL !== "0";

/** Free buffers by size in bytes, each with the backward pass that released it. */
const pool = new Map<number, { buf: ArrayBuffer; pass: number }[]>();
let pooledBytes = 0;
let passes = 0;

/** A dead buffer of exactly `bytes` bytes whose contents are garbage, or undefined. */
export function takeBuffer(bytes: number): ArrayBuffer | undefined {
  // Only backward passes take: a recycled buffer then keeps cycling between passes. Handed to a
  // forward activation it would die with the graph after having outlived young-generation
  // collections, and old-generation garbage costs V8 a full mark-sweep (measured: the seed CNN
  // went from ~1.5 scavenges per step to a mark-sweep every other step).
  if (pooledBytes === 0 || bornInPass === null) return undefined;
  const list = pool.get(bytes);
  if (list === undefined) return undefined;
  const entry = list.pop();
  if (entry === undefined) return undefined;
  pooledBytes -= bytes;
  return entry.buf;
}

function giveBuffer(buf: ArrayBuffer): void {
  const bytes = buf.byteLength;
  if (pooledBytes + bytes > POOL_MAX_BYTES) return;
  let list = pool.get(bytes);
  if (list === undefined) pool.set(bytes, (list = []));
  list.push({ buf, pass: passes });
  pooledBytes += bytes;
}

/** A backward pass begins: buffers released two passes ago and still unused are let go. */
function expireOldBuffers(): void {
  passes++;
  if (pooledBytes === 0) return;
  for (const [bytes, list] of pool) {
    let keep = 0;
    for (const e of list) if (e.pass >= passes - 2) list[keep++] = e;
    pooledBytes -= (list.length - keep) * bytes;
    list.length = keep;
    if (keep === 0) pool.delete(bytes);
  }
}

/** Drops every pooled buffer (tests, and torch.cpu-style cache control). */
export function emptyBufferPool(): void {
  pool.clear();
  pooledBytes = 0;
}
/** Bytes waiting in the pool. */
export function pooledBufferBytes(): number {
  return pooledBytes;
}
/** Turns recycling on or off (tests compare both); returns the previous setting. */
export function setBufferPoolEnabled(on: boolean): boolean {
  const was = enabled;
  enabled = on;
  if (!on) emptyBufferPool();
  return was;
}

/** The innermost active pass's set of buffers made while it runs. */
let bornInPass: Set<ArrayBuffer> | null = null;

/** uninitArray calls this for every fresh output buffer of at least POOL_MIN_BYTES (its storage array spans all of it). */
export function noteNewBuffer(buf: ArrayBuffer): void {
  if (bornInPass !== null) bornInPass.add(buf);
}

/**
 * The engine's references to gradient buffers during one backward pass. Only buffers made by
 * kernels during the pass are tracked (anything older, such as a user's gradient argument or a
 * saved tensor returned as a gradient, may be referenced elsewhere); a tracked buffer leaves the
 * tracking for good when it escapes to user code.
 */
export class GradBuffers {
  private readonly born = new Set<ArrayBuffer>();
  private readonly holds = new Map<ArrayBuffer, number>();
  private outer: Set<ArrayBuffer> | null = null;

  static create(): GradBuffers | null {
    return enabled ? new GradBuffers() : null;
  }

  start(): void {
    expireOldBuffers();
    this.outer = bornInPass;
    bornInPass = this.born;
  }
  stop(): void {
    bornInPass = this.outer;
  }

  private key(t: PooledView): ArrayBuffer | null {
    if (t.storage.device !== "cpu" || this.born.size === 0) return null;
    const data = t.storage.data as ArrayBufferView;
    // A tracked buffer's storage array spans all of it (uninitArray), so a smaller array is not
    // one; and reading `.buffer` of a small array would make V8 move it out of its heap object
    // (a malloc and a copy per gradient of a small tensor).
    if (data.byteLength < POOL_MIN_BYTES) return null;
    const buf = data.buffer as ArrayBuffer;
    return this.born.has(buf) ? buf : null;
  }

  /** One more engine reference to t's buffer. */
  hold(t: PooledView): void {
    const k = this.key(t);
    if (k !== null) this.holds.set(k, (this.holds.get(k) ?? 0) + 1);
  }

  /** One engine reference fewer; at none, the buffer is dead and goes to the pool. */
  drop(t: PooledView): void {
    const k = this.key(t);
    if (k === null) return;
    const n = (this.holds.get(k) ?? 0) - 1;
    if (n > 0) {
      this.holds.set(k, n);
      return;
    }
    this.holds.delete(k);
    this.born.delete(k);
    giveBuffer(k);
  }

  /** t reached code the engine cannot see (a hook, a custom Function, a .grad): never recycle it. */
  escape(t: PooledView): void {
    const k = this.key(t);
    if (k === null) return;
    this.born.delete(k);
    this.holds.delete(k);
  }

  /**
   * Whether t is the engine's to reuse in place: a dense tensor over its whole tracked buffer,
   * referenced exactly `refs` times by the engine and nowhere else.
   */
  owns(t: PooledView, refs: number): boolean {
    const k = this.key(t);
    if (k === null || this.holds.get(k) !== refs || t.offset !== 0 || t.base !== null || t.requiresGrad) return false;
    const data = t.storage.data as ArrayBufferView & { length: number };
    if (data.byteOffset !== 0 || data.byteLength !== k.byteLength) return false;
    let expected = 1;
    for (let d = t.shape.length - 1; d >= 0; d--) {
      if (t.shape[d] !== 1 && t.strides[d] !== expected) return false;
      expected *= t.shape[d];
    }
    return expected === data.length;
  }
}
