// The IDX format of MNIST-like data sets (LeCun's "ubyte" files), gzip-compressed or not:
// bytes 0-1 zero, byte 2 the element type, byte 3 the number of dimensions, then each dimension
// as a big-endian uint32, then the elements (big-endian for multi-byte types).
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { FlintError } from "../../errors.js";

/** A malformed IDX file. */
export class IdxFormatError extends FlintError {
  constructor(message: string) {
    super(message);
    this.name = "IdxFormatError";
  }
}

export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  /** Dimensions from the header, e.g. [60000, 28, 28]. */
  shape: number[];
  /** The elements in row-major order; uint8 data lives in a SharedArrayBuffer (worker-shareable). */
  data: IdxData;
  /** IDX type code name: "uint8", "int8", "int16", "int32", "float32", "float64". */
  type: string;
}

const TYPES: Record<number, { name: string; size: number }> = {
  0x08: { name: "uint8", size: 1 },
  0x09: { name: "int8", size: 1 },
  0x0b: { name: "int16", size: 2 },
  0x0c: { name: "int32", size: 4 },
  0x0d: { name: "float32", size: 4 },
  0x0e: { name: "float64", size: 8 },
};

/** Parses IDX bytes (already decompressed). `source` names the file in errors. */
export function parseIdx(bytes: Uint8Array, source: string): IdxArray {
  if (bytes.length < 4) throw new IdxFormatError(`IDX: ${source} has ${bytes.length} bytes, too short for a header`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new IdxFormatError(
      `IDX: ${source} has a bad magic number (first bytes ${bytes[0]}, ${bytes[1]}; expected 0, 0)`,
    );
  }
  const type = TYPES[bytes[2]];
  if (type === undefined)
    throw new IdxFormatError(`IDX: ${source} has unknown element type 0x${bytes[2].toString(16)}`);
  const nd = bytes[3];
  if (nd < 1) throw new IdxFormatError(`IDX: ${source} declares ${nd} dimensions`);
  const headerSize = 4 + 4 * nd;
  if (bytes.length < headerSize)
    throw new IdxFormatError(`IDX: ${source} has ${bytes.length} bytes, shorter than its ${headerSize}-byte header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let d = 0; d < nd; d++) shape.push(view.getUint32(4 + 4 * d, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const expected = headerSize + count * type.size;
  if (bytes.length !== expected) {
    throw new IdxFormatError(
      `IDX: ${source} has ${bytes.length} bytes, expected ${expected} for a ${type.name} array of shape [${shape.join(", ")}]` +
        (bytes.length < expected ? ": the file is truncated" : ": trailing bytes"),
    );
  }
  let data: IdxData;
  if (type.size === 1) {
    const out = type.name === "uint8" ? new Uint8Array(new SharedArrayBuffer(count)) : new Int8Array(count);
    out.set(bytes.subarray(headerSize) as unknown as ArrayLike<number>);
    data = out;
  } else {
    const make = { int16: Int16Array, int32: Int32Array, float32: Float32Array, float64: Float64Array }[
      type.name as "int16"
    ];
    const out = new make(count) as Int16Array | Int32Array | Float32Array | Float64Array;
    for (let i = 0; i < count; i++) {
      const at = headerSize + i * type.size;
      out[i] =
        type.name === "int16"
          ? view.getInt16(at, false)
          : type.name === "int32"
            ? view.getInt32(at, false)
            : type.name === "float32"
              ? view.getFloat32(at, false)
              : view.getFloat64(at, false);
    }
    data = out;
  }
  return { shape, data, type: type.name };
}

/** Reads an IDX file; gzip-compressed files (by magic bytes 1f 8b) are inflated first. */
export function readIdx(path: string): IdxArray {
  let bytes: Uint8Array = readFileSync(path);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new IdxFormatError(`IDX: ${path} is a corrupt or truncated gzip file (${(e as Error).message})`);
    }
  }
  return parseIdx(bytes, path);
}
