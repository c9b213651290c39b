// The training loop's running loss and accuracy. On the CPU each step's loss and predictions are
// read at once (as before). On a GPU reading a value back stalls the pipeline until the GPU has
// caught up, so the sums stay on the device and are read (asynchronously) only when the progress
// line, the running-loss curve or a checkpoint needs them: no readback per step.
import { noGrad } from "../autograd/grad-mode.js";
import type { Tensor } from "../tensor.js";
import { indices } from "./eval-loop.js";

/** What the steps since the last take() added up to. */
export interface StepTotals {
  /** Sum over steps of the batch's mean loss times its size. */
  lossSum: number;
  /** Sum over steps of the batch's mean loss. */
  lossOfBatches: number;
  correct: number;
  steps: number;
}

export class StepStats {
  private host: StepTotals = { lossSum: 0, lossOfBatches: 0, correct: 0, steps: 0 };
  private dev: { lossSum: Tensor; lossOfBatches: Tensor; correct: Tensor } | null = null;

  constructor(private readonly onHost: boolean) {}

  /** Adds one step: its mean loss, the logits and the targets of a batch of n. */
  add(loss: Tensor, out: Tensor, y: Tensor, n: number): void {
    this.host.steps++;
    if (this.onHost) {
      const l = Number(loss.item());
      const pred = indices(out.detach().argmax(1));
      const ys = indices(y);
      for (let i = 0; i < n; i++) if (pred[i] === ys[i]) this.host.correct++;
      this.host.lossSum += l * n;
      this.host.lossOfBatches += l;
      return;
    }
    noGrad(() => {
      const l = loss.detach();
      const correct = out.argmax(1).eq(y).sum();
      const d = this.dev;
      this.dev =
        d === null
          ? { lossSum: l.mul(n), lossOfBatches: l, correct }
          : {
              lossSum: d.lossSum.add(l.mul(n)),
              lossOfBatches: d.lossOfBatches.add(l),
              correct: d.correct.add(correct),
            };
    });
  }

  /** The totals since the last take(), read back from the device when they live there. */
  async take(): Promise<StepTotals> {
    const t = this.host;
    const d = this.dev;
    this.host = { lossSum: 0, lossOfBatches: 0, correct: 0, steps: 0 };
    this.dev = null;
    if (d !== null) {
      t.lossSum += Number(await d.lossSum.itemAsync());
      t.lossOfBatches += Number(await d.lossOfBatches.itemAsync());
      t.correct += Number(await d.correct.itemAsync());
    }
    return t;
  }
}
