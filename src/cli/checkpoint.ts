// Training checkpoints as PyTorch zip files (torch.save's format, via src/serialization), so a
// checkpoint opens in Python with torch.load(path, weights_only=True) too. The glue between
// Flint tensors and the serializer's raw tensors lives here: state dicts are nested objects,
// arrays and Maps of Tensors and plain values.
import { readFileSync } from "node:fs";
import { decodeTorchZip, decodeSafetensors, detectFormat, encodeTorchZip, encodeSafetensors, isRawTensor, rawFromArray, rawToArray } from "../serialization/index.js";
import type { RawTensor, Saved } from "../serialization/index.js";
import { writeFileAtomic } from "../serialization/atomic.js";
import { Tensor, fromTypedArray } from "../tensor.js";

/** A checkpoint value as Flint code sees it: Tensors, byte arrays and JSON-like values. */
export type Value =
  | Tensor
  | Uint8Array
  | number
  | string
  | boolean
  | null
  | Value[]
  | Map<string | number, Value>
  | { [key: string]: Value };

export class CheckpointError extends Error {
  override name = "CheckpointError";
}

function tensorToRaw(t: Tensor): RawTensor {
  return rawFromArray(t.typedArray(), [...t.shape], t.dtype);
}

/**
 * Flint values → serializer values (Tensors become raw tensors, Uint8Arrays uint8 tensors).
 * Takes `unknown` because state dicts come from several modules' own types; anything that is
 * not data (a function, a class instance other than Tensor/Map) is an error naming its path.
 */
export function toSaved(v: unknown, path = "checkpoint"): Saved {
  if (v === undefined || v === null) return null;
  if (v instanceof Tensor) return tensorToRaw(v);
  if (v instanceof Uint8Array) return rawFromArray(v, [v.length], "uint8");
  if (typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "number") return Number.isFinite(v) ? v : String(v); // keep NaN/Infinity readable
  if (Array.isArray(v)) return v.map((x: unknown, i) => toSaved(x, `${path}[${i}]`));
  if (v instanceof Map) {
    const m = new Map<string | number, Saved>();
    for (const [k, x] of v as Map<unknown, unknown>) {
      if (typeof k !== "string" && typeof k !== "number") throw new CheckpointError(`${path}: map key ${String(k)} is not a string or number`);
      m.set(k, toSaved(x, `${path}.${k}`));
    }
    return m;
  }
  if (typeof v === "object" && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)) {
    const o: { [k: string]: Saved } = {};
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined) continue;
      Object.defineProperty(o, k, { value: toSaved(x, `${path}.${k}`), enumerable: true, writable: true, configurable: true });
    }
    return o;
  }
  throw new CheckpointError(`${path}: cannot save a value of type ${typeof v === "object" ? (v.constructor?.name ?? "object") : typeof v}`);
}

function rawToTensor(r: RawTensor, path: string): Tensor {
  // rawToArray reads float/int views from bytes.buffer at offset 0, so give it storage bytes that
  // own their buffer (the archive reader hands out views into the whole file).
  const own: RawTensor = { ...r, storage: { ...r.storage, bytes: new Uint8Array(r.storage.bytes) } };
  const { dtype, data } = rawToArray(own, path);
  // uint8 data may be a view into the file's Buffer, which tensors do not take: copy it.
  return fromTypedArray(Buffer.isBuffer(data) ? new Uint8Array(data) : data, [...r.shape], dtype);
}

/** Serializer values → Flint values (raw tensors become Tensors). */
export function fromSaved(v: Saved, path = "checkpoint"): Value {
  if (isRawTensor(v)) return rawToTensor(v, path);
  if (v === null || typeof v === "string" || typeof v === "boolean" || typeof v === "number") return v;
  if (typeof v === "bigint") {
    throw new CheckpointError(`${path}: integer ${v} is too large for a JavaScript number`);
  }
  if (Array.isArray(v)) return v.map((x, i) => fromSaved(x, `${path}[${i}]`));
  if (v instanceof Map) {
    const m = new Map<string | number, Value>();
    for (const [k, x] of v) m.set(k, fromSaved(x, `${path}.${k}`));
    return m;
  }
  if (typeof v === "object" && v !== null && "items" in v && Array.isArray(v.items)) return v.items.map((x, i) => fromSaved(x, `${path}[${i}]`));
  if (typeof v === "object" && v !== null && "value" in v && typeof v.value === "number") return v.value;
  if (typeof v === "object" && v !== null && "entries" in v && v.entries instanceof Map) return fromSaved(v.entries, path);
  const o: { [k: string]: Value } = {};
  for (const [k, x] of Object.entries(v as { [k: string]: Saved })) Object.defineProperty(o, k, { value: fromSaved(x, `${path}.${k}`), enumerable: true, writable: true, configurable: true });
  return o;
}

/** Writes `value` as a torch.save archive, atomically (temp file + rename). */
export function saveCheckpoint(path: string, value: Record<string, unknown>): void {
  const archive = path.replace(/^.*[\\/]/, "").replace(/\.[^.]*$/, "") || "archive";
  writeFileAtomic(path, encodeTorchZip(toSaved(value), archive.replace(/[^A-Za-z0-9_.-]/g, "_")));
}

/** Writes a flat state dict of tensors as safetensors (weights only, for other tools). */
export function saveSafetensors(path: string, state: Map<string, Tensor> | Record<string, Tensor>, metadata?: Record<string, string>): void {
  const entries = state instanceof Map ? [...state] : Object.entries(state);
  const raw: Record<string, RawTensor> = {};
  for (const [k, t] of entries) Object.defineProperty(raw, k, { value: tensorToRaw(t), enumerable: true, writable: true, configurable: true });
  writeFileAtomic(path, encodeSafetensors(raw, metadata));
}

export interface LoadedFile {
  format: "torch-zip" | "safetensors";
  value: Value;
  /** safetensors __metadata__ (empty for torch archives). */
  metadata: Record<string, string>;
}

/** Reads a torch.save archive or a safetensors file (format sniffed from the content). */
export function loadFile(path: string): LoadedFile {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new CheckpointError(`cannot read checkpoint ${path}: ${(e as Error).message}`);
  }
  const fmt = detectFormat(bytes);
  if (fmt === "torch-zip") return { format: fmt, value: fromSaved(decodeTorchZip(bytes), path), metadata: {} };
  if (fmt === "safetensors") {
    const f = decodeSafetensors(bytes);
    const m = new Map<string, Value>();
    for (const [k, t] of Object.entries(f.tensors)) m.set(k, rawToTensor(t, `${path}:${k}`));
    return { format: fmt, value: m, metadata: f.metadata ?? {} };
  }
  throw new CheckpointError(`${path} is neither a PyTorch zip checkpoint (torch.save) nor a safetensors file (format: ${fmt})`);
}

/** The entries of a dict-like value (plain object or Map), or null for anything else. */
export function entriesOf(v: Value | undefined): [string, Value][] | null {
  if (v instanceof Map) return [...v].map(([k, x]) => [String(k), x]);
  if (typeof v === "object" && v !== null && !(v instanceof Tensor) && !(v instanceof Uint8Array) && !Array.isArray(v)) return Object.entries(v);
  return null;
}

/** A field of a dict-like value. */
export function field(v: Value | undefined, key: string): Value | undefined {
  if (v instanceof Map) return v.has(key) ? v.get(key) : v.get(Number(key));
  const e = entriesOf(v);
  return e?.find(([k]) => k === key)?.[1];
}

/** A flat name → Tensor dict from a dict-like value, or an error naming `what`. */
export function tensorDict(v: Value | undefined, what: string): Map<string, Tensor> {
  const e = entriesOf(v);
  if (e === null) throw new CheckpointError(`${what} is not a dictionary of tensors`);
  const m = new Map<string, Tensor>();
  for (const [k, t] of e) {
    if (!(t instanceof Tensor)) throw new CheckpointError(`${what}: entry "${k}" is not a tensor`);
    m.set(k, t);
  }
  return m;
}

/** Tensor bytes as a Uint8Array (for RNG states saved as uint8 tensors). */
export function bytesOf(v: Value | undefined, what: string): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (v instanceof Tensor && v.dtype === "uint8") return new Uint8Array(v.typedArray());
  throw new CheckpointError(`${what} is missing or not a uint8 tensor`);
}
