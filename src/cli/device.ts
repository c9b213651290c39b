// `--device` of `flint train` / `flint eval`: opening the webgpu device, moving a resumed run's
// optimizer state onto it, and CPU snapshots of GPU state for checkpoints (a GPU tensor's values
// can only be read asynchronously, and the checkpoint writers are synchronous).
import * as torch from "../index.js";
import type { Tensor } from "../tensor.js";
import { CliError } from "./common.js";

export type CliDevice = "cpu" | "webgpu";

/** Opens the device (webgpu needs an awaited adapter request); a CliError saying why when there is none. */
export async function setupDevice(choice: string): Promise<CliDevice> {
  if (choice === "cpu") return "cpu";
  if (choice !== "webgpu") throw new CliError(`--device: unknown device '${choice}' (cpu or webgpu)`);
  if (!(await torch.webgpu.init()))
    throw new CliError(`--device webgpu: ${torch.webgpu.unavailableReason() ?? "no WebGPU adapter found"}`);
  return "webgpu";
}

/** A one-line description for the run's header: "webgpu (google swiftshader ...)" or "cpu". */
export const describeDevice = (d: CliDevice): string =>
  d === "webgpu" ? `webgpu (${torch.webgpu.getDeviceName() ?? "?"})` : "cpu";

/**
 * Moves a loaded optimizer state onto the parameters' device (PyTorch's load_state_dict casts
 * state to the parameter's device; Flint's Optimizer keeps the checkpoint's CPU tensors). Adam's
 * `step` counter stays where it is, as in PyTorch.
 */
export function moveOptimizerState(
  optimizer: { state: Map<Tensor, Record<string, unknown>> },
  device: CliDevice,
): void {
  if (device === "cpu") return;
  for (const s of optimizer.state.values())
    for (const [k, v] of Object.entries(s))
      if (v instanceof torch.Tensor && k !== "step" && v.device.type !== device) s[k] = v.to(device);
}

/** value with every tensor replaced by an awaited CPU copy (arrays and plain objects walked). */
export async function cpuCopy<T>(value: T): Promise<T> {
  if (value instanceof torch.Tensor) return (await value.cpuAsync()) as T;
  if (Array.isArray(value)) return (await Promise.all(value.map((v) => cpuCopy(v)))) as T;
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await cpuCopy(v);
    return out as T;
  }
  return value;
}

/** An object whose stateDict() is a CPU snapshot of src.stateDict() (what the checkpoint writers read). */
export async function cpuStateOf<S extends { stateDict(): unknown }>(src: S, device: CliDevice): Promise<S> {
  if (device === "cpu") return src;
  const sd = await cpuCopy(src.stateDict());
  return { stateDict: () => sd } as unknown as S;
}
