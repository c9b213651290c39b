// The WebAssembly backend: the native backend's dispatch (../native/index.ts) driving the
// WebAssembly build of the same C++ kernels instead of the addon. Tensor storage stays in
// JavaScript; each kernel call copies its operands into the module's memory and the results out.
import type { Backend } from "../backend.js";
import { makeNativeBackend } from "../native/index.js";
import type { NativeAddon } from "../native/addon-api.js";
import { makeWasmAddon } from "./kernels.js";
import type { KernelExports } from "./module.js";

export interface WasmBackend {
  backend: Backend;
  kernels: NativeAddon;
}

export function makeWasmBackend(ex: KernelExports): WasmBackend {
  const kernels = makeWasmAddon(ex);
  return { backend: { ...makeNativeBackend(kernels), name: "wasm" }, kernels };
}
