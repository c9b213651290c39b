// Copies, dtype conversions and Tensor.to.
import { type DType, isDType, isFloating } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { backend } from "../backend/backend.js";
import { record } from "../autograd/record.js";
import { type DeviceLike, deviceTypeOf, isDeviceLike } from "../device.js";
import type { DeviceType } from "../storage.js";
import { toDevice } from "./device-copy.js";
import { ValueError } from "../errors.js";
import { isOptions, wrap } from "./util.js";
import { checkedAlloc } from "../checked-size.js";

/** A contiguous copy in `dtype` (differentiable between floating dtypes). */
export function toDType(x: Tensor, dtype: DType, copy = false): Tensor {
  if (dtype === x.dtype && !copy) return x;
  checkedAlloc("to", x.shape, dtype);
  const out = wrap(backend().copy(x, dtype), x.shape, dtype);
  if (!isFloating(dtype)) return out;
  return record("ToCopyBackward", [x], out, ([g]) => [isFloating(x.dtype) ? toDType(g, x.dtype) : null]);
}

export const clone = (x: Tensor): Tensor => {
  // An expanded view (stride 0) may be huge once copied: name the op and the sizes.
  checkedAlloc(x.isContiguous() ? "clone" : "contiguous", x.shape, x.dtype);
  const out = wrap(backend().copy(x, x.dtype), x.shape, x.dtype);
  return record("CloneBackward", [x], out, ([g]) => [g]);
};

export const contiguous = (x: Tensor): Tensor => (x.isContiguous() ? x : clone(x));

/** The options of Tensor.to / Module.to, in torch's names. */
export interface ToOptions {
  device?: DeviceLike | null;
  dtype?: DType | null;
  nonBlocking?: boolean;
  copy?: boolean;
  memoryFormat?: string;
}

/**
 * Reads torch's three forms of `to`: to(dtype, nonBlocking?, copy?), to(device?, dtype?,
 * nonBlocking?, copy?) and to(otherTensor, nonBlocking?, copy?), each with an optional trailing
 * options object. A device without a backend is refused here, with `op` in the message.
 */
export function parseTo(
  op: string,
  args: readonly unknown[],
): { dtype: DType | null; device: DeviceType | null; copy: boolean } {
  let pos = [...args];
  const opts: ToOptions = isOptions(pos[pos.length - 1]) ? (pos.pop() as ToOptions) : {};
  for (const k of Object.keys(opts)) {
    if (!["device", "dtype", "nonBlocking", "copy", "memoryFormat"].includes(k)) {
      throw new ValueError(
        `${op}: unexpected option '${k}' (expected one of device, dtype, nonBlocking, copy, memoryFormat)`,
      );
    }
  }
  let device: unknown = opts.device ?? null,
    dtype: unknown = opts.dtype ?? null;
  const first = pos[0];
  if (first instanceof Tensor) {
    dtype = first.dtype;
    pos = pos.slice(1);
  } else if (isDType(first)) {
    dtype = first;
    pos = pos.slice(1);
  } else if (first === null || first === undefined || isDeviceLike(first)) {
    if (first !== null && first !== undefined) device = first;
    pos = pos.slice(1);
    if (isDType(pos[0]) || pos[0] === null) {
      if (pos[0] !== null) dtype = pos[0];
      pos = pos.slice(1);
    }
  } else if (pos.length > 0) {
    throw new ValueError(
      `${op}: expected a dtype, a device or a tensor, got ${typeof first === "string" ? `'${first}'` : typeof first}`,
    );
  }
  if (pos.length > 2) throw new ValueError(`${op}: too many positional arguments`);
  const copy = Boolean(pos[1] ?? opts.copy ?? false);
  const deviceType = device === null ? null : deviceTypeOf(op, device as DeviceLike);
  if (dtype !== null && !isDType(dtype)) throw new ValueError(`${op}: unknown dtype '${String(dtype)}'`);
  return { dtype: dtype as DType | null, device: deviceType, copy };
}

/** Tensor.to: a dtype conversion and/or a move to another device; returns x itself when nothing changes, unless copy. */
export function to(x: Tensor, ...args: unknown[]): Tensor {
  const { dtype, device, copy } = parseTo("Tensor.to", args);
  if (device === null || device === x.storage.device) return toDType(x, dtype ?? x.dtype, copy);
  // Cast where the data is (a move to meta reads nothing, so cast first there too).
  return toDevice(toDType(x, dtype ?? x.dtype), device, "Tensor.to");
}
