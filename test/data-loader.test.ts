// utils/data in process: datasets, samplers, default collate, DataLoader options and errors,
// and seeded shuffles against PyTorch's own orders (test/fixtures/data.json).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as torch from "../src/index.js";
import {
  BatchSampler,
  ConcatDataset,
  DataLoader,
  Dataset,
  IterableDataset,
  RandomSampler,
  SequentialSampler,
  Subset,
  SubsetRandomSampler,
  TensorDataset,
  WeightedRandomSampler,
  defaultCollate,
  defaultConvert,
  randomSplit,
} from "../src/utils/data/index.js";
import type { Tensor } from "../src/tensor.js";
import { datasets, transforms } from "../src/vision/index.js";

const fixtures = JSON.parse(readFileSync(new URL("./fixtures/data.json", import.meta.url), "utf8")) as Record<
  string,
  unknown
>;
const generator = (seed: number) => new torch.Generator().manualSeed(seed);

class Range extends Dataset<number> {
  constructor(readonly n: number) {
    super();
  }
  get length() {
    return this.n;
  }
  getItem(i: number) {
    return i;
  }
}

class Stream extends IterableDataset<number> {
  constructor(readonly n: number) {
    super();
  }
  *[Symbol.iterator]() {
    for (let i = 0; i < this.n; i++) yield i * 10;
  }
}

const lists = (batches: Iterable<Tensor>) => Array.from(batches, (b) => b.tolist());

describe("datasets", () => {
  it("Subset, ConcatDataset, add, negative indices, range errors", () => {
    const a = new Range(5);
    const s = new Subset(a, [4, 0, 2]);
    assert.equal(s.length, 3);
    assert.deepEqual([s.getItem(0), s.getItem(1), s.getItem(-1)], [4, 0, 2]);
    const c = new ConcatDataset([a, new Range(3), s]);
    assert.equal(c.length, 11);
    assert.deepEqual(
      Array.from({ length: 11 }, (_, i) => c.getItem(i)),
      [0, 1, 2, 3, 4, 0, 1, 2, 4, 0, 2],
    );
    assert.deepEqual(c.cumulativeSizes, [5, 8, 11]);
    assert.equal(a.add(new Range(2)).length, 7);
    assert.throws(() => c.getItem(11), /index 11 is out of range for length 11/);
    assert.throws(() => new ConcatDataset([]), /should not be an empty iterable/);
  });

  it("TensorDataset slices along the first dimension and checks sizes", () => {
    const x = torch.arange(12).reshape(4, 3).float();
    const y = torch.tensor([1, 0, 1, 1]);
    const ds = new TensorDataset(x, y);
    assert.equal(ds.length, 4);
    const [xi, yi] = ds.getItem(2);
    assert.deepEqual(xi.tolist(), [6, 7, 8]);
    assert.equal(yi.item(), 1);
    assert.throws(() => new TensorDataset(x, torch.tensor([1, 2])), /Size mismatch between tensors/);
  });

  it("randomSplit by lengths and by fractions; errors", () => {
    const parts = randomSplit(new Range(10), [3, 7]);
    assert.deepEqual(
      parts.map((p) => p.length),
      [3, 7],
    );
    assert.deepEqual(
      [...parts[0].indices, ...parts[1].indices].sort((p, q) => p - q),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    assert.deepEqual(
      randomSplit(new Range(11), [0.5, 0.3, 0.2]).map((p) => p.length),
      [6, 3, 2],
    );
    assert.throws(
      () => randomSplit(new Range(10), [3, 6]),
      /Sum of input lengths does not equal the length of the input dataset/,
    );
  });
});

describe("samplers", () => {
  it("Sequential, Batch with and without dropLast, lengths", () => {
    const seq = new SequentialSampler(new Range(5));
    assert.deepEqual([...seq], [0, 1, 2, 3, 4]);
    assert.deepEqual([...new BatchSampler(seq, 2, false)], [[0, 1], [2, 3], [4]]);
    assert.deepEqual(
      [...new BatchSampler(seq, 2, true)],
      [
        [0, 1],
        [2, 3],
      ],
    );
    assert.equal(new BatchSampler(seq, 2, false).length, 3);
    assert.equal(new BatchSampler(seq, 2, true).length, 2);
    assert.throws(
      () => new BatchSampler(seq, 0, false),
      /batch_size should be a positive integer value, but got batch_size=0/,
    );
  });

  it("RandomSampler permutes, repeats past n, and draws with replacement", () => {
    const r = [...new RandomSampler(new Range(10))];
    assert.deepEqual(
      [...r].sort((a, b) => a - b),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    const more = [...new RandomSampler(new Range(4), { numSamples: 10 })];
    assert.equal(more.length, 10);
    assert.deepEqual(more.slice(0, 4).sort(), [0, 1, 2, 3]);
    const repl = [...new RandomSampler(new Range(3), { replacement: true, numSamples: 50 })];
    assert.equal(repl.length, 50);
    assert.ok(repl.every((i) => i >= 0 && i < 3));
    assert.throws(
      () => new RandomSampler(new Range(3), { numSamples: 0 }),
      /num_samples should be a positive integer value, but got num_samples=0/,
    );
  });

  it("SubsetRandomSampler and WeightedRandomSampler", () => {
    assert.deepEqual([...new SubsetRandomSampler([5, 6, 7])].sort(), [5, 6, 7]);
    const w = [...new WeightedRandomSampler([0, 0, 1, 0], 20)];
    assert.deepEqual(w, new Array(20).fill(2));
    const nr = [...new WeightedRandomSampler([1, 1, 1, 1], 4, { replacement: false })];
    assert.deepEqual(nr.sort(), [0, 1, 2, 3]);
    assert.throws(
      () => new WeightedRandomSampler([1, 2], 3, { replacement: false }),
      /cannot sample n_sample > prob_dist/,
    );
  });
});

describe("default collate", () => {
  it("stacks tensors, makes int64 / float64 / bool tensors of numbers, recurses into arrays and objects", () => {
    const batch = [
      { img: torch.ones(2, 2), label: 1, w: 0.5, ok: true, name: "a", pair: [1, torch.zeros(1)] },
      { img: torch.zeros(2, 2), label: 3, w: 1, ok: false, name: "b", pair: [2, torch.ones(1)] },
    ];
    const out = defaultCollate(batch);
    assert.deepEqual(out.img.shape, [2, 2, 2]);
    assert.equal(out.img.dtype, "float32");
    assert.equal(out.label.dtype, "int64");
    assert.deepEqual(out.label.tolist(), [1, 3]);
    assert.equal(out.w.dtype, "float64");
    assert.equal(out.ok.dtype, "bool");
    assert.deepEqual(out.name, ["a", "b"]);
    assert.deepEqual(out.pair[0].tolist(), [1, 2]);
    assert.deepEqual(out.pair[1].tolist(), [[0], [1]]);
    const arrays = defaultCollate([Float32Array.of(1, 2), Float32Array.of(3, 4)]);
    assert.deepEqual([arrays.shape, arrays.dtype], [[2, 2], "float32"]);
  });

  it("errors like PyTorch's on ragged lists and on images without ToTensor", () => {
    assert.throws(() => defaultCollate([[1, 2], [3]]), /each element in list of batch should be of equal size/);
    const img = { width: 1, height: 1, channels: 1, data: new Uint8Array(1) };
    assert.throws(() => defaultCollate([img, img]), /batch must contain tensors.*add transforms\.ToTensor\(\)/);
    assert.deepEqual((defaultConvert([Uint8Array.of(7)]) as Tensor[])[0].dtype, "uint8");
  });
});

describe("DataLoader", () => {
  it("batches in order with the last batch short, or dropped", () => {
    assert.deepEqual(lists(new DataLoader(new Range(7), { batchSize: 3 })), [[0, 1, 2], [3, 4, 5], [6]]);
    assert.deepEqual(lists(new DataLoader(new Range(7), { batchSize: 3, dropLast: true })), [
      [0, 1, 2],
      [3, 4, 5],
    ]);
    assert.equal(new DataLoader(new Range(7), { batchSize: 3 }).length, 3);
    assert.equal(new DataLoader(new Range(7), { batchSize: 3, dropLast: true }).length, 2);
  });

  it("shuffles a permutation each epoch; samplers, batch samplers, batchSize null, collateFn", () => {
    const dl = new DataLoader(new Range(20), { batchSize: 5, shuffle: true });
    const e1 = lists(dl).flat() as number[];
    const e2 = lists(dl).flat() as number[];
    assert.deepEqual(
      [...e1].sort((a, b) => a - b),
      Array.from({ length: 20 }, (_, i) => i),
    );
    assert.notDeepEqual(e1, e2);
    assert.deepEqual(lists(new DataLoader(new Range(10), { sampler: [9, 8, 1], batchSize: 2 })), [[9, 8], [1]]);
    assert.deepEqual(lists(new DataLoader(new Range(10), { batchSampler: [[1, 2, 3], [7]] })), [[1, 2, 3], [7]]);
    assert.deepEqual(Array.from(new DataLoader(new Range(3), { batchSize: null })), [0, 1, 2]);
    const sums = Array.from(new DataLoader(new Range(6), { batchSize: 2, collateFn: (b: number[]) => b[0] + b[1] }));
    assert.deepEqual(sums, [1, 5, 9]);
  });

  it("iterable datasets are batched as they stream", async () => {
    assert.deepEqual(lists(new DataLoader(new Stream(5), { batchSize: 2 })), [[0, 10], [20, 30], [40]]);
    assert.deepEqual(lists(new DataLoader(new Stream(5), { batchSize: 2, dropLast: true })), [
      [0, 10],
      [20, 30],
    ]);
    const seen: unknown[] = [];
    for await (const b of new DataLoader(new Stream(3), { batchSize: 2 })) seen.push(b.tolist());
    assert.deepEqual(seen, [[0, 10], [20]]);
  });

  it("rejects bad options with PyTorch's messages", () => {
    const ds = new Range(4);
    assert.throws(
      () => new DataLoader(ds, { batchSize: 0 }),
      /batch_size should be a positive integer value, but got batch_size=0/,
    );
    assert.throws(
      () => new DataLoader(ds, { shuffle: true, sampler: [0, 1] }),
      /sampler option is mutually exclusive with shuffle/,
    );
    assert.throws(
      () => new DataLoader(ds, { batchSampler: [[0]], batchSize: 2 }),
      /batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last/,
    );
    assert.throws(
      () => new DataLoader(ds, { batchSize: null, dropLast: true }),
      /batch_size=None option disables auto-batching and is mutually exclusive with drop_last/,
    );
    assert.throws(() => new DataLoader(ds, { numWorkers: -1 }), /num_workers option should be non-negative/);
    assert.throws(() => new DataLoader(ds, { timeout: -1 }), /timeout option should be non-negative/);
    assert.throws(
      () => new DataLoader(ds, { prefetchFactor: 4 }),
      /prefetch_factor option could only be specified in multiprocessing/,
    );
    assert.throws(
      () => new DataLoader(ds, { persistentWorkers: true }),
      /persistent_workers option needs num_workers > 0/,
    );
    assert.throws(
      () => new DataLoader(new Stream(2), { shuffle: true }),
      /DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle=true/,
    );
    assert.throws(() => new DataLoader(new Stream(2), { sampler: [0] }), /expected unspecified sampler option/);
  });

  it("a seeded generator repeats the same shuffle", () => {
    const orders = [1, 2].map(() =>
      lists(new DataLoader(new Range(30), { batchSize: 7, shuffle: true, generator: generator(9) })),
    );
    assert.deepEqual(orders[0], orders[1]);
  });
});

describe("PyTorch's orders for the same seeds", () => {
  type LoaderCase = { n: number; batchSize: number; seed: number; dropLast?: boolean; epochs: number[][][] };
  it("DataLoader(range(N), shuffle=True, generator=Generator().manual_seed(s)), two epochs", () => {
    for (const c of fixtures.loader_generator as LoaderCase[]) {
      const dl = new DataLoader(new Range(c.n), {
        batchSize: c.batchSize,
        shuffle: true,
        dropLast: c.dropLast,
        generator: generator(c.seed),
      });
      assert.deepEqual([lists(dl), lists(dl)], c.epochs, `n=${c.n} seed=${c.seed}`);
    }
  });

  it("torch.manualSeed(s) then DataLoader(range(N), shuffle=True)", () => {
    for (const c of fixtures.loader_default as LoaderCase[]) {
      torch.manualSeed(c.seed);
      const dl = new DataLoader(new Range(c.n), { batchSize: c.batchSize, shuffle: true });
      assert.deepEqual([lists(dl), lists(dl)], c.epochs, `n=${c.n} seed=${c.seed}`);
    }
  });

  it("RandomSampler and SubsetRandomSampler", () => {
    type C = { n: number; seed: number; replacement: boolean; numSamples: number | null; epochs: number[][] };
    for (const c of fixtures.random_sampler as C[]) {
      const s = new RandomSampler(new Range(c.n), {
        replacement: c.replacement,
        numSamples: c.numSamples,
        generator: generator(c.seed),
      });
      assert.deepEqual([[...s], [...s]], c.epochs, JSON.stringify({ ...c, epochs: undefined }));
    }
    const sub = fixtures.subset_random_sampler as { indices: number[]; seed: number; epochs: number[][] };
    const s = new SubsetRandomSampler(sub.indices, { generator: generator(sub.seed) });
    assert.deepEqual([[...s], [...s]], sub.epochs);
  });

  it("randomSplit", () => {
    for (const c of fixtures.random_split as { n: number; lengths: number[]; seed: number; indices: number[][] }[]) {
      const parts = randomSplit(new Range(c.n), c.lengths, { generator: generator(c.seed) });
      assert.deepEqual(
        parts.map((p) => p.indices),
        c.indices,
      );
    }
  });

  it("WeightedRandomSampler (torch.multinomial with and without replacement)", () => {
    for (const c of fixtures.weighted_sampler as {
      weights: number[];
      numSamples: number;
      replacement: boolean;
      seed: number;
      order: number[];
    }[]) {
      const s = new WeightedRandomSampler(c.weights, c.numSamples, {
        replacement: c.replacement,
        generator: generator(c.seed),
      });
      assert.deepEqual([...s], c.order);
    }
  });
});

// The seed's data lines, type-checked by tsc (never called: it would download into "data1"):
// the transform's output type flows to the loader's batches, so imgs and targets are Tensors.
function seedLinesTypecheck(): void {
  const dataset = new datasets.CIFAR10("data1", { train: false, transform: new transforms.ToTensor(), download: true });
  const dataloader = new DataLoader(dataset, { batchSize: 64 });
  for (const [imgs, targets] of dataloader) {
    const pair: [Tensor, Tensor] = [imgs, targets];
    void pair;
  }
  const [img, label] = new datasets.CIFAR10("data1").getItem(0);
  const plain: [number, number] = [img.width, label];
  void plain;
}
void seedLinesTypecheck;
