/**
 * The safetensors format: an 8-byte little-endian header length N, N bytes of JSON describing
 * each tensor (dtype, shape, data_offsets into the data section), then the data section.
 * Reading enforces the rules of the reference (Rust) implementation; writing reproduces its
 * layout byte for byte (tensors ordered by descending dtype alignment then name, JSON padded
 * with spaces to a multiple of 8 bytes so every tensor's data is aligned).
 */
import { SerializationError, check } from "./errors.js";
import { contiguousBytes, contiguousStrides } from "./raw.js";
import { ITEM_SIZE, type RawTensor, type StoredDType, defineKey } from "./types.js";

/** Same limit as the reference implementation (100 MB). */
export const MAX_HEADER_SIZE = 100_000_000;

const CODE: Readonly<Record<StoredDType, string>> = {
  bool: "BOOL",
  uint8: "U8",
  int8: "I8",
  int16: "I16",
  float16: "F16",
  bfloat16: "BF16",
  int32: "I32",
  float32: "F32",
  float64: "F64",
  int64: "I64",
};
const FROM_CODE = new Map<string, StoredDType>(Object.entries(CODE).map(([d, c]) => [c, d as StoredDType]));
/** The reference Dtype enum's order (increasing alignment), which the writer sorts by. */
const RANK = [
  "BOOL",
  "U8",
  "I8",
  "F8_E5M2",
  "F8_E4M3",
  "I16",
  "U16",
  "F16",
  "BF16",
  "I32",
  "U32",
  "F32",
  "F64",
  "I64",
  "U64",
];

export function encodeSafetensors(tensors: Record<string, RawTensor>, metadata?: Record<string, string>): Uint8Array {
  const items = Object.entries(tensors).map(([name, t]) => ({
    name,
    t,
    data: contiguousBytes(t, `safetensors: tensor '${name}'`),
  }));
  const rank = (d: StoredDType): number => RANK.indexOf(CODE[d]);
  items.sort((a, b) => rank(b.t.dtype) - rank(a.t.dtype) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // JSON is built by hand to fix the key order: __metadata__ first, then tensors in data order.
  const parts: string[] = [];
  if (metadata) {
    const keys = Object.keys(metadata).sort();
    for (const k of keys) check(typeof metadata[k] === "string", () => `safetensors: metadata '${k}' must be a string`);
    parts.push(`"__metadata__":{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`).join(",")}}`);
  }
  let offset = 0;
  for (const { name, t, data } of items) {
    check(name !== "__metadata__", "safetensors: '__metadata__' cannot name a tensor");
    parts.push(
      `${JSON.stringify(name)}:{"dtype":"${CODE[t.dtype]}","shape":[${t.shape.join(",")}],` +
        `"data_offsets":[${offset},${offset + data.length}]}`,
    );
    offset += data.length;
  }
  let header = new TextEncoder().encode(`{${parts.join(",")}}`);
  const pad = (8 - (header.length % 8)) % 8;
  if (pad) {
    const h = new Uint8Array(header.length + pad).fill(0x20);
    h.set(header);
    header = h;
  }
  const out = new Uint8Array(8 + header.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(header.length), true);
  out.set(header, 8);
  let p = 8 + header.length;
  for (const { data } of items) {
    out.set(data, p);
    p += data.length;
  }
  return out;
}

function isNatural(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

export interface SafetensorsFile {
  /** Tensors in data order; each has its own contiguous storage (bytes are copied). */
  tensors: Record<string, RawTensor>;
  metadata: Record<string, string> | null;
}

export function decodeSafetensors(bytes: Uint8Array): SafetensorsFile {
  check(bytes.length >= 8, () => `safetensors: file of ${bytes.length} bytes is shorter than the 8-byte header size`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = dv.getBigUint64(0, true);
  check(
    n64 <= BigInt(MAX_HEADER_SIZE),
    () => `safetensors: header size ${n64} exceeds the ${MAX_HEADER_SIZE}-byte limit`,
  );
  const n = Number(n64);
  check(8 + n <= bytes.length, () => `safetensors: header size ${n} exceeds the file size ${bytes.length} - 8`);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    throw new SerializationError("safetensors: header is not valid UTF-8");
  }
  check(text.startsWith("{"), "safetensors: header does not start with '{'");
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (err) {
    throw new SerializationError(`safetensors: header is not valid JSON (${(err as Error).message})`);
  }
  check(
    typeof header === "object" && header !== null && !Array.isArray(header),
    "safetensors: header is not a JSON object",
  );
  const dataSize = bytes.length - 8 - n;
  let metadata: Record<string, string> | null = null;
  const infos: { name: string; dtype: StoredDType; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      check(
        typeof info === "object" && info !== null && !Array.isArray(info),
        "safetensors: __metadata__ is not an object",
      );
      metadata = {};
      for (const [k, v] of Object.entries(info as Record<string, unknown>)) {
        check(typeof v === "string", () => `safetensors: __metadata__ '${k}' is not a string`);
        defineKey(metadata, k, v);
      }
      continue;
    }
    check(
      typeof info === "object" && info !== null && !Array.isArray(info),
      () => `safetensors: tensor '${name}' info is not an object`,
    );
    const { dtype: code, shape, data_offsets: offs } = info as Record<string, unknown>;
    const dtype = typeof code === "string" ? FROM_CODE.get(code) : undefined;
    check(dtype, () => `safetensors: tensor '${name}' has unsupported dtype ${JSON.stringify(code)}`);
    check(
      Array.isArray(shape) && shape.every(isNatural),
      () => `safetensors: tensor '${name}' has a bad shape ${JSON.stringify(shape)}`,
    );
    check(
      Array.isArray(offs) && offs.length === 2 && offs.every(isNatural),
      () => `safetensors: tensor '${name}' has bad data_offsets ${JSON.stringify(offs)}`,
    );
    const [begin, end] = offs as number[];
    check(
      begin <= end && end <= dataSize,
      () => `safetensors: tensor '${name}' data_offsets [${begin}, ${end}] exceed data size ${dataSize}`,
    );
    let numel = 1;
    for (const d of shape as number[]) numel *= d;
    const nbytes = numel * ITEM_SIZE[dtype];
    check(
      Number.isSafeInteger(nbytes) && nbytes === end - begin,
      () =>
        `safetensors: tensor '${name}' of dtype ${code} and shape [${String(shape)}] needs ${nbytes} bytes, ` +
        `but data_offsets [${begin}, ${end}] hold ${end - begin}`,
    );
    infos.push({ name, dtype, shape: shape as number[], begin, end });
  }
  // The data section must be covered exactly: no holes, no overlaps, nothing after the end.
  infos.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const t of infos) {
    check(t.begin === cursor, () =>
      t.begin < cursor
        ? `safetensors: tensor '${t.name}' data_offsets [${t.begin}, ${t.end}] overlap the previous tensor (ending at ${cursor})`
        : `safetensors: bytes [${cursor}, ${t.begin}) before tensor '${t.name}' belong to no tensor`,
    );
    cursor = t.end;
  }
  check(cursor === dataSize, () => `safetensors: tensors cover ${cursor} bytes but the data section has ${dataSize}`);
  const tensors: Record<string, RawTensor> = {};
  const base = 8 + n;
  for (const t of infos) {
    defineKey(tensors, t.name, {
      dtype: t.dtype,
      shape: t.shape,
      strides: contiguousStrides(t.shape),
      storageOffset: 0,
      storage: { dtype: t.dtype, bytes: bytes.slice(base + t.begin, base + t.end) },
    });
  }
  return { tensors, metadata };
}
