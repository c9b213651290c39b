// Helpers shared by the data tests: writers for the official file formats (CIFAR binary, IDX,
// tar.gz) and a loopback HTTP server in a worker thread (the synchronous download bridge
// blocks the main thread, so the server cannot run on the main thread's event loop).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { gzipSync } from "node:zlib";

export function tempDir(prefix = "flint-data-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Deterministic bytes: a simple LCG so tests need no RNG. */
export function pseudoBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

/** CIFAR binary records: labels[k][i] label bytes, then CHW pixels from pseudoBytes. */
export function cifarRecords(
  count: number,
  labelBytes: number,
  seed: number,
): { bytes: Uint8Array; labels: number[][]; pixels: Uint8Array[] } {
  const record = labelBytes + 3072;
  const bytes = new Uint8Array(count * record);
  const labels: number[][] = Array.from({ length: labelBytes }, () => []);
  const pixels: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < labelBytes; k++) {
      const label = (i * 7 + k * 3 + seed) % (k === labelBytes - 1 ? 10 : 5);
      labels[k].push(label);
      bytes[i * record + k] = label;
    }
    const px = pseudoBytes(3072, seed * 1000 + i);
    pixels.push(px);
    bytes.set(px, i * record + labelBytes);
  }
  return { bytes, labels, pixels };
}

/** An IDX file's bytes for uint8 data of the given shape. */
export function idxBytes(shape: number[], data: Uint8Array): Uint8Array {
  const header = new Uint8Array(4 + 4 * shape.length);
  header[2] = 0x08;
  header[3] = shape.length;
  const view = new DataView(header.buffer);
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const out = new Uint8Array(header.length + data.length);
  out.set(header);
  out.set(data, header.length);
  return out;
}

/** A minimal ustar writer: entries are files (Uint8Array) or directories (null). */
export function tarBytes(entries: [string, Uint8Array | null][]): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const [name, data] of entries) {
    const h = new Uint8Array(512);
    const put = (s: string, at: number) => h.set(Buffer.from(s, "latin1"), at);
    put(name, 0);
    put("0000644\0", 100);
    put("0000000\0", 108);
    put("0000000\0", 116);
    put(`${(data?.length ?? 0).toString(8).padStart(11, "0")}\0`, 124);
    put("00000000000\0", 136);
    put("        ", 148);
    h[156] = data === null ? 53 : 48;
    put("ustar\0", 257);
    put("00", 263);
    let sum = 0;
    for (const b of h) sum += b;
    put(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
    blocks.push(h);
    if (data !== null) {
      const padded = new Uint8Array(Math.ceil(data.length / 512) * 512);
      padded.set(data);
      blocks.push(padded);
    }
  }
  blocks.push(new Uint8Array(1024));
  return Buffer.concat(blocks);
}

export function writeTarGz(path: string, entries: [string, Uint8Array | null][]): Uint8Array {
  const gz = gzipSync(tarBytes(entries));
  writeFileSync(path, gz);
  return gz;
}

/**
 * Serves files from `dir` on 127.0.0.1 in a worker thread. Paths: /ok/NAME sends the file,
 * /corrupt/NAME flips a byte in the middle, /short/NAME closes the connection halfway,
 * /missing/NAME answers 404. `hits` counts requests (to check the already-present skip).
 */
export async function startServer(
  dir: string,
): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const source = `
const http = require("node:http"); const fs = require("node:fs"); const path = require("node:path");
const { parentPort, workerData } = require("node:worker_threads");
const server = http.createServer((req, res) => {
  Atomics.add(workerData.counter, 0, 1);
  const [, mode, name] = req.url.split("/");
  const file = path.join(workerData.dir, name || "");
  if (mode === "missing" || !name || !fs.existsSync(file)) { res.writeHead(404); res.end(); return; }
  let body = fs.readFileSync(file);
  if (mode === "corrupt") { body = Buffer.from(body); body[body.length >> 1] ^= 0xff; }
  if (mode === "short") { res.writeHead(200, { "Content-Length": body.length }); res.write(body.subarray(0, body.length >> 1)); setTimeout(() => res.destroy(), 20); return; }
  res.writeHead(200, { "Content-Length": body.length }); res.end(body);
});
server.listen(0, "127.0.0.1", () => parentPort.postMessage(server.address().port));
parentPort.on("message", () => server.close(() => process.exit(0)));`;
  const worker = new Worker(source, { eval: true, workerData: { dir, counter } });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    hits: () => Atomics.load(counter, 0),
    close: async () => {
      worker.postMessage("close");
      await new Promise((r) => worker.once("exit", r));
    },
  };
}
