// Devices. PyTorch programs name devices everywhere (`device = "cuda" if
// torch.cuda.is_available() else "cpu"`, `model.to(device)`, `x.to(device)`, `torch.zeros(3,
// device=device)`), so those lines port unchanged. Flint's devices are "cpu", "meta" (shapes
// without data) and those a backend registers for ("webgpu", "wasm"); torch.cuda reports no GPU,
// and asking for a device with no backend is a clear error instead of a silent CPU run.
import { DeviceError, ValueError } from "./errors.js";
import type { DeviceType } from "./storage.js";
import { hasBackend } from "./backend/registry.js";

/** A device type PyTorch (or Flint: webgpu, wasm) knows. */
const KNOWN_TYPES = new Set([
  "cpu",
  "cuda",
  "mps",
  "xpu",
  "meta",
  "hip",
  "xla",
  "vulkan",
  "ipu",
  "hpu",
  "ort",
  "mkldnn",
  "opengl",
  "opencl",
  "ideep",
  "fpga",
  "ve",
  "lazy",
  "mtia",
  "privateuseone",
  "webgpu",
  "wasm",
]);
const FLINT_TYPES = new Set<string>(["cpu", "meta", "webgpu", "wasm"]);

/** "type" or "type:index" with a device type PyTorch knows, else null. */
function parseDeviceString(s: string): { type: string; index: number | undefined } | null {
  const m = /^([a-z_]+)(?::(\d+))?$/.exec(s);
  return m === null || !KNOWN_TYPES.has(m[1])
    ? null
    : { type: m[1], index: m[2] === undefined ? undefined : Number(m[2]) };
}

/** torch.device: a device type and an optional index ("cpu", "cuda:1"). */
export class Device {
  readonly type: string;
  readonly index: number | null;

  constructor(spec: string | Device, index?: number) {
    if (spec instanceof Device) {
      if (index !== undefined) throw new ValueError(`device: index given twice (${spec.toString()} and ${index})`);
      this.type = spec.type;
      this.index = spec.index;
      return;
    }
    const parsed = parseDeviceString(String(spec));
    if (parsed === null) {
      throw new ValueError(`device: expected one of cpu, cuda, mps, … with an optional :index, got '${String(spec)}'`);
    }
    if (parsed.index !== undefined && index !== undefined)
      throw new ValueError(`device: index given twice ('${spec}' and ${index})`);
    const i = parsed.index ?? index;
    if (i !== undefined && (!Number.isInteger(i) || i < 0))
      throw new ValueError(`device: index must be a non-negative integer, got ${i}`);
    this.type = parsed.type;
    this.index = i ?? null;
  }

  toString(): string {
    return this.index === null ? this.type : `${this.type}:${this.index}`;
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `device(type='${this.type}'${this.index === null ? "" : `, index=${this.index}`})`;
  }
  equals(other: DeviceLike): boolean {
    const o = toDevice(other);
    return o.type === this.type && o.index === this.index;
  }
}

export type DeviceLike = Device | string;

/** torch.device("cuda", 0) / torch.device("cpu"): a function, as torch.device is called without `new`. */
export function device(spec: DeviceLike, index?: number): Device {
  return new Device(spec, index);
}

export function toDevice(d: DeviceLike): Device {
  return d instanceof Device ? d : new Device(d);
}

/** The CPU device. */
export const CPU = new Device("cpu");

const byType = new Map<string, Device>([["cpu", CPU]]);
/** The Device object of a storage's device type (one per type). */
export function deviceOfType(type: DeviceType): Device {
  let d = byType.get(type);
  if (d === undefined) byType.set(type, (d = new Device(type)));
  return d;
}

/**
 * The device type tensors can be put on for `d`, or a DeviceError naming `op`: cuda and the other
 * PyTorch devices have no backend here; webgpu and wasm need theirs registered.
 */
export function deviceTypeOf(op: string, d: DeviceLike): DeviceType {
  const dev = toDevice(d);
  if (FLINT_TYPES.has(dev.type) && (dev.type === "cpu" || dev.type === "meta" || hasBackend(dev.type as DeviceType)))
    return dev.type as DeviceType;
  checkCpu(op, dev);
  throw new DeviceError(`${op}: no backend for device '${dev.toString()}' is available here`);
}

export function isDeviceLike(x: unknown): x is DeviceLike {
  if (x instanceof Device) return true;
  return typeof x === "string" && parseDeviceString(x) !== null;
}

/** Throws unless `d` is the CPU; `op` names the caller in the message. */
export function checkCpu(op: string, d: DeviceLike): void {
  const dev = toDevice(d);
  if (dev.type === "cpu") return;
  const hint =
    dev.type === "cuda"
      ? " (torch.cuda.isAvailable() is false)"
      : dev.type === "webgpu"
        ? " (`await torch.webgpu.init()` opens it: requesting a WebGPU device is asynchronous)"
        : "";
  throw new ValueError(
    `${op}: device '${dev.toString()}' is not available${hint}; Flint's devices are cpu, meta, and webgpu / wasm where their backends are available`,
  );
}

/**
 * Tensor.cuda / Module.cuda: there is no GPU, so this always throws, naming the cuda device asked
 * for (an index, a "cuda:N" string or a Device; "cuda" by default).
 */
export function refuseCuda(op: string, d?: DeviceLike | number): never {
  const dev = typeof d === "number" ? `cuda:${d}` : (d ?? "cuda");
  if (toDevice(dev).type !== "cuda") throw new ValueError(`${op}: expected a cuda device, got '${String(dev)}'`);
  checkCpu(op, dev);
  throw new Error("unreachable: a cuda device passed checkCpu");
}

/** torch.cuda: reports that there is no GPU, so `isAvailable() ? "cuda" : "cpu"` picks the CPU. */
export const cuda = {
  isAvailable: (): boolean => false,
  deviceCount: (): number => 0,
  isInitialized: (): boolean => false,
  manualSeed: (_seed: number | bigint): void => {},
  manualSeedAll: (_seed: number | bigint): void => {},
  synchronize: (): void => {},
};

/** torch.backends.mps / torch.backends.cudnn flags that scripts read or set. */
export const backends = {
  mps: { isAvailable: (): boolean => false, isBuilt: (): boolean => false },
  cuda: { isBuilt: (): boolean => false },
  cudnn: { enabled: false, deterministic: false, benchmark: false, isAvailable: (): boolean => false },
};
