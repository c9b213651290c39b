// `flint train --nproc N`: the job is relaunched through `flint run` as N ranks on this machine;
// each rank trains the model under DistributedDataParallel on its DistributedSampler share of
// every epoch (batch size stays the global one: each rank takes batch/N), rank 0 alone evaluates
// and writes the checkpoint, weights, metrics and plot (atomically, as a single-process run
// does), and a stop request (Ctrl-C) on any rank stops every rank at the same batch.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as dist from "../distributed/index.js";
import { DistributedDataParallel } from "../nn/parallel/index.js";
import { DistributedSampler } from "../utils/data/distributed-sampler.js";
import { DataLoader } from "../utils/data/dataloader.js";
import { fromTypedArray, type Tensor } from "../tensor.js";
import type { Net } from "./models.js";
import type { PartialEpoch } from "./train-state.js";
import { UsageError, type ParsedArgs } from "./args.js";

/** What TrainLoop needs to run as one rank of a data-parallel job. */
export interface TrainParallel {
  forward(x: Tensor): Tensor;
  /** Rank 0: logs, evaluates and writes files. */
  writer: boolean;
  setEpoch(epoch: number): void;
  /** True on every rank when any rank asked to stop (a collective: every rank calls it once per batch). */
  anyStop(local: boolean): boolean;
  /** The epoch's training statistics summed over the ranks. */
  sumPartial(p: PartialEpoch): PartialEpoch;
  /** Waits for rank 0's evaluation and writes. */
  barrier(): void;
}

/** Set in the ranks' environment so they train instead of relaunching. */
const RANK_MARK = "FLINT_TRAIN_RANK_OF_NPROC";

export const isRankOfParallelTrain = (): boolean => process.env[RANK_MARK] !== undefined;

/** The command line that reproduces the flags the user gave, without --nproc. */
function argvOf(a: ParsedArgs): string[] {
  const out: string[] = [];
  for (const name of a.given) {
    if (name === "nproc") continue;
    const v = a.values.get(name);
    if (v === true) out.push(`--${name}`);
    else if (v === false) out.push(`--no-${name}`);
    else if (v !== undefined) out.push(`--${name}=${String(v)}`);
  }
  return out;
}

/** Relaunches this `flint train` as `nproc` ranks; returns the launcher's exit code. */
export async function launchParallelTrain(a: ParsedArgs, nproc: number, seed: number | null): Promise<number> {
  const js = fileURLToPath(new URL("./main.js", import.meta.url));
  const main = existsSync(js) ? js : fileURLToPath(new URL("./main.ts", import.meta.url));
  process.env[RANK_MARK] = String(nproc);
  const { runCommand } = await import("./run.js");
  const extra = seed === null ? [] : [`--seed=${seed}`];
  return runCommand(["--standalone", "--nproc-per-node", String(nproc), main, "train", ...argvOf(a), ...extra]);
}

export interface ParallelData<T> {
  parallel: TrainParallel;
  trainLoader: DataLoader<T>;
  model: DistributedDataParallel<Net>;
}

/** In a rank: joins the group and wraps the model, the training set and the loop's hooks. */
export function setupParallelTrain<T>(
  model: Net,
  train: { length: number; getItem(i: number): T },
  batchSize: number,
  seed: number,
  workers: number,
): ParallelData<T> {
  dist.initProcessGroup("gloo");
  const world = dist.getWorldSize(),
    rank = dist.getRank();
  if (batchSize % world !== 0)
    throw new UsageError(
      `--batch-size ${batchSize} must be a multiple of --nproc ${world} (each rank takes batch/nproc)`,
      "train",
    );
  const ddp = new DistributedDataParallel(model);
  const sampler = new DistributedSampler(train, world, rank, { shuffle: true, seed });
  const trainLoader = new DataLoader(train, { batchSize: batchSize / world, sampler, numWorkers: workers });
  const flag = new Float64Array(1);
  const parallel: TrainParallel = {
    forward: (x) => ddp(x),
    writer: rank === 0,
    setEpoch: (epoch) => sampler.setEpoch(epoch),
    anyStop(local) {
      flag[0] = local ? 1 : 0;
      dist.allReduce(fromFlat(flag), dist.ReduceOp.MAX);
      return flag[0] > 0;
    },
    sumPartial(p) {
      const v = new Float64Array([p.correct, p.loss_sum, p.seen]);
      dist.allReduce(fromFlat(v), dist.ReduceOp.SUM);
      return { ...p, correct: v[0], loss_sum: v[1], seen: v[2] };
    },
    barrier: () => void dist.barrier(),
  };
  return { parallel, trainLoader, model: ddp };
}

const fromFlat = (a: Float64Array): Tensor => fromTypedArray(a);
