/**
 * PyTorch's checkpoint format (torch.save since 1.6): a ZIP archive holding `<name>/data.pkl`
 * (the pickled object, tensors referring to storages by persistent id), one `<name>/data/<key>`
 * record per storage, and `<name>/version`.
 */
import { SerializationError, check } from "./errors.js";
import { pickle } from "./pickle.js";
import { ITEM_SIZE, PyFloat, PyOrderedDict, PyTuple, type RawStorage, type Saved, defineKey } from "./types.js";
import { Global, PDict, PTuple, StorageRef, type Val, unpickle } from "./unpickle.js";
import { ZipReader, writeZip } from "./zip.js";
import { type Converted, convertGraph } from "./graph.js";

export type FileFormat = "safetensors" | "torch-zip" | "torch-legacy" | "unknown";

/** Recognizes a file's format from its first bytes (never throws). */
export function detectFormat(bytes: Uint8Array): FileFormat {
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) {
    return "torch-zip";
  }
  // Pre-1.6 torch.save: a protocol-2 pickle starting with the magic number as a 10-byte LONG1.
  if (bytes.length >= 4 && bytes[0] === 0x80 && bytes[1] === 0x02 && bytes[2] === 0x8a && bytes[3] === 0x0a) {
    return "torch-legacy";
  }
  if (bytes.length >= 9 && bytes[8] === 0x7b) {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = dv.getBigUint64(0, true);
    if (n >= 2n && n <= BigInt(bytes.length - 8)) return "safetensors";
  }
  return "unknown";
}

export interface EncodeTorchOptions {
  /** The archive's top-level directory; torch.save uses the file name without extension. */
  archiveName?: string;
}

/** Serializes `obj` as torch.save does; the result loads with torch.load(..., weights_only=True). */
export function encodeTorchZip(obj: Saved, archiveName: string | EncodeTorchOptions = "archive"): Uint8Array {
  const name = typeof archiveName === "string" ? archiveName : (archiveName.archiveName ?? "archive");
  check(name.length > 0 && !name.includes("/"), () => `torch.save: bad archive name '${name}'`);
  const { data, storages } = pickle(obj);
  const records = [{ name: `${name}/data.pkl`, data }];
  // torch.save writes storages sorted by key as strings ("10" before "2").
  const sorted = [...storages].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const s of sorted) records.push({ name: `${name}/data/${s.key}`, data: s.storage.bytes });
  records.push({ name: `${name}/version`, data: new TextEncoder().encode("3\n") });
  return writeZip(records);
}

export interface DecodeTorchOptions {
  /**
   * Keep Python's distinctions: floats as PyFloat, tuples as PyTuple, OrderedDicts as
   * PyOrderedDict (with their `_metadata`). Off by default: floats become numbers, tuples
   * arrays, and every dict a plain object (or a Map when a key is an int or looks like one).
   */
  preserveTypes?: boolean;
  /** Bytes deflated records may inflate to in all (default 1 GiB; torch.save never deflates). */
  maxInflatedBytes?: number;
}

const ARRAY_INDEX = /^(0|[1-9][0-9]*)$/;

/** Reads a torch.save archive with the same restrictions as torch.load(weights_only=True). */
export function decodeTorchZip(bytes: Uint8Array, options: DecodeTorchOptions = {}): Saved {
  const fmt = detectFormat(bytes);
  check(fmt !== "torch-legacy", "torch.load: this is a pre-1.6 (non-zip) torch.save file, which is not supported");
  check(fmt === "torch-zip", "torch.load: not a PyTorch zip archive (no local file header at the start)");
  const zip = new ZipReader(bytes, { maxInflatedBytes: options.maxInflatedBytes });
  check(zip.names.length > 0, "torch.load: archive is empty");
  // Like PyTorchStreamReader, the archive's directory is the first record's top-level folder.
  const first = zip.names[0];
  const slash = first.indexOf("/");
  check(slash > 0, () => `torch.load: first record '${first}' is not inside a folder`);
  const prefix = first.slice(0, slash);
  check(
    !zip.has(`${prefix}/constants.pkl`),
    "torch.load: this is a TorchScript archive (torch.jit.save), which is not supported",
  );
  check(zip.has(`${prefix}/data.pkl`), () => `torch.load: archive has no '${prefix}/data.pkl'`);
  // PyTorch >= 2.1 records the writer's byte order; 1.13 wrote none and was little-endian.
  if (zip.has(`${prefix}/byteorder`)) {
    const order = new TextDecoder().decode(zip.read(`${prefix}/byteorder`));
    check(order === "little", () => `torch.load: archive byte order '${order}' is not supported (only 'little')`);
  }
  const pkl = zip.read(`${prefix}/data.pkl`);
  const root = unpickle(pkl, (key, dtype, numel) => {
    const rec = `${prefix}/data/${key}`;
    check(zip.has(rec), () => `torch.load: storage '${key}' has no record '${rec}'`);
    const entry = zip.entries.get(rec);
    const expected = numel * ITEM_SIZE[dtype];
    check(
      entry && entry.size === expected,
      () =>
        `torch.load: record '${rec}' has ${entry?.size} bytes, but storage '${key}' needs ${numel} ${dtype} (${expected} bytes)`,
    );
    const storage: RawStorage = { dtype, bytes: zip.read(rec), key };
    return storage;
  });
  return toSaved(root, options.preserveTypes ?? false);
}

/** Converts the unpickler's values to Saved, keeping shared objects shared (and cycles finite). */
function toSaved(root: Val, preserve: boolean): Saved {
  return convertGraph<Saved>(
    root,
    (x): Converted<Saved> => {
      const v = x as Val;
      if (v === null || typeof v !== "object") return { leaf: v };
      if (v instanceof PyFloat) return { leaf: preserve ? v : v.value };
      if (v instanceof Global) throw new SerializationError(`torch.load: result holds the bare global '${v.path}'`);
      if (v instanceof StorageRef)
        throw new SerializationError("torch.load: result holds a storage outside any tensor");
      if (v instanceof PTuple || Array.isArray(v)) {
        const src = v instanceof PTuple ? v.items : v;
        const items: Saved[] = [];
        return {
          shell: preserve && v instanceof PTuple ? new PyTuple(items) : items,
          fill: (get) => {
            for (const c of src) items.push(get(c));
          },
        };
      }
      if (v instanceof PDict) {
        if (preserve && v.ordered) {
          const entries = new Map<string | number, Saved>();
          const r = new PyOrderedDict(entries, null);
          return {
            shell: r,
            fill: (get) => {
              if (v.state !== null) r.state = get(v.state);
              for (const [k, c] of v.map) entries.set(k, get(c));
            },
          };
        }
        const plain = [...v.map.keys()].every((k) => typeof k === "string" && !ARRAY_INDEX.test(k));
        if (plain) {
          const obj: { [k: string]: Saved } = {};
          return {
            shell: obj,
            fill: (get) => {
              for (const [k, c] of v.map) defineKey(obj, k as string, get(c));
            },
          };
        }
        const m = new Map<string | number, Saved>();
        return {
          shell: m,
          fill: (get) => {
            for (const [k, c] of v.map) m.set(k, get(c));
          },
        };
      }
      return { leaf: v }; // a RawTensor
    },
    "torch.load",
  );
}
