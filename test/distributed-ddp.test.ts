// DistributedDataParallel on 2 and 3 ranks equals single-process training on the same global batch
// (same seed), after several SGD and Adam steps; noSync accumulation; findUnusedParameters; the
// unused-parameter error; `module.` state dict keys. Also the reducer's bucket assignment and the
// autograd hooks it relies on.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../src/index.js";
import { autograd } from "../src/index.js";
import { assignBuckets } from "../src/nn/parallel/reducer.js";
import { jsonLines, runRanks, summary, worker } from "./distributed-helpers.js";

interface Line {
  kind: string;
  overlap?: [number, number];
  diff?: number;
  spread?: number;
  moved?: number;
  spareGrad?: boolean;
  message?: string;
  keys?: string[];
  shared?: boolean;
  sizes?: number[][];
}

for (const world of [2, 3])
  test(`DDP on ${world} ranks equals single-process training on the global batch`, { timeout: 200_000 }, async () => {
    const rs = await runRanks(worker("ddp-worker.ts"), world, [], { limitMs: 180_000 });
    assert.ok(
      rs.every((r) => r.code === 0),
      summary(rs),
    );
    const lines = jsonLines<Line>(rs[0]);
    const by = new Map(lines.map((l) => [l.kind, l]));
    for (const kind of ["sgd", "adam", "nosync", "sgd-view", "nosync-view"]) {
      const l = by.get(kind);
      assert.ok(l, `no result for ${kind}`);
      assert.ok((l.diff as number) < 1e-6, `${kind}: DDP and single-process weights differ by ${l.diff}`);
      assert.equal(l.spread, 0, `${kind}: ranks disagree`);
      assert.ok((l.moved as number) > 1e-3, `${kind}: training did not move the weights`);
      // gradientAsBucketView: .grad tensors are views into one bucket; otherwise each owns its memory.
      assert.equal(l.shared, kind.endsWith("-view"), `${kind}: gradients sharing the bucket`);
    }
    // The small network fits PyTorch's 1 MB first bucket: one all-reduce after the last gradient.
    assert.deepEqual(by.get("sgd")?.overlap, [1, 0]);
    // A 2.3 MB network in 0.5 MB buckets: the first bucket's all-reduce starts during backward.
    const [buckets, early] = by.get("overlap")?.overlap ?? [0, 0];
    assert.ok(buckets >= 2 && early >= 1, `${early} of ${buckets} buckets launched while backward still ran`);
    assert.deepEqual(by.get("bucketCap")?.sizes, [[131584], [65792, 65792]]);
    for (const k of ["findUnused", "findUnused-view"]) {
      const fu = by.get(k);
      assert.ok(fu && (fu.diff as number) < 1e-6 && fu.spareGrad === true, JSON.stringify(fu));
    }
    const ue = by.get("unusedError");
    assert.match(
      ue?.message ?? "",
      /Expected to have finished reduction.*findUnusedParameters: true.*spare\.weight, spare\.bias/,
    );
    assert.deepEqual(ue?.keys, [
      "module.conv.weight",
      "module.conv.bias",
      "module.fc1.weight",
      "module.fc1.bias",
      "module.fc2.weight",
      "module.fc2.bias",
      "module.spare.weight",
      "module.spare.bias",
    ]);
  });

test("bucket assignment: reverse order, 1 MB first bucket then the cap, one dtype per bucket", () => {
  const mb = 1024 * 1024;
  const params = [
    torch.zeros([mb / 8]),
    torch.zeros([mb / 4]),
    torch.zeros([10], { dtype: "float64" }),
    torch.zeros([mb / 2]),
    torch.zeros([mb / 4]),
  ];
  const order = [4, 3, 2, 1, 0];
  // float32: 4 (1 MB) fills the first bucket; 3, 1, 0 (2 + 1 + 0.5 MB) go in 3 MB buckets.
  assert.deepEqual(assignBuckets(params, order, 3 * mb), [[4], [3, 1], [0], [2]]);
});

test("post-accumulate-grad hooks run once per backward after the last contribution; queued callbacks run after backward", () => {
  const w = torch.tensor([1, 2], { dtype: "float32", requiresGrad: true });
  const seen: number[][] = [];
  const order: string[] = [];
  const h = autograd.registerPostAccumulateGradHook(w, (p) => {
    seen.push(Array.from(p.grad?.typedArray() ?? []));
    order.push("hook");
    autograd.queueCallback(() => order.push("final"));
  });
  // w is used twice: the hook must see the sum of both contributions, once.
  torch.add(torch.mul(w, 3), torch.mul(w, w)).sum().backward();
  assert.deepEqual(seen, [[5, 7]]);
  assert.deepEqual(order, ["hook", "final"]);
  h.remove();
  torch.mul(w, 2).sum().backward();
  assert.equal(seen.length, 1);
  assert.throws(() => autograd.queueCallback(() => undefined), /only be called during the backward pass/);
});
