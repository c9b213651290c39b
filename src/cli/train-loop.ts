// The epoch loop of `flint train`: forward, loss, backward, step for each batch; evaluation,
// metrics, plot and checkpoint after each epoch. It awaits the event loop after every batch so
// that Ctrl-C and the dashboard's requests are served while training runs; a stop request ends
// the loop at the next batch boundary with a checkpoint that `--resume` continues exactly.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as nn from "../nn/index.js";
import type { Tensor } from "../tensor.js";
import { yieldToEventLoop } from "./common.js";
import type { Dashboard } from "./dashboard.js";
import { evaluate } from "./eval-loop.js";
import { metricsPlot, writeMetrics, type EpochMetrics, type LossPoint } from "./metrics.js";
import type { Net } from "./models.js";
import { TrainProgress } from "./progress.js";
import type { AnyOptimizer, TrainConfig } from "./train-config.js";
import {
  EMPTY_PARTIAL,
  getRngState,
  setRngState,
  writeTrainCheckpoint,
  writeWeights,
  type PartialEpoch,
  type RunFlags,
} from "./train-state.js";
import type { TrainParallel } from "./train-parallel.js";
import { type CliDevice, cpuStateOf } from "./device.js";
import { StepStats } from "./step-stats.js";

export type Batches = AsyncIterable<[Tensor, Tensor]> & { length: number };

export interface LoopSetup {
  config: TrainConfig;
  epochs: number;
  model: Net;
  optimizer: AnyOptimizer;
  trainLoader: Batches;
  testLoader: Batches;
  classes: string[];
  /** The run's non-recipe flags, stored in each checkpoint for --resume. */
  run: RunFlags;
  out: string;
  history: EpochMetrics[];
  /** Where to start: completed epochs, batches done in the next, and their saved states. */
  start: { epoch: number; batch: number; rng: Uint8Array | null; epochRng: Uint8Array | null; partial: PartialEpoch };
  dashboard: Dashboard | null;
  tty: boolean;
  columns?: number;
  log: (line: string) => void;
  /** Set by the SIGINT handler. */
  stopRequested: () => boolean;
  /** Where the model lives and trains (cpu when absent); batches are moved there. */
  device?: CliDevice;
  /** One rank of `flint train --nproc N` (absent for a single process). */
  parallel?: TrainParallel;
}

export type LoopResult = { status: "done" } | { status: "interrupted"; epoch: number; batch: number };

export class TrainLoop {
  private readonly lossFn = new nn.CrossEntropyLoss();
  private readonly running: LossPoint[] = [];

  constructor(private readonly s: LoopSetup) {
    mkdirSync(s.out, { recursive: true });
  }

  /** Ranks of --nproc other than 0 show no progress. */
  private get progressWrite(): ((line: string) => void) | undefined {
    return this.s.parallel?.writer === false ? () => undefined : undefined;
  }

  get checkpointPath(): string {
    return join(this.s.out, "checkpoint.pt");
  }

  private async save(epoch: number, batch: number, epochRng: Uint8Array | null, partial: PartialEpoch): Promise<void> {
    if (this.s.parallel?.writer === false) return; // rank 0 alone writes
    const device = this.s.device ?? "cpu";
    writeTrainCheckpoint(this.checkpointPath, {
      config: this.s.config,
      model: await cpuStateOf(this.s.model, device),
      optimizer: await cpuStateOf(this.s.optimizer, device),
      epoch,
      batch,
      rng: getRngState(),
      epochRng,
      partial,
      classes: this.s.classes,
      run: this.s.run,
    });
  }

  async run(): Promise<LoopResult> {
    const s = this.s;
    const batches = s.trainLoader.length;
    const done = s.start.epoch;
    let { batch: skip, partial } = s.start;
    if (s.start.rng !== null && skip === 0) setRngState(s.start.rng);
    for (let epoch = done + 1; epoch <= s.epochs; epoch++) {
      // The state before the loader draws its shuffle: replaying it replays the epoch's order.
      if (skip > 0 && s.start.epochRng !== null) setRngState(s.start.epochRng);
      const epochRng = getRngState();
      s.parallel?.setEpoch(epoch - 1);
      const r = await this.trainEpoch(epoch, batches, skip, partial, epochRng);
      if (r !== null) return r;
      skip = 0;
      partial = { ...EMPTY_PARTIAL };
    }
    s.dashboard?.update({ status: "done" });
    return { status: "done" };
  }

  /** One epoch; null when it completed, the interruption otherwise. */
  private async trainEpoch(
    epoch: number,
    batches: number,
    skip: number,
    resumed: PartialEpoch,
    epochRng: Uint8Array,
  ): Promise<LoopResult | null> {
    const s = this.s;
    const label = `epoch ${String(epoch).padStart(String(s.epochs).length)}/${s.epochs}`;
    const progress = new TrainProgress({ label, tty: s.tty, columns: s.columns, write: this.progressWrite });
    const p = { ...resumed };
    let batch = 0;
    let windowLoss = 0;
    let windowN = 0;
    const every = Math.max(1, Math.floor(batches / 100));
    const device = s.device ?? "cpu";
    const onDevice = device !== "cpu";
    const stats = new StepStats(!onDevice);
    const t0 = performance.now() - p.seconds * 1000;
    const absorb = async (): Promise<void> => {
      const t = await stats.take();
      p.correct += t.correct;
      p.loss_sum += t.lossSum;
      p.seconds = (performance.now() - t0) / 1000;
      windowLoss += t.lossOfBatches;
      windowN += t.steps;
    };
    s.dashboard?.update({ status: "training", epoch, epochs: s.epochs, batch: skip, batches, eta: NaN });
    s.model.train();
    if (skip < batches) {
      const it = s.trainLoader[Symbol.asyncIterator]();
      try {
        for (;;) {
          const next = await it.next();
          if (next.done === true) break;
          batch++;
          if (batch <= skip) {
            // Replaying an interrupted epoch: the batches already trained are loaded (their
            // random augmentation draws repeat) but not trained on; then the saved state returns.
            if (batch === skip && s.start.rng !== null) setRngState(s.start.rng);
            continue;
          }
          const [x, y] = onDevice ? next.value.map((t) => t.to(device)) : next.value;
          s.optimizer.zeroGrad();
          const out = s.parallel ? s.parallel.forward(x) : s.model.forward(x);
          const loss = this.lossFn.forward(out, y);
          loss.backward();
          s.optimizer.step();
          const n = x.shape[0];
          stats.add(loss, out, y, n);
          p.seen += n;
          // On a GPU the sums are read back only where they are shown (progress line, loss curve)
          // or saved (an interruption's checkpoint), not every step.
          const show = !onDevice || batch % every === 0 || batch === batches;
          if (show) {
            await absorb();
            const state = {
              batch,
              batches,
              images: p.seen,
              seconds: p.seconds,
              loss: p.loss_sum / p.seen,
              acc: (100 * p.correct) / p.seen,
            };
            progress.update(state);
            if (batch % every === 0 || batch === batches) {
              this.running.push([epoch - 1 + batch / batches, windowLoss / windowN]);
              windowLoss = 0;
              windowN = 0;
            }
            if (s.dashboard !== null) {
              const rate = p.seconds > 0 ? p.seen / p.seconds : 0;
              const eta = (p.seconds / Math.max(batch - skip, 1)) * (batches - batch);
              s.dashboard.update({
                batch,
                imagesPerSec: rate,
                loss: state.loss,
                acc: state.acc,
                eta,
                running: this.running,
              });
            }
          }
          await yieldToEventLoop();
          const stop = s.parallel ? s.parallel.anyStop(s.stopRequested()) : s.stopRequested();
          if (stop && batch < batches) {
            if (!show) await absorb();
            progress.close();
            await this.save(epoch - 1, batch, epochRng, p);
            s.dashboard?.update({ status: "interrupted" });
            return { status: "interrupted", epoch: epoch - 1, batch };
          }
        }
      } finally {
        await it.return?.();
      }
      progress.close();
    } else if (s.start.rng !== null) {
      setRngState(s.start.rng);
    }
    return this.finishEpoch(epoch, batches, p, epochRng);
  }

  private async finishEpoch(
    epoch: number,
    batches: number,
    local: PartialEpoch,
    epochRng: Uint8Array,
  ): Promise<LoopResult | null> {
    const s = this.s;
    const p = s.parallel ? { ...s.parallel.sumPartial(local), seconds: local.seconds } : local;
    if (s.parallel?.writer === false) {
      s.parallel.barrier(); // while rank 0 evaluates and writes
      return null;
    }
    s.dashboard?.update({ status: "evaluating", batch: batches });
    const rngBeforeEval = getRngState();
    const label = `epoch ${String(epoch).padStart(String(s.epochs).length)}/${s.epochs}`;
    const progress = new TrainProgress({ label, tty: s.tty, columns: s.columns, write: this.progressWrite });
    const total = s.testLoader.length;
    let evalBatches = 0;
    // Ranks wait for rank 0's evaluation at a barrier, so it is not interruptible there.
    const ev = await evaluate(
      s.model,
      s.testLoader,
      s.classes.length,
      s.parallel ? () => false : s.stopRequested,
      (images) => {
        evalBatches++;
        progress.status(`${label} evaluating: ${images} test images (${evalBatches}/${total} batches)`);
      },
      s.device ?? "cpu",
    );
    progress.clear();
    if (!ev.complete) {
      // Stopped during evaluation: the epoch's training is saved; resuming re-runs the evaluation.
      setRngState(rngBeforeEval);
      await this.save(epoch - 1, batches, epochRng, p);
      s.dashboard?.update({ status: "interrupted" });
      return { status: "interrupted", epoch: epoch - 1, batch: batches };
    }
    // As in a PyTorch script, evaluating draws the test loader's base seed from the global
    // generator; the stream is left as is so runs line up with PyTorch's.
    const row: EpochMetrics = {
      epoch,
      train_loss: p.seen > 0 ? p.loss_sum / p.seen : NaN,
      train_acc: p.seen > 0 ? (100 * p.correct) / p.seen : NaN,
      test_loss: ev.loss,
      test_acc: ev.total > 0 ? (100 * ev.correct) / ev.total : NaN,
      lr: s.config.lr,
      epoch_time: Number(p.seconds.toFixed(3)),
      eval_time: Number(ev.seconds.toFixed(3)),
      images_per_sec: Number((p.seconds > 0 ? p.seen / p.seconds : 0).toFixed(1)),
      time: new Date().toISOString(),
    };
    s.history.push(row);
    // Metrics first, checkpoint last: a crash in between re-runs this epoch on resume, and the
    // resume truncates metrics.jsonl to the checkpoint's epochs.
    writeMetrics(join(s.out, "metrics.jsonl"), s.history);
    writeFileSync(join(s.out, "plot.svg"), metricsPlot(s.history, s.epochs));
    writeWeights(join(s.out, "model.safetensors"), await cpuStateOf(s.model, s.device ?? "cpu"), s.config, epoch);
    await this.save(epoch, 0, null, { ...EMPTY_PARTIAL });
    s.log(
      `epoch ${epoch}/${s.epochs}: train loss ${row.train_loss.toFixed(4)} acc ${row.train_acc.toFixed(2)}% | ` +
        `test loss ${row.test_loss.toFixed(4)} acc ${row.test_acc.toFixed(2)}% (${ev.correct}/${ev.total}) | ` +
        `${row.epoch_time.toFixed(1)} s train (${row.images_per_sec.toFixed(0)} img/s, ${(p.seconds / Math.max(batches, 1)).toFixed(3)} s/batch) + ${row.eval_time.toFixed(1)} s eval`,
    );
    s.dashboard?.update({ history: s.history });
    s.dashboard?.flush();
    s.parallel?.barrier();
    return null;
  }
}
