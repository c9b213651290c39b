// Shared setup of the WebGPU kernel tests: a device (SwiftShader in CI: Debian's chromium package
// ships its Vulkan ICD), CPU tensors uploaded as GPU views, and comparisons with the reference
// backend at float32 tolerance.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import type { TypedArray } from "../src/dtype.js";
import type { Strided } from "../src/backend/backend.js";
import { type GpuStorage, type GpuView, readback, upload } from "../src/backend/webgpu/buffers.js";
import { adapterName, unavailableReason } from "../src/backend/webgpu/runtime.js";
import { contiguousStrides } from "../src/backend/webgpu/layout.js";
import * as torch from "../src/index.js";

const SWIFTSHADER_ICD = "/usr/lib/chromium/vk_swiftshader_icd.json";

// Without a GPU, the Vulkan loader needs to be pointed at SwiftShader before Dawn starts.
if (process.env.VK_ICD_FILENAMES === undefined && existsSync(SWIFTSHADER_ICD))
  process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;

const ready = await torch.webgpu.init();
/** Passed as `skip` to node:test: a message when there is no adapter, else false. */
export const noGpu: string | false = ready ? false : `no WebGPU adapter: ${unavailableReason() ?? "unknown reason"}`;
if (ready) console.log(`# webgpu adapter: ${adapterName() ?? "?"}`);
else console.log(`# SKIP webgpu tests: ${noGpu as string}`);

/** A contiguous GPU copy of a CPU tensor, as a view. */
export function gpu(t: torch.Tensor): GpuView {
  const c = t.contiguous();
  const data = c.storage.data.subarray(c.offset, c.offset + c.numel());
  return {
    storage: upload(data, t.dtype),
    shape: [...t.shape],
    strides: contiguousStrides(t.shape),
    offset: 0,
    dtype: t.dtype,
  };
}

/** A GPU view with the same layout (shape, strides, offset) as the CPU view t over its storage. */
export function gpuLike(t: torch.Tensor): GpuView {
  return {
    storage: upload(t.storage.data, t.dtype),
    shape: [...t.shape],
    strides: [...t.strides],
    offset: t.offset,
    dtype: t.dtype,
  };
}

export async function read(s: GpuStorage, dtype: torch.DType): Promise<TypedArray> {
  return readback(s, dtype);
}

/** Element-wise |a - b| <= atol + rtol * |b|, NaNs matching NaNs. */
export function assertNear(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  msg: string,
  rtol = 1e-5,
  atol = 1e-5,
): void {
  assert.equal(actual.length, expected.length, `${msg}: length ${actual.length} vs ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i],
      e = expected[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (e === a) continue;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) assert.fail(`${msg}: element ${i}: got ${a}, expected ${e}`);
  }
}

export const asStrided = (t: torch.Tensor): Strided => t;
