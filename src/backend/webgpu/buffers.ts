// GPU memory for tensors: storages that own a GPUBuffer, a caching allocator with size buckets
// (creating a GPUBuffer costs far more than reusing one), release after garbage collection
// through a FinalizationRegistry (users never call dispose(), as on the CPU), and emptyCache().
//
// Element types on the GPU (WGSL has no 64-bit types and no 8-bit storage):
//   float32        -> f32
//   int64, int32   -> i32: int64 indices and targets are narrowed on upload, and the upload throws
//                     when a value is outside [-2^31, 2^31) instead of wrapping it silently
//   bool, uint8    -> u32 (0/1 for bool)
//   float64        -> not supported: WebGPU has no 64-bit floats (convert with .float() first)
// Every element is 4 bytes, so element offsets and byte offsets differ by a factor of 4 everywhere.
import type { DType, TypedArray } from "../../dtype.js";
import { gpuRuntime } from "./runtime.js";
import { flush } from "./dispatch.js";
import { freeAfterGC } from "../../storage.js";
import { WebGpuStorage } from "./storage.js";

export type GpuKind = "f32" | "i32" | "u32";

/** A GPU buffer owned by one storage; `numel` elements of `kind`. */
export interface GpuStorage {
  readonly buffer: GPUBuffer;
  readonly numel: number;
  readonly kind: GpuKind;
}

/** A strided view over a GPU storage: what the WebGPU kernels read and write. */
export interface GpuView {
  readonly storage: GpuStorage;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
  readonly dtype: DType;
}

export function kindOf(dtype: DType, op = "webgpu"): GpuKind {
  switch (dtype) {
    case "float32":
      return "f32";
    case "int64":
    case "int32":
      return "i32";
    case "bool":
    case "uint8":
      return "u32";
    case "float64":
      throw new TypeError(
        `${op}: float64 is not supported on webgpu (WebGPU has no 64-bit floats); convert with .float() first`,
      );
  }
}

const USAGE = 0x80 /* STORAGE */ | 0x04 /* COPY_SRC */ | 0x08; /* COPY_DST */

/** Bucketed size in bytes: 4 steps per power of two (at most 25% unused), at least 256 bytes. */
export function bucketBytes(bytes: number): number {
  if (bytes <= 256) return 256;
  const p = 2 ** Math.floor(Math.log2(bytes - 1));
  const step = Math.max(p / 4, 256);
  return Math.ceil(bytes / step) * step;
}

const free = new Map<number, GPUBuffer[]>();
let cachedBytes = 0;
let liveBytes = 0;

/** A buffer of at least `bytes` bytes, reused from the cache when one of its bucket is free. */
export function acquireBuffer(bytes: number): GPUBuffer {
  const size = bucketBytes(bytes);
  const list = free.get(size);
  const hit = list?.pop();
  liveBytes += size;
  if (hit) {
    cachedBytes -= size;
    return hit;
  }
  return gpuRuntime("webgpu alloc").device.createBuffer({ size, usage: USAGE });
}

/**
 * Puts a buffer back in the cache. Work already submitted that reads it still sees its old
 * contents: the queue runs in order, and every later write comes through the same queue.
 */
export function releaseBuffer(buf: GPUBuffer): void {
  const size = buf.size;
  liveBytes -= size;
  cachedBytes += size;
  let list = free.get(size);
  if (!list) free.set(size, (list = []));
  list.push(buf);
}

/** A new storage of `numel` elements (contents undefined); its buffer returns to the cache after GC. */
export function allocStorage(numel: number, kind: GpuKind): WebGpuStorage {
  const buffer = acquireBuffer(Math.max(numel, 1) * 4);
  const s = new WebGpuStorage(buffer, numel, kind);
  freeAfterGC(s, () => releaseBuffer(buffer));
  return s;
}

/** torch.webgpu.emptyCache(): frees the cached (unused) buffers; live tensors keep theirs. */
export function emptyCache(): void {
  flush(); // cached buffers may still be named by recorded launches
  for (const list of free.values()) for (const b of list) b.destroy();
  free.clear();
  cachedBytes = 0;
}

/** Bytes held by live storages and by the cache (torch.cuda.memory_allocated / memory_reserved). */
export const memoryAllocated = (): number => liveBytes;
export const memoryReserved = (): number => liveBytes + cachedBytes;

/** The 4-byte-element array to upload for a CPU array of `dtype`, range-checked for int64. */
function toGpuArray(data: TypedArray, dtype: DType, op: string): Float32Array | Int32Array | Uint32Array {
  const kind = kindOf(dtype, op);
  if (kind === "f32") return data instanceof Float32Array ? data : Float32Array.from(data);
  if (kind === "u32") return Uint32Array.from(data);
  if (data instanceof Int32Array) return data;
  const out = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < -2147483648 || v > 2147483647) {
      throw new RangeError(
        `${op}: int64 value ${v} does not fit the webgpu device's 32-bit integers (WebGPU has no 64-bit integers; int64 tensors are stored as int32 there)`,
      );
    }
    out[i] = v;
  }
  return out;
}

/** Uploads a contiguous CPU array of `dtype` into a new storage. */
export function upload(data: TypedArray, dtype: DType, op = "to(webgpu)"): WebGpuStorage {
  const arr = toGpuArray(data, dtype, op);
  const s = allocStorage(arr.length, kindOf(dtype, op));
  // The buffer may come from the cache while recorded launches still read its old contents.
  flush();
  if (arr.length > 0) gpuRuntime(op).device.queue.writeBuffer(s.buffer, 0, arr.buffer, arr.byteOffset, arr.byteLength);
  return s;
}

/** Reads `numel` elements from element `offset` of a storage back as the CPU array of `dtype`. */
export async function readback(s: GpuStorage, dtype: DType, offset = 0, numel = s.numel - offset): Promise<TypedArray> {
  const { device } = gpuRuntime("readback");
  const bytes = numel * 4;
  const raw = new ArrayBuffer(bytes);
  flush();
  if (numel > 0) {
    const staging = device.createBuffer({
      size: Math.ceil(bytes / 4) * 4,
      usage: 0x01 /* MAP_READ */ | 0x08 /* COPY_DST */,
    });
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(s.buffer, offset * 4, staging, 0, bytes);
    device.queue.submit([enc.finish()]);
    await staging.mapAsync(0x0001 /* GPUMapMode.READ */);
    new Uint8Array(raw).set(new Uint8Array(staging.getMappedRange(0, bytes)));
    staging.unmap();
    staging.destroy();
  }
  switch (dtype) {
    case "float32":
      return new Float32Array(raw);
    case "int32":
      return new Int32Array(raw);
    case "int64":
      return Float64Array.from(new Int32Array(raw));
    case "bool":
    case "uint8":
      return Uint8Array.from(new Uint32Array(raw));
    case "float64":
      throw new TypeError("readback: float64 is not supported on webgpu");
  }
}
