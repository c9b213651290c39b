/**
 * A minimal ZIP reader and writer, enough for PyTorch's checkpoint archives.
 *
 * The writer reproduces what PyTorch's PyTorchStreamWriter (miniz) produces: stored entries whose
 * data starts on a 64-byte boundary (padded with an "FB" extra field of 'Z's), a data descriptor
 * after each non-empty entry, and ZIP64 end records. The reader accepts any ordinary archive with
 * stored or deflated entries, ZIP64 included, and checks every offset and length before use.
 */
import { inflateRaw } from "./inflate.js";
import { crc32 } from "./crc32.js";
import { SerializationError, check } from "./errors.js";

export interface ZipEntry {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_LOCATOR64 = 0x07064b50;
const SIG_DESCRIPTOR = 0x08074b50;
const ALIGNMENT = 64;
/** Deflate cannot expand data more than ~1032:1; a larger claim is a lie (or a bomb). */
const MAX_DEFLATE_RATIO = 1100;

/**
 * The default bound on the bytes one archive may inflate to (deflated entries only: stored
 * entries, all that torch.save writes, are bounded by the file itself). FLINT_MAX_INFLATE_BYTES
 * or the `maxInflatedBytes` option change it.
 */
export function defaultMaxInflatedBytes(): number {
  const v = Number(process.env.FLINT_MAX_INFLATE_BYTES ?? "");
  return Number.isFinite(v) && v > 0 ? v : 1 << 30;
}

export interface ZipReaderOptions {
  /** Total bytes the deflated entries read from this archive may inflate to. */
  maxInflatedBytes?: number;
}

function u64(dv: DataView, pos: number, what: string): number {
  const v = dv.getBigUint64(pos, true);
  check(v <= BigInt(Number.MAX_SAFE_INTEGER), () => `zip: ${what} ${v} is too large`);
  return Number(v);
}

export class ZipReader {
  readonly entries = new Map<string, ZipEntry>();
  /** Entry names in central-directory order. */
  readonly names: string[] = [];
  private readonly dv: DataView;
  private readonly maxInflated: number;
  private inflated = 0;

  constructor(
    private readonly bytes: Uint8Array,
    options: ZipReaderOptions = {},
  ) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.maxInflated = options.maxInflatedBytes ?? defaultMaxInflatedBytes();
    this.readCentralDirectory();
    this.checkNoOverlap();
  }

  /**
   * Entries must not share bytes (the overlapping-entry zip bomb: many entries inflating one
   * compressed body): each entry's local header and data must lie in the file, apart.
   */
  private checkNoOverlap(): void {
    const spans: [number, number, string][] = [];
    for (const e of this.entries.values()) {
      const lo = e.localOffset;
      check(lo + 30 <= this.bytes.length, () => `zip: local header of '${e.name}' at ${lo} is outside the file`);
      const stop = lo + 30 + this.dv.getUint16(lo + 26, true) + this.dv.getUint16(lo + 28, true) + e.compressedSize;
      check(
        stop <= this.bytes.length,
        () => `zip: data of '${e.name}' ends at ${stop}, past the file size ${this.bytes.length}`,
      );
      spans.push([lo, stop, e.name]);
    }
    spans.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) {
      check(
        spans[i][0] >= spans[i - 1][1],
        () =>
          `zip: entries '${spans[i - 1][2]}' and '${spans[i][2]}' overlap (bytes ${spans[i][0]}..${spans[i - 1][1]}): overlapping entries are refused`,
      );
    }
  }

  private readCentralDirectory(): void {
    const { bytes, dv } = this;
    const len = bytes.length;
    check(len >= 22, `zip: file of ${len} bytes is too small to be an archive`);
    let eocd = -1;
    // The end record sits in the last 22 bytes plus at most a 65535-byte comment.
    for (let p = len - 22; p >= Math.max(0, len - 22 - 65535); p--) {
      if (dv.getUint32(p, true) === SIG_EOCD) {
        eocd = p;
        break;
      }
    }
    check(eocd >= 0, "zip: end of central directory record not found");
    let count = dv.getUint16(eocd + 10, true);
    let cdSize = dv.getUint32(eocd + 12, true);
    let cdOffset = dv.getUint32(eocd + 16, true);
    let cdLimit = eocd;
    if (eocd >= 20 && dv.getUint32(eocd - 20, true) === SIG_LOCATOR64) {
      const p64 = u64(dv, eocd - 12, "ZIP64 end record offset");
      check(p64 + 56 <= eocd - 20, () => `zip: ZIP64 end record offset ${p64} is outside the file`);
      check(dv.getUint32(p64, true) === SIG_EOCD64, "zip: bad ZIP64 end record signature");
      count = u64(dv, p64 + 32, "entry count");
      cdSize = u64(dv, p64 + 40, "central directory size");
      cdOffset = u64(dv, p64 + 48, "central directory offset");
      cdLimit = p64;
    }
    check(
      cdOffset + cdSize <= cdLimit,
      () => `zip: central directory [${cdOffset}, ${cdOffset + cdSize}) exceeds its bound ${cdLimit}`,
    );
    check(count <= cdSize / 46, () => `zip: ${count} entries cannot fit a central directory of ${cdSize} bytes`);
    let p = cdOffset;
    const end = cdOffset + cdSize;
    for (let i = 0; i < count; i++) {
      check(p + 46 <= end, `zip: central directory entry ${i} is truncated`);
      check(dv.getUint32(p, true) === SIG_CENTRAL, () => `zip: bad signature for central directory entry ${i}`);
      const flags = dv.getUint16(p + 8, true);
      const method = dv.getUint16(p + 10, true);
      const crc = dv.getUint32(p + 16, true);
      let compressedSize = dv.getUint32(p + 20, true);
      let size = dv.getUint32(p + 24, true);
      const nameLen = dv.getUint16(p + 28, true);
      const extraLen = dv.getUint16(p + 30, true);
      const commentLen = dv.getUint16(p + 32, true);
      let localOffset = dv.getUint32(p + 42, true);
      const next = p + 46 + nameLen + extraLen + commentLen;
      check(next <= end, `zip: central directory entry ${i} overruns the directory`);
      const name = new TextDecoder("utf-8").decode(bytes.subarray(p + 46, p + 46 + nameLen));
      check((flags & 1) === 0, () => `zip: entry '${name}' is encrypted`);
      check(
        method === 0 || method === 8,
        () => `zip: entry '${name}' uses compression method ${method} (only stored and deflate are supported)`,
      );
      // ZIP64 extended information: only the fields saturated in the fixed header are present.
      let e = p + 46 + nameLen;
      const extraEnd = e + extraLen;
      while (e + 4 <= extraEnd) {
        const id = dv.getUint16(e, true);
        const sz = dv.getUint16(e + 2, true);
        check(e + 4 + sz <= extraEnd, () => `zip: extra field of entry '${name}' overruns`);
        if (id === 0x0001) {
          let q = e + 4;
          const take = (what: string): number => {
            check(q + 8 <= e + 4 + sz, () => `zip: ZIP64 field of entry '${name}' is truncated`);
            const v = u64(dv, q, what);
            q += 8;
            return v;
          };
          if (size === 0xffffffff) size = take("size");
          if (compressedSize === 0xffffffff) compressedSize = take("compressed size");
          if (localOffset === 0xffffffff) localOffset = take("local header offset");
        }
        e += 4 + sz;
      }
      check(!this.entries.has(name), () => `zip: duplicate entry '${name}'`);
      this.entries.set(name, { name, method, crc, compressedSize, size, localOffset });
      this.names.push(name);
      p = next;
    }
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The entry's contents as a fresh Uint8Array, checked against its size and CRC-32. */
  read(name: string): Uint8Array {
    const entry = this.entries.get(name);
    check(entry, () => `zip: no entry named '${name}'`);
    const { dv, bytes } = this;
    const lo = entry.localOffset;
    check(lo + 30 <= bytes.length, () => `zip: local header of '${name}' at ${lo} is outside the file`);
    check(dv.getUint32(lo, true) === SIG_LOCAL, () => `zip: bad local header signature for '${name}'`);
    const start = lo + 30 + dv.getUint16(lo + 26, true) + dv.getUint16(lo + 28, true);
    const stop = start + entry.compressedSize;
    check(
      stop <= bytes.length,
      () => `zip: data of '${name}' [${start}, ${stop}) exceeds the file size ${bytes.length}`,
    );
    let data: Uint8Array;
    if (entry.method === 0) {
      check(
        entry.compressedSize === entry.size,
        () => `zip: stored entry '${name}' has compressed size ${entry.compressedSize} but size ${entry.size}`,
      );
      data = bytes.slice(start, stop);
    } else {
      check(
        entry.size <= entry.compressedSize * MAX_DEFLATE_RATIO + 1024,
        () => `zip: entry '${name}' claims ${entry.size} bytes from ${entry.compressedSize} compressed bytes`,
      );
      check(
        this.inflated + entry.size <= this.maxInflated,
        () =>
          `zip: entry '${name}' would inflate to ${entry.size} bytes, ${this.inflated + entry.size} in all, ` +
          `above the limit of ${this.maxInflated} bytes (FLINT_MAX_INFLATE_BYTES or maxInflatedBytes raise it)`,
      );
      this.inflated += entry.size;
      try {
        data = inflateRaw(bytes.subarray(start, stop), entry.size);
      } catch (err) {
        throw new SerializationError(`zip: cannot inflate entry '${name}': ${(err as Error).message}`);
      }
      check(
        data.length === entry.size,
        () => `zip: entry '${name}' inflated to ${data.length} bytes, expected ${entry.size}`,
      );
    }
    const actual = crc32(data);
    check(
      actual === entry.crc,
      () => `zip: CRC-32 mismatch in '${name}' (stored ${entry.crc.toString(16)}, computed ${actual.toString(16)})`,
    );
    return data;
  }
}

class ByteSink {
  buf = new Uint8Array(1024);
  len = 0;
  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  u16(v: number): void {
    this.ensure(2);
    this.buf[this.len++] = v & 0xff;
    this.buf[this.len++] = (v >>> 8) & 0xff;
  }
  u32(v: number): void {
    this.u16(v & 0xffff);
    this.u16((v >>> 16) & 0xffff);
  }
  u64(v: number): void {
    this.u32(v % 0x100000000);
    this.u32(Math.floor(v / 0x100000000));
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/**
 * Writes an archive laid out exactly as PyTorch 1.13's torch.save lays it out (given the same
 * records in the same order), so files are byte-identical to PyTorch's.
 */
export function writeZip(records: { name: string; data: Uint8Array }[]): Uint8Array {
  const out = new ByteSink();
  const central: { name: Uint8Array; flags: number; crc: number; size: number; offset: number }[] = [];
  const enc = new TextEncoder();
  for (const r of records) {
    const name = enc.encode(r.name);
    const size = r.data.length;
    const offset = out.len;
    if (size >= 0xffffffff || offset >= 0xffffffff || name.length > 0xffff) {
      throw new SerializationError(`zip: record '${r.name}' is too large for this writer (4 GiB limit)`);
    }
    const crc = size > 0 ? crc32(r.data) : 0;
    // miniz sets bit 3 (sizes in a trailing data descriptor) for non-empty entries, bit 11 (UTF-8) always.
    const flags = size > 0 ? 0x0808 : 0x0800;
    const start = offset + 30 + name.length + 4;
    const pad = (ALIGNMENT - (start % ALIGNMENT)) % ALIGNMENT;
    out.u32(SIG_LOCAL);
    out.u16(0);
    out.u16(flags);
    out.u16(0);
    out.u16(0);
    out.u16(0);
    out.u32(0);
    out.u32(0);
    out.u32(0);
    out.u16(name.length);
    out.u16(pad + 4);
    out.bytes(name);
    out.u16(0x4246); // "FB"
    out.u16(pad);
    out.bytes(new Uint8Array(pad).fill(0x5a)); // 'Z'
    out.bytes(r.data);
    if (size > 0) {
      out.u32(SIG_DESCRIPTOR);
      out.u32(crc);
      out.u32(size);
      out.u32(size);
    }
    central.push({ name, flags, crc, size, offset });
  }
  const cdOffset = out.len;
  for (const c of central) {
    out.u32(SIG_CENTRAL);
    out.u16(0);
    out.u16(0);
    out.u16(c.flags);
    out.u16(0);
    out.u16(0);
    out.u16(0);
    out.u32(c.crc);
    out.u32(c.size);
    out.u32(c.size);
    out.u16(c.name.length);
    out.u16(0);
    out.u16(0);
    out.u16(0);
    out.u16(0);
    out.u32(0);
    out.u32(c.offset);
    out.bytes(c.name);
  }
  const cdSize = out.len - cdOffset;
  const eocd64 = out.len;
  out.u32(SIG_EOCD64);
  out.u64(44);
  out.u16(0x031e);
  out.u16(0x002d);
  out.u32(0);
  out.u32(0);
  out.u64(central.length);
  out.u64(central.length);
  out.u64(cdSize);
  out.u64(cdOffset);
  out.u32(SIG_LOCATOR64);
  out.u32(0);
  out.u64(eocd64);
  out.u32(1);
  out.u32(SIG_EOCD);
  out.u16(0);
  out.u16(0);
  out.u16(Math.min(central.length, 0xffff));
  out.u16(Math.min(central.length, 0xffff));
  out.u32(Math.min(cdSize, 0xffffffff));
  out.u32(Math.min(cdOffset, 0xffffffff));
  out.u16(0);
  return out.result();
}
