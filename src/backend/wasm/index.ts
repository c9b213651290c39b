// The WebAssembly backend: the native backend's dispatch (../native/index.ts) driving the
// WebAssembly build of the same C++ kernels instead of the addon. With the threaded build's
// shared memory the kernels' float32 outputs are allocated in that memory and the tensors hold
// views of it (./heap-storage.ts); any other array is copied in and out per call (./heap.ts).
import type { Backend } from "../backend.js";
import { makeNativeBackend } from "../native/index.js";
import { makeWasmAddon, type WasmAddon } from "./kernels.js";
import type { HeapStorageOptions } from "./heap-storage.js";
import type { KernelExports } from "./module.js";

export interface WasmBackend {
  backend: Backend;
  kernels: WasmAddon;
}

export function makeWasmBackend(ex: KernelExports, options: HeapStorageOptions = {}): WasmBackend {
  const kernels = makeWasmAddon(ex, options);
  // Creation ops (parameters, optimizer state, inputs) allocate in the memory too (src/dtype.ts).
  const hostFloat32 = (n: number): Float32Array | null => kernels.heapStorage.float32(n);
  return { backend: { ...makeNativeBackend(kernels), name: "wasm", hostFloat32 }, kernels };
}
