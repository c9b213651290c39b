/// <reference types="@webgpu/types" />
// Finding a WebGPU adapter and device: navigator.gpu in a browser, the `webgpu` npm package (Dawn,
// prebuilt inside the package) in Node. The package is an optional peer dependency loaded with a
// dynamic import only when the webgpu device is first asked for, so code that never uses the GPU
// never loads its 20 MB addon. Requesting an adapter is asynchronous in WebGPU, hence `init()`;
// everything after it (allocations, kernel launches) is synchronous, and only readbacks are async.

/** The one device Flint uses, with what it was made from. */
export interface GpuRuntime {
  /**
   * The GPU object the adapter came from. Dawn's Node instance lives only as long as this object:
   * dropping it (leaving only the device) tears Dawn down under the device's feet.
   */
  readonly gpu: GPU;
  readonly device: GPUDevice;
  readonly adapterName: string;
  /** A CPU implementation of WebGPU (SwiftShader, llvmpipe): kernels pick barrier-free forms there. */
  readonly cpuAdapter: boolean;
  /** Set when the device was lost (driver reset, destroy()); every later call then fails. */
  lost: string | null;
  /** The first WebGPU error no one caught (a kernel Flint generated wrongly): later calls fail with it. */
  error: string | null;
}

let runtime: GpuRuntime | null = null;
let pending: Promise<GpuRuntime | null> | null = null;
let failure: string | null = null;

/** "vendor architecture (description)" with whatever fields the adapter fills in. */
function describe(info: GPUAdapterInfo | undefined): string {
  if (!info) return "unknown adapter";
  const parts = [info.vendor, info.architecture, info.device].filter((s) => s !== undefined && s !== "");
  const desc = info.description ? ` (${info.description})` : "";
  return (parts.join(" ") || "unknown adapter") + desc;
}

interface NodeWebGpuModule {
  create(flags: string[]): GPU;
}

/** navigator.gpu, or the `webgpu` package's GPU object in Node; null when neither exists. */
async function findGpu(): Promise<GPU | null> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return nav.gpu;
  if (typeof process === "undefined" || !process.versions?.node) return null;
  let mod: NodeWebGpuModule;
  try {
    // A variable specifier keeps bundlers from pulling the Node addon into a browser bundle.
    const name = "webgpu";
    mod = (await import(name)) as NodeWebGpuModule;
  } catch (e) {
    failure = `the 'webgpu' npm package could not be loaded (${(e as Error).message.split("\n")[0]}); install it with \`npm install webgpu\``;
    return null;
  }
  return mod.create([]);
}

async function open(): Promise<GpuRuntime | null> {
  const gpu = await findGpu();
  if (!gpu) {
    failure ??= "no WebGPU implementation found (navigator.gpu is missing and this is not Node)";
    return null;
  }
  const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  if (!adapter) {
    failure =
      "no WebGPU adapter found (in Node without a GPU, point VK_ICD_FILENAMES at SwiftShader's vk_swiftshader_icd.json, e.g. /usr/lib/chromium/vk_swiftshader_icd.json from Debian's chromium package)";
    return null;
  }
  // Ask for the adapter's own storage-buffer limits: the defaults (128 MiB bindings) are below what
  // a big activation or weight needs on most real GPUs.
  const l = adapter.limits;
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxStorageBuffersPerShaderStage: Math.min(l.maxStorageBuffersPerShaderStage, 8),
    },
  });
  const name = describe(adapter.info);
  const cpuAdapter = /swiftshader|llvmpipe|lavapipe|warp/i.test(name);
  const rt: GpuRuntime = { gpu, device, adapterName: name, cpuAdapter, lost: null, error: null };
  device.onuncapturederror = (ev: GPUUncapturedErrorEvent) => {
    rt.error ??= ev.error.message;
  };
  void device.lost.then((info) => {
    rt.lost = info.message || info.reason || "device lost";
  });
  return rt;
}

/**
 * Opens the WebGPU device once (later calls return the same promise); resolves to false when there
 * is no adapter, with the reason in `unavailableReason()`.
 */
export async function init(): Promise<boolean> {
  pending ??= open().then(
    (rt) => (runtime = rt),
    (e: unknown) => {
      failure = `requesting a WebGPU device failed: ${(e as Error).message}`;
      return null;
    },
  );
  return (await pending) !== null;
}

/** The device; throws with the way to get one when `init()` has not succeeded. */
export function gpuRuntime(op: string): GpuRuntime {
  if (runtime === null) {
    const why =
      pending === null
        ? "call `await torch.webgpu.init()` first (requesting a WebGPU adapter is asynchronous)"
        : (failure ?? "`torch.webgpu.init()` has not finished; await it");
    throw new Error(`${op}: the webgpu device is not available: ${why}`);
  }
  if (runtime.lost !== null) throw new Error(`${op}: the webgpu device was lost: ${runtime.lost}`);
  if (runtime.error !== null)
    throw new Error(`${op}: an earlier webgpu kernel failed (a bug in Flint): ${runtime.error}`);
  return runtime;
}

/** True once `init()` has opened a device (false before it, as no adapter has been asked for). */
export const isReady = (): boolean => runtime !== null && runtime.lost === null;

/** Why `init()` found no device, or null. */
export const unavailableReason = (): string | null => failure;

/** The adapter's name ("google swiftshader ..."), or null before `init()`. */
export const adapterName = (): string | null => runtime?.adapterName ?? null;

/**
 * Destroys the device and drops Dawn's instance. In Node a live instance keeps the process from
 * exiting, so a script that is done with the GPU calls this (torch.webgpu.shutdown()); a later
 * init() opens a new device (tensors of the old one are then unusable).
 */
export function shutdown(): void {
  if (runtime === null) return;
  runtime.device.destroy();
  runtime = null;
  pending = null;
}
