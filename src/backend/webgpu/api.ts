// torch.webgpu: PyTorch's torch.cuda-style functions for the webgpu device. Opening a WebGPU
// device is asynchronous, so a program awaits torch.webgpu.init() once before tensors go to the
// device; isAvailable() answers synchronously without it (see ./probe.ts).
import { registerBackend } from "../registry.js";
import { emptyCache as dropCache, memoryAllocated as allocated, memoryReserved as reserved } from "./buffers.js";
import * as rt from "./runtime.js";
import { dropMetaPool, flush } from "./dispatch.js";
import { webgpuBackend } from "./backend.js";
import { probeAdapterSync } from "./probe.js";

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

/**
 * Whether a WebGPU adapter exists (torch.cuda.is_available), synchronously and without init():
 * after init() its result; before it, in Node, a one-off child process asks Dawn for an adapter
 * (about a second, cached); in a browser, false until init() has opened a device (a page cannot
 * wait for the adapter request: this call starts it, so a later call after an await can say true).
 * Tensors still need `await torch.webgpu.init()` before they can move to the device.
 */
export function isAvailable(): boolean {
  if (rt.isReady()) return true;
  if (rt.unavailableReason() !== null) return false; // init() ran and found nothing
  const probed = probeAdapterSync();
  if (probed === null) void init();
  return probed === true;
}
/** 1 when isAvailable(), else 0 (Flint uses one WebGPU device, the adapter's). */
export const deviceCount = (): number => (isAvailable() ? 1 : 0);
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
