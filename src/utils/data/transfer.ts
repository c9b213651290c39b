// Encoding values for the trip between the main thread and DataLoader workers.
// Outbound (once per worker start): datasets, transforms and functions become recipes
// (WorkerSpec, function source), tensors become { dtype, shape, data }. Inbound (every batch):
// tensors become { dtype, shape, data } with their buffers transferred, not copied.
import { Tensor, fromTypedArray } from "../../tensor.js";
import type { DType, TypedArray } from "../../dtype.js";
import { WorkerSendError, isWorkerSendable, type WorkerSendable, type WorkerSpec } from "./worker-spec.js";

const TAG = "__flint";

interface TensorMsg {
  [TAG]: "tensor";
  dtype: DType;
  shape: number[];
  data: TypedArray;
}
interface FnMsg {
  [TAG]: "fn";
  source: string;
  name: string;
}
interface SpecMsg {
  [TAG]: "spec";
  spec: WorkerSpec;
}

function isPlainObject(x: object): boolean {
  const proto = Object.getPrototypeOf(x) as unknown;
  return proto === Object.prototype || proto === null;
}

function tagOf(x: unknown): string | undefined {
  return typeof x === "object" && x !== null ? ((x as Record<string, unknown>)[TAG] as string | undefined) : undefined;
}

/** A function as source text, checked to be an expression that can be re-created. */
function encodeFunction(f: (...a: unknown[]) => unknown, path: string): FnMsg {
  const source = f.toString();
  if (source.startsWith("class "))
    throw new WorkerSendError(`DataLoader: cannot send class ${f.name} (at ${path}) to a worker thread`);
  if (source.includes("[native code]")) {
    throw new WorkerSendError(
      `DataLoader: cannot send the built-in or bound function ${f.name || "(anonymous)"} (at ${path}) to a worker thread`,
    );
  }
  return { [TAG]: "fn", source, name: f.name };
}

/** Checks that an object built from `spec` is the same class (or a subclass adding no methods). */
function checkSpecClass(obj: object, spec: WorkerSpec, path: string): void {
  let proto = Object.getPrototypeOf(obj) as { constructor: { name: string } } | null;
  while (proto !== null && proto.constructor.name !== spec.export) {
    const own = Object.getOwnPropertyNames(proto).filter((n) => n !== "constructor");
    if (own.length > 0) {
      throw new WorkerSendError(
        `DataLoader: ${obj.constructor.name} (at ${path}) extends ${spec.export} and overrides ${own.join(", ")}, but has no workerSpec() of its own; ` +
          `define workerSpec() returning { module: import.meta.url, export: "${obj.constructor.name}", args } to use numWorkers > 0`,
      );
    }
    proto = Object.getPrototypeOf(proto) as typeof proto;
  }
}

function encodeSpec(x: WorkerSendable, path: string): SpecMsg {
  const spec = x.workerSpec();
  checkSpecClass(x, spec, path);
  return {
    [TAG]: "spec",
    spec: { ...spec, args: spec.args.map((a, i) => encodeForWorker(a, `${path}.${spec.export}[${i}]`)) },
  } satisfies SpecMsg;
}

/** Encodes a dataset / transform / collate function (and anything they hold) for a worker. */
export function encodeForWorker(x: unknown, path = "dataset"): unknown {
  if (x === null || x === undefined || typeof x !== "object") {
    if (typeof x === "function" && isWorkerSendable(x)) return encodeSpec(x, path);
    if (typeof x === "function") return encodeFunction(x as (...a: unknown[]) => unknown, path);
    if (typeof x === "symbol")
      throw new WorkerSendError(`DataLoader: cannot send a symbol (at ${path}) to a worker thread`);
    return x;
  }
  if (x instanceof Tensor) {
    return { [TAG]: "tensor", dtype: x.dtype, shape: [...x.shape], data: x.typedArray() } satisfies TensorMsg;
  }
  if (ArrayBuffer.isView(x) || x instanceof ArrayBuffer || x instanceof SharedArrayBuffer) return x;
  if (isWorkerSendable(x)) return encodeSpec(x, path);
  if (Array.isArray(x)) return x.map((v, i) => encodeForWorker(v, `${path}[${i}]`));
  if (x instanceof Map) return new Map(Array.from(x, ([k, v]) => [k, encodeForWorker(v, `${path}.get(${String(k)})`)]));
  if (x instanceof Set || x instanceof Date || x instanceof RegExp) return x;
  if (isPlainObject(x)) {
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, encodeForWorker(v, `${path}.${k}`)]));
  }
  throw new WorkerSendError(
    `DataLoader: cannot send ${x.constructor.name} (at ${path}) to a worker thread: give its class a workerSpec() ` +
      `returning { module: import.meta.url, export: "${x.constructor.name}", args } (see utils/data/worker-spec)`,
  );
}

/** Rebuilds, in a worker, what encodeForWorker made. */
export async function decodeInWorker(x: unknown): Promise<unknown> {
  const tag = tagOf(x);
  if (tag === "tensor") {
    const t = x as TensorMsg;
    return fromTypedArray(t.data, t.shape, t.dtype);
  }
  if (tag === "fn") {
    const f = x as FnMsg;
    let source = f.source;
    // Method shorthand ("name(x) { ... }") is not an expression; make it a function expression.
    if (!/^(async\s+)?(function\b|\(|[\w$]+\s*=>)/.test(source)) source = `function ${source}`;
    try {
      return new Function(`return (${source});`)() as unknown;
    } catch (e) {
      throw new WorkerSendError(
        `DataLoader worker: cannot re-create function ${f.name || "(anonymous)"} from its source: ${(e as Error).message}`,
      );
    }
  }
  if (tag === "spec") {
    const { spec } = x as SpecMsg;
    const mod = (await import(spec.module)) as Record<string, unknown>;
    const cls = mod[spec.export] as (new (...a: unknown[]) => unknown) & Record<string, unknown>;
    if (typeof cls !== "function")
      throw new WorkerSendError(`DataLoader worker: ${spec.module} has no export ${spec.export}`);
    const args = await Promise.all(spec.args.map((a) => decodeInWorker(a)));
    if (spec.factory !== undefined) return (cls[spec.factory] as (...a: unknown[]) => unknown).call(cls, ...args);
    return new cls(...args);
  }
  if (Array.isArray(x)) return Promise.all(x.map((v) => decodeInWorker(v)));
  if (x instanceof Map)
    return new Map(await Promise.all(Array.from(x, async ([k, v]) => [k, await decodeInWorker(v)] as const)));
  if (typeof x === "object" && x !== null && isPlainObject(x)) {
    return Object.fromEntries(
      await Promise.all(Object.entries(x).map(async ([k, v]) => [k, await decodeInWorker(v)] as const)),
    );
  }
  return x;
}

/** Encodes a batch for the trip back; collects the buffers to transfer. */
export function encodeBatch(x: unknown, transfer: ArrayBuffer[]): unknown {
  if (x instanceof Tensor) {
    // A batch made by collate owns its whole buffer: send that buffer itself (moved, not copied).
    // Not a view of a shared memory (the WebAssembly heap): the receiver would share a range the
    // worker frees once its tensor is collected, so that one is copied.
    const own = x.storage.data;
    const whole =
      x.isContiguous() &&
      x.offset === 0 &&
      own.length === x.numel() &&
      own.buffer instanceof ArrayBuffer &&
      !transfer.includes(own.buffer);
    const data = whole ? own : x.typedArray();
    if (data.buffer instanceof ArrayBuffer && data.byteOffset === 0 && data.byteLength === data.buffer.byteLength)
      transfer.push(data.buffer);
    return { [TAG]: "tensor", dtype: x.dtype, shape: [...x.shape], data } satisfies TensorMsg;
  }
  if (Array.isArray(x)) return x.map((v) => encodeBatch(v, transfer));
  if (x instanceof Map) return new Map(Array.from(x, ([k, v]) => [k, encodeBatch(v, transfer)]));
  if (typeof x === "object" && x !== null && isPlainObject(x)) {
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, encodeBatch(v, transfer)]));
  }
  return x;
}

/** Turns an encoded batch back into tensors on the main thread. */
export function decodeBatch(x: unknown): unknown {
  if (tagOf(x) === "tensor") {
    const t = x as TensorMsg;
    return fromTypedArray(t.data, t.shape, t.dtype);
  }
  if (Array.isArray(x)) return x.map((v) => decodeBatch(v));
  if (x instanceof Map) return new Map(Array.from(x, ([k, v]) => [k, decodeBatch(v)]));
  if (typeof x === "object" && x !== null && isPlainObject(x)) {
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, decodeBatch(v)]));
  }
  return x;
}
