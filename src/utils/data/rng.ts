// Random draws for samplers, randomSplit and the random transforms, through Flint's generator
// (torch.randperm / torch.randint / torch.rand with { generator }), whose mt19937 stream is
// PyTorch's: a seeded shuffle repeats, and equals PyTorch's order for the same seed.
import { Generator, defaultGenerator, exponential, uniform53 } from "../../random/index.js";
import {
  rand as torchRand,
  randint as torchRandint,
  randperm as torchRandperm,
  manualSeed as torchManualSeed,
} from "../../ops/random.js";
import type { Tensor } from "../../tensor.js";

/** A torch.Generator (the type samplers and loaders accept). */
export type GeneratorLike = Generator;

const genOpt = (g: Generator | null | undefined): { generator?: Generator } => (g ? { generator: g } : {});
const toNumbers = (t: Tensor): number[] => Array.from(t.typedArray(), Number);

/** torch.randperm(n, { generator }).tolist(). */
export function randperm(n: number, generator?: Generator | null): number[] {
  return toNumbers(torchRandperm(n, { dtype: "int64", ...genOpt(generator) }));
}

/** torch.randint(low, high, [size], { dtype: int64, generator }).tolist(). */
export function randint(low: number, high: number, size: number, generator?: Generator | null): number[] {
  return toNumbers(torchRandint(low, high, [size], { dtype: "int64", ...genOpt(generator) }));
}

/** torch.rand([size], { generator }) (float32 values). */
export function rand(size: number, generator?: Generator | null): number[] {
  return toNumbers(torchRand([size], genOpt(generator)));
}

/**
 * torch.empty((), dtype=torch.int64).random_(generator=g).item(): one random64() draw modulo
 * 2^63. DataLoader iterators draw this base seed for their workers (and RandomSampler its own
 * generator's seed) exactly as PyTorch does, so the generator's stream stays in step with it.
 */
export function randomSeed(generator?: Generator | null): bigint {
  return (generator ?? defaultGenerator).random64() & ((1n << 63n) - 1n);
}

/** A new torch.Generator seeded with `seed` (PyTorch's RandomSampler makes one per epoch). */
export function newGenerator(seed: bigint): Generator {
  return new Generator(seed);
}

/** torch.manualSeed(seed) (worker threads seed their default generator with baseSeed + id). */
export function manualSeed(seed: bigint): void {
  torchManualSeed(seed);
}

/**
 * torch.multinomial(weights (float64), n, replacement, { generator }) as PyTorch 1.13's CPU kernel:
 * with replacement, a binary search of one 53-bit uniform per sample in the normalized cumulative
 * weights; without (or for one sample), the exponential trick: the top n of w / Exp(1) draws.
 */
export function multinomial(
  weights: number[],
  n: number,
  replacement: boolean,
  generator?: Generator | null,
): number[] {
  const gen = generator ?? defaultGenerator;
  const k = weights.length;
  if (!replacement || n === 1) {
    const q = exponential(gen, new Float64Array(k), 1);
    const keys = weights.map((w, i) => w / q[i]);
    // topk: largest first (argmax for n == 1).
    return Array.from(keys.keys())
      .sort((a, b) => keys[b] - keys[a] || a - b)
      .slice(0, n);
  }
  const cum = new Float64Array(k);
  let sum = 0;
  for (let j = 0; j < k; j++) cum[j] = sum += weights[j];
  for (let j = 0; j < k; j++) cum[j] /= sum;
  cum[k - 1] = 1;
  const out: number[] = [];
  for (let s = 0; s < n; s++) {
    const u = uniform53(gen);
    let left = 0;
    let right = k;
    while (right - left > 0) {
      const mid = left + ((right - left) >> 1);
      if (cum[mid] < u) left = mid + 1;
      else right = mid;
    }
    out.push(left);
  }
  return out;
}
