// Random draws for samplers, randomSplit and the random transforms, through Flint's generator
// (torch.randperm / torch.randint / torch.rand with { generator }), so that a seeded shuffle
// repeats — and, with Flint's PyTorch-matching mt19937 stream, equals PyTorch's order.
//
// The torch-level random functions arrive on main from another branch; until then (and to keep
// this module loadable either way) they are looked up at call time, with a fallback that runs
// PyTorch's algorithms directly on a generator's raw 32-bit draws.
import * as torch from "../../index.js";
import type { Tensor } from "../../tensor.js";

/** What Flint's torch.Generator offers (PyTorch's CPU generator). */
export interface GeneratorLike {
  manualSeed(seed: number | bigint): unknown;
  random?(): number;
  random64?(): bigint;
}

type Fn = (...args: unknown[]) => unknown;
const ns = torch as unknown as Record<string, unknown>;
const fn = (name: string): Fn | null => (typeof ns[name] === "function" ? (ns[name] as Fn) : null);
const genOpt = (g: GeneratorLike | null | undefined): Record<string, unknown> => (g ? { generator: g } : {});

/** Whether Flint's random functions (torch.randperm with generators) are available. */
export function hasTorchRandom(): boolean {
  return fn("randperm") !== null;
}

/** The default generator (torch.defaultGenerator), when Flint has one. */
function defaultGen(): GeneratorLike | null {
  const g = ns.defaultGenerator;
  return typeof g === "object" && g !== null ? (g as GeneratorLike) : null;
}

function toNumbers(t: unknown): number[] {
  return Array.from((t as Tensor).typedArray(), Number);
}

/** torch.randperm(n, { generator }).tolist(). */
export function randperm(n: number, generator?: GeneratorLike | null): number[] {
  const f = fn("randperm");
  if (f !== null) return toNumbers(f(n, { dtype: "int64", ...genOpt(generator) }));
  // PyTorch 1.13's randperm_cpu: swap i with i + random() % (n - i).
  const r = Array.from({ length: n }, (_, i) => i);
  const g = generator ?? defaultGen();
  for (let i = 0; i < n - 1; i++) {
    const draw = g?.random ? g.random() : Math.floor(Math.random() * 2 ** 32);
    const z = i + (draw % (n - i));
    [r[i], r[z]] = [r[z], r[i]];
  }
  return r;
}

/** torch.randint(low, high, [size], { dtype: int64, generator }).tolist(). */
export function randint(low: number, high: number, size: number, generator?: GeneratorLike | null): number[] {
  const f = fn("randint");
  if (f !== null) return toNumbers(f(low, high, [size], { dtype: "int64", ...genOpt(generator) }));
  const g = generator ?? defaultGen();
  const out: number[] = [];
  for (let i = 0; i < size; i++) out.push(low + ((g?.random ? g.random() : Math.floor(Math.random() * 2 ** 32)) % (high - low)));
  return out;
}

/** torch.rand([size], { generator }) as float32 values. */
export function rand(size: number, generator?: GeneratorLike | null): number[] {
  const f = fn("rand");
  if (f !== null) return toNumbers(f([size], genOpt(generator)));
  const g = generator ?? defaultGen();
  const out: number[] = [];
  // uniform_ for float32: 24 random bits of one 32-bit draw, times 2^-24.
  for (let i = 0; i < size; i++) out.push(((g?.random ? g.random() : Math.floor(Math.random() * 2 ** 32)) & 0xffffff) / 2 ** 24);
  return out;
}

/**
 * torch.empty((), dtype=torch.int64).random_(generator=g).item(): one random64() draw modulo
 * 2^63. DataLoader iterators draw this base seed for their workers (and RandomSampler its own
 * generator's seed) exactly as PyTorch does, so the generator's stream stays in step with it.
 */
export function randomSeed(generator?: GeneratorLike | null): bigint {
  const g = generator ?? defaultGen();
  if (g?.random64) return g.random64() & ((1n << 63n) - 1n);
  const empty = fn("empty");
  if (empty !== null) {
    const t = empty([], { dtype: "int64" }) as Tensor & { random_?: (o: object) => Tensor };
    if (typeof t.random_ === "function") return BigInt(t.random_(genOpt(generator)).item() as number);
  }
  return BigInt(Math.floor(Math.random() * 2 ** 53));
}

/** A new torch.Generator seeded with `seed` (PyTorch's RandomSampler makes one per epoch). */
export function newGenerator(seed: bigint): GeneratorLike | null {
  const G = ns.Generator;
  if (typeof G !== "function") return null;
  const g = new (G as new () => GeneratorLike)();
  g.manualSeed(seed);
  return g;
}

/** torch.manualSeed(seed) (worker threads seed their default generator with baseSeed + id). */
export function manualSeed(seed: bigint): void {
  const f = fn("manualSeed");
  if (f !== null) f(seed);
}

/** torch.multinomial(weights, n, replacement, { generator }), when Flint has it; else null. */
export function multinomial(weights: number[], n: number, replacement: boolean, generator?: GeneratorLike | null): number[] | null {
  const f = fn("multinomial");
  if (f === null) return null;
  const w = torch.tensor(weights, { dtype: "float64" });
  return toNumbers(f(w, n, replacement, genOpt(generator)));
}
