// DistributedSampler's index order equals PyTorch 1.13's for every (n, numReplicas, shuffle,
// seed, dropLast) of the fixture and epochs 0..2 (test/fixtures/distributed-sampler.json, made by
// scripts/fixtures/distributed_sampler_fixtures.py). No process group is needed: numReplicas and
// rank are given.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { DistributedSampler, DataLoader, TensorDataset } from "../src/utils/data/index.js";
import * as torch from "../src/index.js";

interface RankOut {
  len: number;
  all?: number[];
  head?: number[];
  check?: number;
}
interface Case {
  n: number;
  numReplicas: number;
  shuffle: boolean;
  seed: number;
  dropLast: boolean;
  epochs: RankOut[][];
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/distributed-sampler.json", import.meta.url), "utf8")) as {
  torch: string;
  cases: Case[];
};

const range = (n: number) => ({ length: n });

for (const c of fixture.cases) {
  test(`DistributedSampler n=${c.n} replicas=${c.numReplicas} shuffle=${c.shuffle} seed=${c.seed} dropLast=${c.dropLast} = PyTorch ${fixture.torch}`, () => {
    c.epochs.forEach((ranks, epoch) => {
      ranks.forEach((exp, rank) => {
        const s = new DistributedSampler(range(c.n), c.numReplicas, rank, {
          shuffle: c.shuffle,
          seed: c.seed,
          dropLast: c.dropLast,
        });
        s.setEpoch(epoch);
        const idx = [...s];
        assert.equal(idx.length, exp.len);
        assert.equal(s.length, exp.len);
        if (exp.all) assert.deepEqual(idx, exp.all, `epoch ${epoch} rank ${rank}`);
        else {
          assert.deepEqual(idx.slice(0, 64), exp.head, `epoch ${epoch} rank ${rank}`);
          assert.equal(
            idx.reduce((a, v, i) => a + (i + 1) * v, 0),
            exp.check,
            `epoch ${epoch} rank ${rank} checksum`,
          );
        }
      });
    });
  });
}

test("DistributedSampler: errors, and use as a DataLoader sampler", () => {
  assert.throws(
    () => new DistributedSampler(range(4), 2, 2),
    /Invalid rank 2, rank should be in the interval \[0, 1\]/,
  );
  assert.throws(() => new DistributedSampler(range(4)), /process group is not initialized/);
  assert.throws(() => new DistributedSampler(range(4), 2, 0, { shufle: true }), /unexpected option 'shufle'/);
  const s = new DistributedSampler(range(10), 3, 1, { shuffle: false });
  assert.deepEqual([...s], [1, 4, 7, 0]);
  const ds = new TensorDataset(torch.arange(0, 100, 10));
  const loader = new DataLoader(ds, { batchSize: 2, sampler: s });
  assert.deepEqual(
    [...loader].map((b) => Array.from((b as torch.Tensor[])[0].typedArray(), Number)),
    [
      [10, 40],
      [70, 0],
    ],
  );
});
