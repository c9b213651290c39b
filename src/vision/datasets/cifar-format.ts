// The CIFAR binary format: fixed-size records of label byte(s) followed by 3x32x32 pixels in
// CHW order (1,024 red, 1,024 green, 1,024 blue bytes, each plane row-major).
import { readFileSync, statSync } from "node:fs";
import { FlintError } from "../../errors.js";

export const CIFAR_PIXELS = 3 * 32 * 32;

/** A CIFAR batch file whose size does not fit the record format or the expected count. */
export class CifarFormatError extends FlintError {
  constructor(message: string) {
    super(message);
    this.name = "CifarFormatError";
  }
}

/** Checks a batch file's byte size; returns its record count. */
export function cifarRecordCount(path: string, labelBytes: number, expectedRecords: number | null = null): number {
  const record = labelBytes + CIFAR_PIXELS;
  const size = statSync(path).size;
  if (size % record !== 0 || size === 0) {
    throw new CifarFormatError(
      `CIFAR: ${path} has ${size} bytes, not a whole number of ${record}-byte records ` +
        `(${Math.floor(size / record)} records and ${size % record} bytes left over): the file is truncated or not a CIFAR binary batch`,
    );
  }
  const n = size / record;
  if (expectedRecords !== null && n !== expectedRecords) {
    throw new CifarFormatError(
      `CIFAR: ${path} has ${n} records (${size} bytes), expected ${expectedRecords} records (${expectedRecords * record} bytes)`,
    );
  }
  return n;
}

export interface CifarBatch {
  /** Pixels of all records, NHWC (as torchvision's dataset.data), N*32*32*3 bytes. */
  data: Uint8Array;
  /** labels[k][i]: label byte k of record i (CIFAR-100 has coarse then fine). */
  labels: Uint8Array[];
  count: number;
}

/**
 * Reads CIFAR batch files into one buffer, converting each record from CHW to HWC. The pixels
 * go to a SharedArrayBuffer so DataLoader worker threads can read them without a copy.
 */
export function readCifarBatches(
  paths: string[],
  labelBytes: number,
  expectedRecords: (number | null)[] = [],
): CifarBatch {
  const counts = paths.map((p, i) => cifarRecordCount(p, labelBytes, expectedRecords[i] ?? null));
  const count = counts.reduce((a, b) => a + b, 0);
  const data = new Uint8Array(new SharedArrayBuffer(count * CIFAR_PIXELS));
  const labels = Array.from({ length: labelBytes }, () => new Uint8Array(count));
  const record = labelBytes + CIFAR_PIXELS;
  let n = 0;
  for (let f = 0; f < paths.length; f++) {
    const raw = readFileSync(paths[f]);
    if (raw.length !== counts[f] * record) {
      throw new CifarFormatError(
        `CIFAR: ${paths[f]} changed size while reading (${raw.length} bytes, expected ${counts[f] * record})`,
      );
    }
    for (let r = 0; r < counts[f]; r++, n++) {
      const src = r * record;
      for (let k = 0; k < labelBytes; k++) labels[k][n] = raw[src + k];
      const px = src + labelBytes;
      const dst = n * CIFAR_PIXELS;
      for (let i = 0; i < 1024; i++) {
        data[dst + 3 * i] = raw[px + i];
        data[dst + 3 * i + 1] = raw[px + 1024 + i];
        data[dst + 3 * i + 2] = raw[px + 2048 + i];
      }
    }
  }
  return { data, labels, count };
}
