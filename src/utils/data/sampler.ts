// torch.utils.data samplers: which indices a DataLoader visits, and in what order. Random ones
// draw through Flint's generator exactly as PyTorch 1.13's do (same calls, same order), so a
// seeded generator gives PyTorch's indices.
import type { Tensor } from "../../tensor.js";
import { type ArgsOf, signature } from "../../internal/args.js";
import { multinomial, newGenerator, randint, randomSeed, randperm, type GeneratorLike } from "./rng.js";

/** A sampler: iterable over indices (or index lists, for batch samplers), with a length. */
export interface SamplerLike<I = number> extends Iterable<I> {
  readonly length?: number;
}

export abstract class Sampler<I = number> implements SamplerLike<I> {
  abstract [Symbol.iterator](): Iterator<I>;
  abstract get length(): number;
}

type Sized = { readonly length: number };
const sequentialSamplerArgs = signature<{ dataSource: Sized }>()("SequentialSampler", ["dataSource"], {}, [
  "dataSource",
]);
const randomSamplerArgs = signature<RandomSamplerOptions & { dataSource: Sized }>()(
  "RandomSampler",
  ["dataSource", "replacement", "numSamples", "generator"],
  { replacement: false, numSamples: null, generator: null },
  ["dataSource"],
);
const subsetRandomSamplerArgs = signature<{ indices: ArrayLike<number>; generator?: GeneratorLike | null }>()(
  "SubsetRandomSampler",
  ["indices", "generator"],
  { generator: null },
);
const weightedRandomSamplerArgs = signature<{
  weights: ArrayLike<number> | Tensor;
  numSamples: number;
  replacement?: boolean;
  generator?: GeneratorLike | null;
}>()("WeightedRandomSampler", ["weights", "numSamples", "replacement", "generator"], {
  replacement: true,
  generator: null,
});
const batchSamplerArgs = signature<{ sampler: SamplerLike<number>; batchSize: number; dropLast: boolean }>()(
  "BatchSampler",
  ["sampler", "batchSize", "dropLast"],
  {},
);

/** 0, 1, ..., length-1. */
export class SequentialSampler extends Sampler<number> {
  readonly dataSource: { readonly length: number };
  constructor(...args: ArgsOf<typeof sequentialSamplerArgs>) {
    super();
    this.dataSource = sequentialSamplerArgs.parse(args).dataSource;
  }
  *[Symbol.iterator](): Iterator<number> {
    for (let i = 0; i < this.dataSource.length; i++) yield i;
  }
  get length(): number {
    return this.dataSource.length;
  }
}

export interface RandomSamplerOptions {
  replacement?: boolean;
  numSamples?: number | null;
  generator?: GeneratorLike | null;
}

/** A random permutation (or, with replacement, numSamples independent draws). */
export class RandomSampler extends Sampler<number> {
  readonly dataSource: { readonly length: number };
  readonly replacement: boolean;
  readonly generator: GeneratorLike | null;
  private readonly _numSamples: number | null;

  constructor(...args: ArgsOf<typeof randomSamplerArgs>) {
    super();
    const { dataSource, ...options } = randomSamplerArgs.parse(args);
    this.dataSource = dataSource;
    this.replacement = options.replacement ?? false;
    this._numSamples = options.numSamples ?? null;
    this.generator = options.generator ?? null;
    if (typeof this.replacement !== "boolean") {
      throw new TypeError(
        `RandomSampler: replacement should be a boolean value, but got replacement=${String(this.replacement)}`,
      );
    }
    const n = this.numSamples;
    if (!Number.isInteger(n) || n <= 0) {
      throw new Error(`RandomSampler: num_samples should be a positive integer value, but got num_samples=${n}`);
    }
  }

  get numSamples(): number {
    return this._numSamples ?? this.dataSource.length;
  }

  *[Symbol.iterator](): Iterator<number> {
    const n = this.dataSource.length;
    let generator = this.generator;
    if (generator === null) {
      // PyTorch seeds a fresh generator from the default one each epoch.
      const seed = randomSeed(null);
      generator = newGenerator(seed);
    }
    const total = this.numSamples;
    if (this.replacement) {
      for (let k = 0; k < Math.floor(total / 32); k++) yield* randint(0, n, 32, generator);
      yield* randint(0, n, total % 32, generator);
    } else {
      for (let k = 0; k < Math.floor(total / n); k++) yield* randperm(n, generator);
      yield* randperm(n, generator).slice(0, total % n);
    }
  }

  get length(): number {
    return this.numSamples;
  }
}

/** A random permutation of the given indices. */
export class SubsetRandomSampler extends Sampler<number> {
  readonly indices: number[];
  readonly generator: GeneratorLike | null;
  constructor(...args: ArgsOf<typeof subsetRandomSamplerArgs>) {
    super();
    const { indices, ...options } = subsetRandomSamplerArgs.parse(args);
    this.indices = Array.from(indices);
    this.generator = options.generator ?? null;
  }
  *[Symbol.iterator](): Iterator<number> {
    for (const i of randperm(this.indices.length, this.generator)) yield this.indices[i];
  }
  get length(): number {
    return this.indices.length;
  }
}

/** Draws numSamples indices with probabilities proportional to weights. */
export class WeightedRandomSampler extends Sampler<number> {
  readonly weights: number[];
  readonly numSamples: number;
  readonly replacement: boolean;
  readonly generator: GeneratorLike | null;

  constructor(...args: ArgsOf<typeof weightedRandomSamplerArgs>) {
    super();
    const { weights, numSamples, ...options } = weightedRandomSamplerArgs.parse(args);
    if (!Number.isInteger(numSamples) || numSamples <= 0 || typeof numSamples === "boolean") {
      throw new Error(
        `WeightedRandomSampler: num_samples should be a positive integer value, but got num_samples=${numSamples}`,
      );
    }
    this.replacement = options.replacement ?? true;
    if (typeof this.replacement !== "boolean") {
      throw new Error(
        `WeightedRandomSampler: replacement should be a boolean value, but got replacement=${String(this.replacement)}`,
      );
    }
    const w = "typedArray" in weights ? Array.from(weights.typedArray(), Number) : Array.from(weights);
    if (w.length === 0) throw new Error("WeightedRandomSampler: weights should be a non-empty sequence");
    if (w.some((x) => !(x >= 0) || !Number.isFinite(x)))
      throw new Error("WeightedRandomSampler: weights must be finite and non-negative");
    if (!w.some((x) => x > 0))
      throw new Error("WeightedRandomSampler: invalid multinomial distribution (sum of probabilities <= 0)");
    if (!this.replacement && numSamples > w.filter((x) => x > 0).length) {
      throw new Error("WeightedRandomSampler: cannot sample n_sample > prob_dist.size(-1) samples without replacement");
    }
    this.weights = w;
    this.numSamples = numSamples;
    this.generator = options.generator ?? null;
  }

  *[Symbol.iterator](): Iterator<number> {
    yield* multinomial(this.weights, this.numSamples, this.replacement, this.generator);
  }

  get length(): number {
    return this.numSamples;
  }
}

/** Groups a sampler's indices into lists of batchSize (the last one shorter unless dropLast). */
export class BatchSampler extends Sampler<number[]> {
  readonly sampler: SamplerLike<number>;
  readonly batchSize: number;
  readonly dropLast: boolean;

  constructor(...args: ArgsOf<typeof batchSamplerArgs>) {
    super();
    const { sampler, batchSize, dropLast } = batchSamplerArgs.parse(args);
    if (typeof batchSize !== "number" || !Number.isInteger(batchSize) || batchSize <= 0) {
      throw new Error(
        `BatchSampler: batch_size should be a positive integer value, but got batch_size=${String(batchSize)}`,
      );
    }
    if (typeof dropLast !== "boolean") {
      throw new Error(`BatchSampler: drop_last should be a boolean value, but got drop_last=${String(dropLast)}`);
    }
    this.sampler = sampler;
    this.batchSize = batchSize;
    this.dropLast = dropLast;
  }

  *[Symbol.iterator](): Iterator<number[]> {
    let batch: number[] = [];
    for (const idx of this.sampler) {
      batch.push(idx);
      if (batch.length === this.batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0 && !this.dropLast) yield batch;
  }

  get length(): number {
    const n = this.sampler.length;
    if (n === undefined) throw new TypeError("BatchSampler: the sampler has no length");
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }
}
