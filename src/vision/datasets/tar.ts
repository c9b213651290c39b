// A small streaming reader for .tar and .tar.gz archives (ustar, pax and GNU long names), so
// unpacking a dataset needs no tar binary. Only regular files and directories are created;
// links and devices are skipped, and entry paths that would escape the destination are errors.
import { closeSync, createReadStream, mkdirSync, openSync, writeSync } from "node:fs";
import { isAbsolute, join, normalize, sep } from "node:path";
import { createGunzip } from "node:zlib";
import { FlintError } from "../../errors.js";

/** A malformed or unsafe archive. */
export class ArchiveError extends FlintError {
  constructor(message: string) {
    super(message);
    this.name = "ArchiveError";
  }
}

const BLOCK = 512;

function readString(buf: Buffer, start: number, length: number): string {
  const end = buf.indexOf(0, start);
  return buf.toString("utf8", start, end === -1 || end > start + length ? start + length : end);
}

function readNumber(buf: Buffer, start: number, length: number): number {
  // GNU base-256 encoding for sizes of 8 GiB and more: high bit of the first byte set.
  if ((buf[start] & 0x80) !== 0) {
    let value = buf[start] & 0x7f;
    for (let i = 1; i < length; i++) value = value * 256 + buf[start + i];
    return value;
  }
  const text = readString(buf, start, length).trim();
  return text === "" ? 0 : parseInt(text, 8);
}

function checksumOk(header: Buffer): boolean {
  const stored = readNumber(header, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : header[i];
  return sum === stored;
}

function parsePax(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(32, pos);
    if (space === -1) break;
    const len = parseInt(data.toString("utf8", pos, space), 10);
    if (!(len > 0)) break;
    const record = data.toString("utf8", space + 1, pos + len - 1);
    const eq = record.indexOf("=");
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    pos += len;
  }
  return out;
}

function safeJoin(dest: string, name: string, archive: string): string {
  const clean = normalize(name);
  if (isAbsolute(clean) || clean === ".." || clean.startsWith(`..${sep}`)) {
    throw new ArchiveError(`extract: entry '${name}' in ${archive} points outside the destination`);
  }
  return join(dest, clean);
}

/**
 * Extracts `archive` (.tar, or gzip-compressed when its name ends in .gz/.tgz) into `dest`,
 * streaming. Returns the relative paths of the regular files written.
 */
export async function extractTar(archive: string, dest: string): Promise<string[]> {
  const gz = /\.(t?gz)$/i.test(archive);
  const input = createReadStream(archive, { highWaterMark: 1 << 20 });
  const stream = gz ? input.pipe(createGunzip()) : input;
  mkdirSync(dest, { recursive: true });
  const written: string[] = [];
  let pending: Buffer = Buffer.alloc(0);
  // Current entry being read: its data remaining, padding to skip, and where it goes.
  let remaining = 0;
  let padding = 0;
  let fd: number | null = null;
  let collect: Buffer[] | null = null; // for pax/GNU-long-name records
  let collectKind = "";
  let longName: string | null = null;
  let paxPath: string | null = null;
  let paxSize: number | null = null;
  let ended = false;

  try {
    for await (const chunk of stream) {
      pending = pending.length === 0 ? (chunk as Buffer) : Buffer.concat([pending, chunk as Buffer]);
      let pos = 0;
      while (!ended) {
        if (remaining > 0) {
          const take = Math.min(remaining, pending.length - pos);
          if (take === 0) break;
          const piece = pending.subarray(pos, pos + take);
          if (fd !== null) writeSync(fd, piece);
          else if (collect !== null) collect.push(Buffer.from(piece));
          pos += take;
          remaining -= take;
          if (remaining > 0) break;
        }
        if (remaining === 0 && (fd !== null || collect !== null)) {
          if (fd !== null) {
            closeSync(fd);
            fd = null;
          }
          if (collect !== null) {
            const data = Buffer.concat(collect);
            collect = null;
            if (collectKind === "L") longName = readString(data, 0, data.length);
            else if (collectKind === "x") {
              const pax = parsePax(data);
              paxPath = pax.get("path") ?? null;
              const size = pax.get("size");
              paxSize = size !== undefined ? Number(size) : null;
            }
          }
        }
        if (padding > 0) {
          const skip = Math.min(padding, pending.length - pos);
          pos += skip;
          padding -= skip;
          if (padding > 0) break;
        }
        if (pending.length - pos < BLOCK) break;
        const header = pending.subarray(pos, pos + BLOCK);
        pos += BLOCK;
        if (header.every((b) => b === 0)) {
          ended = true;
          break;
        }
        if (!checksumOk(header))
          throw new ArchiveError(`extract: ${archive} is not a valid tar archive (bad header checksum)`);
        const type = String.fromCharCode(header[156] === 0 ? 48 : header[156]);
        let name = readString(header, 0, 100);
        if (header.toString("latin1", 257, 262) === "ustar") {
          const prefix = readString(header, 345, 155);
          if (prefix !== "") name = `${prefix}/${name}`;
        }
        let size = readNumber(header, 124, 12);
        if (type === "x" || type === "L" || type === "g") {
          remaining = size;
          padding = (BLOCK - (size % BLOCK)) % BLOCK;
          collect = [];
          collectKind = type;
          if (size === 0) collect = null;
          continue;
        }
        if (longName !== null) name = longName;
        if (paxPath !== null) name = paxPath;
        if (paxSize !== null) size = paxSize;
        longName = null;
        paxPath = null;
        paxSize = null;
        remaining = size;
        padding = (BLOCK - (size % BLOCK)) % BLOCK;
        if (type === "0" || type === "7") {
          const path = safeJoin(dest, name, archive);
          mkdirSync(join(path, ".."), { recursive: true });
          fd = openSync(path, "w");
          written.push(normalize(name));
          if (size === 0) {
            closeSync(fd);
            fd = null;
          }
        } else if (type === "5") {
          mkdirSync(safeJoin(dest, name, archive), { recursive: true });
        }
        // Other types (links, devices, fifos): their data, if any, is skipped.
      }
      pending = pending.subarray(pos);
    }
  } finally {
    if (fd !== null) closeSync(fd);
  }
  if (!ended && (remaining > 0 || pending.length > 0)) {
    throw new ArchiveError(`extract: ${archive} is truncated (archive ended inside an entry)`);
  }
  return written;
}
