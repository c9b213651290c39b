// torch.webgpu: PyTorch's torch.cuda-style functions for the webgpu device. Opening a WebGPU
// device is asynchronous, so a program awaits torch.webgpu.init() once before isAvailable()
// can say true (PyTorch's is_available() is synchronous; a WebGPU adapter request is not).
import { registerBackend } from "../registry.js";
import { emptyCache as dropCache, memoryAllocated as allocated, memoryReserved as reserved } from "./buffers.js";
import * as rt from "./runtime.js";
import { dropMetaPool, flush } from "./dispatch.js";
import { webgpuBackend } from "./backend.js";

/**
 * Opens the WebGPU device (navigator.gpu in a browser, the optional `webgpu` npm package in Node)
 * and registers the webgpu backend; resolves to false when there is no adapter (see
 * unavailableReason()). Later calls return the same answer.
 */
export async function init(): Promise<boolean> {
  const ok = await rt.init();
  if (ok) registerBackend(webgpuBackend);
  return ok;
}

/** True once init() has opened a device. */
export const isAvailable = (): boolean => rt.isReady();
/** 1 once init() has opened a device, else 0 (Flint uses one WebGPU device). */
export const deviceCount = (): number => (rt.isReady() ? 1 : 0);
/** The adapter's name, e.g. "google swiftshader …", or null before init(). */
export const getDeviceName = (): string | null => rt.adapterName();
/** Why init() found no device, or null. */
export const unavailableReason = (): string | null => rt.unavailableReason();
/** Frees the cached GPU buffers that no tensor uses (torch.cuda.empty_cache). */
export const emptyCache = (): void => dropCache();
/** Bytes of GPU buffers held by live tensors (torch.cuda.memory_allocated). */
export const memoryAllocated = (): number => allocated();
/** Bytes held by live tensors and the cache (torch.cuda.memory_reserved). */
export const memoryReserved = (): number => reserved();

/** Resolves when the GPU has finished all work submitted so far (torch.cuda.synchronize, awaited). */
export async function synchronize(): Promise<void> {
  flush();
  await rt.gpuRuntime("synchronize").device.queue.onSubmittedWorkDone();
}

/**
 * Frees the cache and destroys the device: in Node a live Dawn instance keeps the process from
 * exiting, so a script that is done with the GPU calls this. Tensors on the old device are
 * unusable afterwards; init() opens a new one.
 */
export function shutdown(): void {
  if (!rt.isReady()) return;
  dropCache();
  dropMetaPool();
  rt.shutdown();
}
