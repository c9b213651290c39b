// The WebAssembly backend: the native backend's dispatch (../native/index.ts) driving the
// WebAssembly build of the same C++ kernels instead of the addon. With the threaded build's
// shared memory the kernels' float32 outputs are allocated in that memory and the tensors hold
// views of it (./heap-storage.ts); any other array is copied in and out per call (./heap.ts).
import type { Backend } from "../backend.js";
import { makeNativeBackend } from "../native/index.js";
import { makeWasmAddon, type WasmAddon } from "./kernels.js";
import type { HeapStorageOptions } from "./heap-storage.js";
import type { KernelExports } from "./module.js";
import { chooseGemmVariant, type GemmChoice } from "./gemm-variant.js";

export interface WasmBackend {
  backend: Backend;
  kernels: WasmAddon;
  /** The GEMM micro-kernel variant this engine runs, and how it was chosen (./gemm-variant.ts). */
  gemm: GemmChoice;
}

/** gemmVariant: "a" or "b" skips the timing probe that otherwise picks one (./gemm-variant.ts). */
export function makeWasmBackend(
  ex: KernelExports,
  options: HeapStorageOptions = {},
  gemmVariant?: string,
): WasmBackend {
  // Before the heap storage takes the memory: the probe's operands are freed again.
  const gemm = chooseGemmVariant(ex, gemmVariant);
  const kernels = makeWasmAddon(ex, options);
  // Creation ops (parameters, optimizer state, inputs) allocate in the memory too (src/dtype.ts).
  const hostFloat32 = (n: number): Float32Array | null => kernels.heapStorage.float32(n);
  return { backend: { ...makeNativeBackend(kernels), name: "wasm", hostFloat32 }, kernels, gemm };
}
