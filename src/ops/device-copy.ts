// Moving tensors between devices (Tensor.to(device), .cpu(), .cpuAsync(), Module.toEmpty). Copies
// go through the host: the source backend reads, the target backend writes (fromHost). To "meta"
// reads nothing; out of "meta" is an error, since there is no data (as PyTorch).
import type { DType } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { CpuStorage, type DeviceType, Storage } from "../storage.js";
import { DeviceError, fmtShape } from "../errors.js";
import { contiguousStrides } from "../shape.js";
import { backendFor } from "../backend/registry.js";
import { record } from "../autograd/record.js";
import { allocate } from "./util.js";

const fresh = (storage: Storage, shape: readonly number[], dtype: DType): Tensor =>
  new Tensor(storage, [...shape], contiguousStrides(shape), 0, dtype);

function upload(device: DeviceType, host: ArrayLike<number> & object, x: Tensor): Storage {
  if (device === "cpu") return new CpuStorage(host as CpuStorage["data"]);
  const out = backendFor(device).fromHost(host as CpuStorage["data"], x.dtype);
  return out instanceof Storage ? out : new CpuStorage(out);
}

/** x on `device` (x itself when already there); differentiable, the gradient going back to x's device. */
export function toDevice(x: Tensor, device: DeviceType, op = "to"): Tensor {
  const from = x.storage.device;
  if (from === device) return x;
  let storage: Storage;
  if (device === "meta") storage = allocate("meta", x.numel(), x.dtype);
  else if (from === "meta") {
    throw new DeviceError(
      `${op}: cannot copy out of a meta tensor, it has no data (shape ${fmtShape(x.shape)}); materialise modules with toEmpty({ device: "${device}" }) and initialise or load them`,
    );
  } else {
    const host = backendFor(from).read(x);
    if (host instanceof Promise) {
      throw new DeviceError(`${op}: a ${from} tensor can only be read back asynchronously; use await x.cpuAsync()`);
    }
    storage = upload(device, host, x);
  }
  const out = fresh(storage, x.shape, x.dtype);
  return record("ToCopyBackward", [x], out, ([g]) => [toDevice(g, from, op)]);
}

/** x's values on the CPU, on any device: awaits the read where the device reads back asynchronously. */
export async function cpuAsync(x: Tensor): Promise<Tensor> {
  const from = x.storage.device;
  if (from === "cpu") return x;
  if (from === "meta")
    throw new DeviceError(`cpuAsync: a meta tensor has no data (shape ${fmtShape(x.shape)}, dtype ${x.dtype})`);
  const host = await backendFor(from).read(x);
  return fresh(new CpuStorage(host), x.shape, x.dtype);
}

/** An uninitialised tensor like x (shape, dtype) on `device`: Module.toEmpty. */
export function emptyOn(x: Tensor, device: DeviceType): Tensor {
  return fresh(allocate(device, x.numel(), x.dtype), x.shape, x.dtype);
}
