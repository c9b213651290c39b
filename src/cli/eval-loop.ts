// The test-set pass shared by `flint train` (after each epoch) and `flint eval` (src/cli/eval.ts):
// summed cross-entropy, accuracy and the confusion matrix, without recording autograd graphs.
import * as nn from "../nn/index.js";
import { noGrad } from "../autograd/grad-mode.js";
import type { Tensor } from "../tensor.js";
import { yieldToEventLoop } from "./common.js";
import type { Net } from "./models.js";

export interface EvalResult {
  /** Mean cross-entropy over the images seen. */
  loss: number;
  correct: number;
  total: number;
  /** confusion[true][predicted] counts. */
  confusion: number[][];
  seconds: number;
  /** False when stopped early by `shouldStop`. */
  complete: boolean;
}

/** Class indices of a batch of targets or predictions, as plain numbers. */
export function indices(t: Tensor): number[] {
  return Array.from(t.typedArray(), Number);
}

export async function evaluate(
  model: Net,
  loader: AsyncIterable<[Tensor, Tensor]>,
  numClasses: number,
  shouldStop: () => boolean = () => false,
  onBatch?: (done: number) => void,
  device: "cpu" | "webgpu" = "cpu",
): Promise<EvalResult> {
  const start = performance.now();
  const lossFn = new nn.CrossEntropyLoss({ reduction: "sum" });
  const confusion = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  let lossSum = 0;
  let correct = 0;
  let total = 0;
  let complete = true;
  model.eval();
  try {
    for await (const [xHost, y] of loader) {
      let sum: number, pred: number[];
      if (device === "cpu") {
        [sum, pred] = noGrad(() => {
          const out = model.forward(xHost);
          return [Number(lossFn.forward(out, y).item()), indices(out.argmax(1))];
        });
      } else {
        // A GPU's values come back asynchronously: one read of the loss and one of the predictions per batch.
        const [loss, argmax] = noGrad(() => {
          const out = model.forward(xHost.to(device));
          return [lossFn.forward(out, y.to(device)), out.argmax(1)];
        });
        sum = Number(await loss.itemAsync());
        pred = indices(await argmax.cpuAsync());
      }
      lossSum += sum;
      const ys = indices(y);
      for (let i = 0; i < ys.length; i++) {
        confusion[ys[i]][pred[i]]++;
        if (ys[i] === pred[i]) correct++;
      }
      total += ys.length;
      onBatch?.(total);
      await yieldToEventLoop();
      if (shouldStop()) {
        complete = false;
        break;
      }
    }
  } finally {
    model.train();
  }
  return {
    loss: total > 0 ? lossSum / total : NaN,
    correct,
    total,
    confusion,
    seconds: (performance.now() - start) / 1000,
    complete,
  };
}

/** Per-class accuracy and the confusion matrix as aligned text. */
export function formatConfusion(r: EvalResult, classes: readonly string[]): string {
  const lines: string[] = [];
  const w = Math.max(...classes.map((c) => c.length), 5);
  lines.push("Per-class accuracy:");
  for (let c = 0; c < classes.length; c++) {
    const row = r.confusion[c];
    const n = row.reduce((a, b) => a + b, 0);
    const acc = n > 0 ? (100 * row[c]) / n : NaN;
    lines.push(
      `  ${classes[c].padEnd(w)}  ${Number.isNaN(acc) ? "    –  " : `${acc.toFixed(1).padStart(5)}%`}  (${row[c]}/${n})`,
    );
  }
  lines.push("", "Confusion matrix (rows: true class, columns: predicted class):");
  const cw = Math.max(5, String(Math.max(...r.confusion.flat())).length + 1);
  const abbrev = classes.map((c) => c.slice(0, cw - 1).padStart(cw));
  lines.push(`  ${"".padEnd(w)} ${abbrev.join("")}`);
  for (let c = 0; c < classes.length; c++) {
    lines.push(`  ${classes[c].padEnd(w)} ${r.confusion[c].map((v) => String(v).padStart(cw)).join("")}`);
  }
  return lines.join("\n");
}
