// Tensor methods that convert dtype or device: x.to(...), x.cpu(), x.float(), x.type(), the async
// readers (cpuAsync, itemAsync, tolistAsync) and the device properties. Importing this module installs
// them on Tensor.prototype (src/setup.ts), as ./tensor-methods.ts does for the op methods.
import type { DType } from "./dtype.js";
import { Tensor } from "./tensor.js";
import * as C from "./ops/cast.js";
import { type Device, type DeviceLike, deviceOfType, refuseCuda } from "./device.js";
import { cpuAsync, toDevice } from "./ops/device-copy.js";

declare module "./tensor.js" {
  interface Tensor {
    to(dtype: DType, nonBlocking?: boolean, copy?: boolean, options?: C.ToOptions): Tensor;
    to(
      device?: DeviceLike | null,
      dtype?: DType | null,
      nonBlocking?: boolean,
      copy?: boolean,
      options?: C.ToOptions,
    ): Tensor;
    to(other: Tensor, nonBlocking?: boolean, copy?: boolean, options?: C.ToOptions): Tensor;
    to(options: C.ToOptions): Tensor;
    /** The device of the tensor's storage (cpu, meta, webgpu, wasm). */
    readonly device: Device;
    readonly isCuda: boolean;
    readonly isCpu: boolean;
    /** A meta tensor: shape, dtype and strides, no data. */
    readonly isMeta: boolean;
    /** The tensor on the CPU (itself when there); a device that reads back asynchronously throws, naming cpuAsync. */
    cpu(): Tensor;
    /** The tensor on the CPU, on every device (it resolves at once on the CPU). */
    cpuAsync(): Promise<Tensor>;
    /** item(), on every device. */
    itemAsync(): Promise<number | boolean>;
    /** tolist(), on every device. */
    tolistAsync(): Promise<unknown>;
    cuda(device?: DeviceLike | number): Tensor;
    /** No-op on the CPU: returns the tensor (DataLoader's pinMemory is likewise accepted). */
    pinMemory(): Tensor;
    isPinned(): boolean;
    /** The type name (`"torch.FloatTensor"`); with a dtype, the tensor cast to it. */
    type(): string;
    type(dtype: DType): Tensor;
    float(): Tensor;
    double(): Tensor;
    long(): Tensor;
    int(): Tensor;
    bool(): Tensor;
    byte(): Tensor;
  }
}

/** Each implementation is checked against its declared signature above. */
type MethodTable = ThisType<Tensor> & { [K in keyof Tensor]?: Tensor[K] };

const methods = {
  to(...a: unknown[]) {
    return C.to(this, ...a);
  },
  cpu() {
    return toDevice(this, "cpu", "Tensor.cpu");
  },
  cpuAsync() {
    return cpuAsync(this);
  },
  async itemAsync() {
    return (await cpuAsync(this)).item();
  },
  async tolistAsync() {
    return (await cpuAsync(this)).tolist();
  },
  pinMemory() {
    return this;
  },
  isPinned() {
    return false;
  },
  cuda(d?: DeviceLike | number): Tensor {
    return refuseCuda("Tensor.cuda", d);
  },
  // Overloaded (type() → name, type(dtype) → Tensor): one implementation, typed by the declaration.
  type: function (this: Tensor, d?: DType): string | Tensor {
    return d === undefined ? `torch.${typeName(this.dtype)}` : C.toDType(this, d);
  } as Tensor["type"],
  float() {
    return C.toDType(this, "float32");
  },
  double() {
    return C.toDType(this, "float64");
  },
  long() {
    return C.toDType(this, "int64");
  },
  int() {
    return C.toDType(this, "int32");
  },
  bool() {
    return C.toDType(this, "bool");
  },
  byte() {
    return C.toDType(this, "uint8");
  },
} satisfies MethodTable;

const typeName = (d: DType): string =>
  ({
    float32: "FloatTensor",
    float64: "DoubleTensor",
    int64: "LongTensor",
    int32: "IntTensor",
    uint8: "ByteTensor",
    bool: "BoolTensor",
  })[d];

Object.assign(Tensor.prototype, methods);
Object.defineProperty(Tensor.prototype, "device", {
  get(this: Tensor) {
    return deviceOfType(this.storage.device);
  },
});
Object.defineProperty(Tensor.prototype, "isCuda", { get: () => false });
Object.defineProperty(Tensor.prototype, "isCpu", {
  get(this: Tensor) {
    return this.storage.device === "cpu";
  },
});
Object.defineProperty(Tensor.prototype, "isMeta", {
  get(this: Tensor) {
    return this.storage.device === "meta";
  },
});
