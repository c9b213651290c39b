// The storage of a webgpu tensor: a GPU buffer from the caching allocator (./buffers.ts), whose
// elements are 4 bytes each (f32, i32 for int64/int32, u32 for bool/uint8). Its buffer goes back
// to the cache once the storage is garbage-collected (freeAfterGC).
import { DeviceStorage } from "../../storage.js";
import type { GpuKind, GpuStorage } from "./buffers.js";

export class WebGpuStorage extends DeviceStorage implements GpuStorage {
  constructor(
    readonly buffer: GPUBuffer,
    readonly length: number,
    readonly kind: GpuKind,
  ) {
    super();
  }
  get device(): "webgpu" {
    return "webgpu";
  }
  get numel(): number {
    return this.length;
  }
}
