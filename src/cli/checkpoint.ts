// Checkpoint files through torch.save / torch.load (src/serialization): PyTorch's zip format for
// training checkpoints (they open in Python with torch.load), safetensors for bare weights. This
// module adds what the CLI needs on top: byte arrays (RNG states) stored as uint8 tensors, a check
// that only data is saved, and helpers to read fields of the loaded, loosely typed value.
import { fromTypedArray, Tensor } from "../tensor.js";
import { detectFormat } from "../serialization/pytorch.js";
import { load, loadSafetensorsMetadata, save, type Loaded, type Savable } from "../serialization/save-load.js";
import { FlintError } from "../errors.js";
import { readRegularFile } from "../serialization/read-bounded.js";

/** A loaded checkpoint value. */
export type Value = Loaded;

export class CheckpointError extends FlintError {
  override name = "CheckpointError";
}

/**
 * Plain data → what torch.save takes: Uint8Arrays become uint8 tensors, undefined fields are
 * dropped, and anything that is not data (a function, a class instance other than Tensor or Map)
 * is an error naming where it is.
 */
export function toSavable(v: unknown, path = "checkpoint"): Savable {
  if (v === undefined || v === null) return null;
  if (v instanceof Tensor) return v;
  if (v instanceof Uint8Array) return fromTypedArray(new Uint8Array(v), [v.length], "uint8");
  if (typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "number") return Number.isFinite(v) ? v : String(v); // keep NaN/Infinity readable
  if (Array.isArray(v)) return v.map((x: unknown, i) => toSavable(x, `${path}[${i}]`));
  if (v instanceof Map) {
    const m = new Map<string | number, Savable>();
    for (const [k, x] of v as Map<unknown, unknown>) {
      if (typeof k !== "string" && typeof k !== "number")
        throw new CheckpointError(`${path}: map key ${String(k)} is not a string or number`);
      m.set(k, toSavable(x, `${path}.${k}`));
    }
    return m;
  }
  if (typeof v === "object" && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)) {
    const o: { [k: string]: Savable } = {};
    for (const [k, x] of Object.entries(v)) {
      if (x !== undefined)
        Object.defineProperty(o, k, {
          value: toSavable(x, `${path}.${k}`),
          enumerable: true,
          writable: true,
          configurable: true,
        });
    }
    return o;
  }
  throw new CheckpointError(
    `${path}: cannot save a value of type ${typeof v === "object" ? (v.constructor?.name ?? "object") : typeof v}`,
  );
}

/** Writes `value` with torch.save (PyTorch zip format), atomically. */
export function saveCheckpoint(path: string, value: Record<string, unknown>): void {
  save(toSavable(value), path, { format: "pt" });
}

/** Writes a flat state dict of tensors as safetensors (weights only, for other tools). */
export function saveSafetensors(
  path: string,
  state: Map<string, Tensor> | Record<string, Tensor>,
  metadata?: Record<string, string>,
): void {
  save(state instanceof Map ? state : new Map(Object.entries(state)), path, { format: "safetensors", metadata });
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
    bytes = readRegularFile(path, "checkpoint");
  } catch (e) {
    throw new CheckpointError(`cannot read checkpoint ${path}: ${(e as Error).message}`);
  }
  const fmt = detectFormat(bytes);
  if (fmt !== "torch-zip" && fmt !== "safetensors") {
    throw new CheckpointError(
      `${path} is neither a PyTorch zip checkpoint (torch.save) nor a safetensors file (format: ${fmt})`,
    );
  }
  try {
    const value = load(bytes);
    const metadata = fmt === "safetensors" ? (loadSafetensorsMetadata(bytes) ?? {}) : {};
    return { format: fmt, value, metadata };
  } catch (e) {
    throw new CheckpointError(`cannot load ${path}: ${(e as Error).message}`);
  }
}

/** The entries of a dict-like value (plain object or Map), or null for anything else. */
export function entriesOf(v: Value | undefined): [string, Value][] | null {
  if (v instanceof Map) return [...v].map(([k, x]) => [String(k), x]);
  if (typeof v === "object" && v !== null && !(v instanceof Tensor) && !Array.isArray(v)) return Object.entries(v);
  return null;
}

/** A field of a dict-like value. */
export function field(v: Value | undefined, key: string): Value | undefined {
  if (v instanceof Map) return v.has(key) ? v.get(key) : v.get(Number(key));
  return entriesOf(v)?.find(([k]) => k === key)?.[1];
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

/** The bytes of a uint8 tensor (RNG states are saved that way). */
export function bytesOf(v: Value | undefined, what: string): Uint8Array {
  if (v instanceof Tensor && v.dtype === "uint8") return new Uint8Array(v.typedArray());
  throw new CheckpointError(`${what} is missing or not a uint8 tensor`);
}

/** Keys under which tutorials and libraries keep a model's state dict inside a checkpoint. */
const STATE_DICT_KEYS = [
  "model_state_dict",
  "state_dict",
  "model",
  "model_state",
  "net",
  "network",
  "weights",
  "params",
];

const isTensorDict = (v: Value | undefined): boolean => {
  const e = entriesOf(v);
  return e !== null && e.length > 0 && e.every(([, t]) => t instanceof Tensor);
};

/**
 * The model's state dict inside a saved object: the object itself when it is one, else the entry
 * under a common key (`{'model_state_dict': sd, 'epoch': 3}` as PyTorch's tutorials save,
 * `state_dict`, `model`…), else the only entry that is a dict of tensors. DistributedDataParallel's
 * `module.` prefix is removed. Returns where it was found, for messages.
 */
export function findStateDict(v: Value, what: string): { state: Map<string, Tensor>; where: string } {
  let found: Value | undefined;
  let where = "";
  if (isTensorDict(v)) found = v;
  for (const k of STATE_DICT_KEYS) {
    if (found !== undefined) break;
    if (isTensorDict(field(v, k))) [found, where] = [field(v, k), k];
  }
  if (found === undefined) {
    const candidates = (entriesOf(v) ?? []).filter(([, x]) => isTensorDict(x));
    if (candidates.length === 1) [where, found] = candidates[0];
  }
  if (found === undefined) {
    const keys = (entriesOf(v) ?? []).map(([k]) => k);
    throw new CheckpointError(
      `${what} holds no model state dict (a dictionary of tensors)${keys.length > 0 ? `; its top-level keys are ${keys.slice(0, 12).join(", ")}` : ""}`,
    );
  }
  let state = tensorDict(found, what);
  const keys = [...state.keys()];
  if (keys.length > 0 && keys.every((k) => k.startsWith("module."))) {
    state = new Map([...state].map(([k, t]) => [k.slice("module.".length), t]));
    where = where === "" ? "module." : `${where}, module.`;
  }
  return { state, where };
}
