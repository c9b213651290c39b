// Seeded mutation fuzzing shared by the fuzz tests (test/*fuzz*.test.ts, run in CI with few
// cases) and `npm run fuzz` (scripts/fuzz.ts, many cases): a PRNG so every failure reproduces
// from its seed, and byte-level mutations that keep enough structure to reach deep parser code.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LIES = [0, 1, 7, 8, 63, 64, 255, 256, 0x7fff, 0xffff, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

export function mutate(src: Uint8Array, rand: () => number, textual = false): Uint8Array {
  const int = (n: number): number => Math.floor(rand() * n);
  const b = src.slice();
  switch (int(textual ? 7 : 6)) {
    case 0:
      return src.slice(0, int(src.length)); // truncation
    case 1: {
      // flipped bytes
      for (let i = 1 + int(4); i > 0; i--) b[int(b.length)] = int(256);
      return b;
    }
    case 2: {
      // a lying 16/32/64-bit length somewhere
      const dv = new DataView(b.buffer);
      const lie = rand() < 0.2 ? src.length + int(3) - 1 : LIES[int(LIES.length)];
      const width = [2, 4, 8][int(3)];
      if (b.length < width) return b;
      const at = int(Math.max(1, b.length - width));
      if (width === 2) dv.setUint16(at, lie & 0xffff, true);
      else if (width === 4) dv.setUint32(at, lie >>> 0, true);
      else dv.setBigUint64(at, BigInt(lie) * (rand() < 0.3 ? 0x100000000n : 1n), true);
      return b;
    }
    case 3: {
      // deleted range
      const at = int(b.length);
      const n = 1 + int(16);
      return Uint8Array.from([...src.subarray(0, at), ...src.subarray(at + n)]);
    }
    case 4: {
      // inserted random bytes
      const at = int(b.length);
      const ins = Array.from({ length: 1 + int(8) }, () => int(256));
      return Uint8Array.from([...src.subarray(0, at), ...ins, ...src.subarray(at)]);
    }
    case 5: {
      // a chunk of the input copied elsewhere (keeps some structure)
      const from = int(b.length);
      const n = 1 + int(64);
      const to = int(b.length);
      return Uint8Array.from([...src.subarray(0, to), ...src.subarray(from, from + n), ...src.subarray(to)]);
    }
    default: {
      // a number in a JSON header replaced by an extreme one
      const text = new TextDecoder().decode(src);
      const nums = [...text.matchAll(/\d+/g)];
      if (nums.length === 0) return b;
      const m = nums[int(nums.length)];
      const rep = ["0", "-1", "18446744073709551615", "9007199254740993", "1e308", String(LIES[int(LIES.length)])][
        int(6)
      ];
      return new TextEncoder().encode(text.slice(0, m.index) + rep + text.slice((m.index ?? 0) + m[0].length));
    }
  }
}

/** Argument kinds of the native entry points: see NATIVE_SIGNATURES. */
type ArgKind = "f" | "N" | "n" | "b" | "l" | "i" | "d" | "o";

/**
 * Every native entry point that takes data (setNumThreads/setIsa are left out: they change
 * process-wide state), with its argument kinds: f Float32Array, N Float32Array or null, n number,
 * b boolean, l list of integers, i index array (Int32Array/Float64Array), d Float64Array, o opcode.
 */
export const NATIVE_SIGNATURES: Record<string, string> = {
  sgemm: "bbnnnnfnnfnnnfnn",
  sgemmBatched: "bbnnnnfnnnfnnnnfnnnn",
  conv2dForward: "ffNf" + "n".repeat(14),
  conv2dBackwardInput: "fff" + "n".repeat(14),
  conv2dBackwardWeight: "fffN" + "n".repeat(14),
  maxPool2dForward: "ffi" + "n".repeat(14),
  maxPool2dBackward: "fif" + "n".repeat(14),
  avgPool2dForward: "ff" + "n".repeat(12) + "bn",
  avgPool2dBackward: "ff" + "n".repeat(12) + "bn",
  copyStrided: "fnlfnll",
  binaryStrided: "ofnlfnlfl",
  lstmCellForward: "fffffnn",
  lstmCellBackward: "ffffffnn",
  rnnLayerForward: "nffNfNffNfnnnb",
  rnnLayerBackward: "nffNNNffNNNnnnb",
  unary: "ofnfnn",
  binary: "ofnfnfnn",
  binaryScalar: "ofnnfnn",
  addScaled: "fnfnnfnn",
  sumRows: "fnfnnnn",
  biasGradNCHW: "ffnnn",
  logSoftmaxRows: "fnfnnn",
  softmaxRows: "fnfnnn",
  logSoftmaxBackwardRows: "fffnn",
  softmaxBackwardRows: "fffnn",
  crossEntropyForwardBackward: "fdNnnnn",
  sgdStep: "ffNnnnnbbb",
  adamStep: "ffffNnnnnnnbbb",
};

/** Sizes that break naive arithmetic: int32/int64 edges, unsafe doubles, NaN, fractions. */
const HOSTILE_NUMBERS = [
  -1,
  -(2 ** 31),
  2 ** 31,
  2 ** 32,
  2 ** 32 + 1,
  2 ** 53,
  2 ** 62,
  2 ** 63,
  1e300,
  NaN,
  Infinity,
  -Infinity,
  0.5,
  -0.0,
];

/** Random arguments for one call of `fn`: mostly small valid-looking sizes, sometimes hostile. */
export function nativeArgs(fn: string, rand: () => number): unknown[] {
  const int = (n: number): number => Math.floor(rand() * n);
  const num = (): number => (rand() < 0.8 ? int(6) : HOSTILE_NUMBERS[int(HOSTILE_NUMBERS.length)]);
  const f32 = (): Float32Array => {
    const a = new Float32Array(rand() < 0.2 ? 0 : int(80));
    for (let i = 0; i < a.length; i++) a[i] = rand() * 4 - 2;
    return a;
  };
  const make = (k: ArgKind): unknown => {
    if (rand() < 0.03) return [undefined, "3", {}, [], null, true, 1n][int(7)]; // a wrong type
    switch (k) {
      case "f":
        return f32();
      case "N":
        return rand() < 0.3 ? null : f32();
      case "n":
        return num();
      case "b":
        return rand() < 0.5;
      case "l":
        return Array.from({ length: int(4) }, num);
      case "i":
        return rand() < 0.5
          ? new Int32Array(int(80)).map(() => int(100) - 10)
          : new Float64Array(int(80)).map(() => int(100) - 10);
      case "d":
        return new Float64Array(int(40)).map(() => (rand() < 0.9 ? int(6) : num()));
      case "o":
        return rand() < 0.9 ? int(11) : num();
    }
  };
  const sig = NATIVE_SIGNATURES[fn];
  const args = [...sig].map((k) => make(k as ArgKind));
  if (rand() < 0.03) args.length = int(args.length); // too few arguments
  return args;
}

/** Seeds for the load-path fuzz: the PyTorch fixtures and the hostile corpus (memo bomb, cycles …). */
export function loadSeeds(root: string): Uint8Array[] {
  const dirs = [join(root, "test", "fixtures", "serialization"), join(root, "test", "fixtures", "hostile")];
  const seeds: Uint8Array[] = [];
  for (const d of dirs) {
    for (const name of readdirSync(d).sort()) {
      if (/\.(pt|safetensors)$/.test(name)) seeds.push(new Uint8Array(readFileSync(join(d, name))));
    }
  }
  return seeds;
}

export interface FuzzFigures {
  target: string;
  seed: number;
  cases: number;
  rejected: number;
  loaded: number;
  slowestMs: number;
  findings: string[];
}

/**
 * Mutates seeds and runs `decode` on each: it may return or throw one of the `allowed` error
 * classes; anything else (or a case slower than maxMs) is a finding.
 */
export function fuzzDecode(
  target: string,
  seeds: Uint8Array[],
  cases: number,
  seed: number,
  decode: (b: Uint8Array) => unknown,
  allowed: (e: unknown) => boolean,
  maxMs = 2000,
): FuzzFigures {
  const rand = mulberry32(seed);
  const out: FuzzFigures = { target, seed, cases, rejected: 0, loaded: 0, slowestMs: 0, findings: [] };
  for (let i = 0; i < cases; i++) {
    let input = seeds[Math.floor(rand() * seeds.length)];
    for (let k = 1 + Math.floor(rand() * 3); k > 0; k--) input = mutate(input, rand, rand() < 0.2);
    const t0 = performance.now();
    try {
      decode(input);
      out.loaded++;
    } catch (e) {
      if (allowed(e)) out.rejected++;
      else out.findings.push(`case ${i}: ${String(e)}`);
    }
    const ms = performance.now() - t0;
    out.slowestMs = Math.max(out.slowestMs, ms);
    if (ms > maxMs) out.findings.push(`case ${i}: took ${ms.toFixed(0)} ms`);
  }
  out.slowestMs = Math.round(out.slowestMs);
  return out;
}
