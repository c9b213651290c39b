/**
 * Malformed input must only ever raise SerializationError, quickly: mutated archives, mutated
 * pickles inside valid archives (so the CRC does not shield the unpickler), and mutated
 * safetensors files, all from a fixed-seed PRNG so failures reproduce.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import {
  type Saved,
  SerializationError,
  ZipReader,
  decodeSafetensors,
  decodeTorchZip,
  isRawTensor,
  rawToArray,
  writeZip,
} from "../src/serialization/index.js";
import { mulberry32, mutate } from "./fuzz-lib.js";

const FIX = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "serialization");
const read = (name: string): Uint8Array => new Uint8Array(readFileSync(join(FIX, name)));
const MAX_MS_PER_CASE = 1000; // generous: the machine is shared; a hang would take far longer

/** Touches everything a caller would: every tensor converted to an array. */
function consume(v: Saved, seen = new Set<object>()): void {
  if (v === null || typeof v !== "object" || seen.has(v)) return;
  seen.add(v);
  if (isRawTensor(v)) {
    rawToArray(v);
    return;
  }
  const kids = Array.isArray(v)
    ? v
    : v instanceof Map
      ? [...v.values()]
      : "items" in v && Array.isArray(v.items)
        ? v.items
        : "entries" in v && v.entries instanceof Map
          ? [...v.entries.values()]
          : Object.values(v as Record<string, Saved>);
  for (const k of kids) consume(k as Saved, seen);
}

function run(
  label: string,
  cases: number,
  seed: number,
  make: (rand: () => number) => Uint8Array,
  decode: (b: Uint8Array) => void,
): void {
  const rand = mulberry32(seed);
  let rejected = 0;
  let slowest = 0;
  for (let i = 0; i < cases; i++) {
    const input = make(rand);
    const t0 = performance.now();
    try {
      decode(input);
    } catch (err) {
      if (!(err instanceof SerializationError)) {
        assert.fail(`${label} case ${i} (seed ${seed}) threw ${String(err)}\n${(err as Error).stack}`);
      }
      rejected++;
    }
    slowest = Math.max(slowest, performance.now() - t0);
  }
  if (process.env.FUZZ_LOG) console.log(label, { cases, rejected, slowest });
  assert.ok(slowest < MAX_MS_PER_CASE, `${label}: slowest case took ${slowest.toFixed(1)} ms`);
  // Most mutations must be caught; a fuzzer that never reaches the parsers would prove nothing.
  assert.ok(rejected > cases / 4, `${label}: only ${rejected} of ${cases} mutations were rejected`);
}

describe("fuzzing with malformed input", () => {
  const torchFiles = ["cnn_state_dict.pt", "views.pt", "misc.pt", "deflated.pt", "proto4.pt", "adam_state.pt"].map(
    read,
  );
  const stFiles = ["cnn_state_dict.safetensors", "dtypes.safetensors"].map(read);

  it("torch archives", () => {
    run(
      "zip",
      1200,
      1,
      (r) => mutate(torchFiles[Math.floor(r() * torchFiles.length)], r),
      (b) => consume(decodeTorchZip(b, { preserveTypes: true })),
    );
  });

  it("pickles inside valid archives", () => {
    const parts = torchFiles.map((f) => {
      const z = new ZipReader(f);
      return z.names.map((n) => ({ name: `a/${n.slice(n.indexOf("/") + 1)}`, data: z.read(n) }));
    });
    run(
      "pickle",
      1800,
      2,
      (r) => {
        const recs = parts[Math.floor(r() * parts.length)];
        let pkl = recs[0].data;
        for (let k = 1 + Math.floor(r() * 2); k > 0; k--) pkl = mutate(pkl, r);
        return writeZip([{ name: "a/data.pkl", data: pkl }, ...recs.slice(1)]);
      },
      (b) => consume(decodeTorchZip(b)),
    );
  });

  it("safetensors files", () => {
    run(
      "safetensors",
      1200,
      3,
      (r) => mutate(stFiles[Math.floor(r() * stFiles.length)], r, true),
      (b) => {
        const { tensors } = decodeSafetensors(b);
        for (const t of Object.values(tensors)) rawToArray(t);
      },
    );
  });
});
