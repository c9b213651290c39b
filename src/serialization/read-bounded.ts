/**
 * Reading a file to load: only a regular file (not /dev/zero, a FIFO or a directory, which
 * readFileSync would read without end or block on), and at most a bounded number of bytes, so
 * a path that cannot be a checkpoint fails at once with an error naming it.
 */
import { constants } from "node:buffer";
import { closeSync, constants as fsConstants, fstatSync, openSync, readSync } from "node:fs";
import { totalmem } from "node:os";
import { SerializationError } from "./errors.js";

/** The largest file load() reads: FLINT_MAX_LOAD_BYTES, else the machine's memory (at most 4 GiB, one buffer's limit). */
export function defaultMaxLoadBytes(): number {
  const v = Number(process.env.FLINT_MAX_LOAD_BYTES ?? "");
  return Number.isFinite(v) && v > 0 ? v : Math.min(constants.MAX_LENGTH, totalmem());
}

function kindOf(st: {
  isDirectory(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
}): string {
  if (st.isDirectory()) return "a directory";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isFIFO()) return "a FIFO";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
}

export function readRegularFile(path: string, what = "load", maxBytes = defaultMaxLoadBytes()): Uint8Array {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading must not wait for a writer (no effect on files).
    fd = openSync(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  } catch (e) {
    throw new SerializationError(`${what}: cannot open ${path}: ${(e as Error).message}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new SerializationError(`${what}: ${path} is ${kindOf(st)}, not a regular file`);
    if (st.size > maxBytes) {
      throw new SerializationError(
        `${what}: ${path} has ${st.size} bytes, above the limit of ${maxBytes} bytes (FLINT_MAX_LOAD_BYTES raises it)`,
      );
    }
    const out = new Uint8Array(st.size);
    let off = 0;
    while (off < out.length) {
      const n = readSync(fd, out, off, out.length - off, off);
      if (n === 0) break;
      off += n;
    }
    return off === out.length ? out : out.subarray(0, off);
  } finally {
    closeSync(fd);
  }
}
