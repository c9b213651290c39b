// `flint eval --checkpoint F` (the command; the test-set pass itself is eval-loop.ts): test loss and
// accuracy, per-class accuracy, confusion matrix.
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { ParsedArgs } from "./args.js";
import { CIFAR10_CLASSES, firstN, loadCifar, makeLoader, setupBackend } from "./common.js";
import { evaluate, formatConfusion } from "./eval-loop.js";
import type { Batches } from "./train-loop.js";
import { loadModel } from "./train-state.js";
import { TrainProgress } from "./progress.js";

export async function evalCommand(a: ParsedArgs): Promise<number> {
  const backend = setupBackend(a.str("backend"), a.optNum("threads"));
  const path = a.str("checkpoint");
  const loaded = loadModel(path, a.optStr("model"));
  const testSet = loadCifar(a.str("root"), false, false, a.bool("download"));
  const test = firstN(testSet, a.optNum("test-size"));
  const classes =
    testSet.classes.length > 0 ? testSet.classes : loaded.classes.length > 0 ? loaded.classes : CIFAR10_CLASSES;
  const loader = makeLoader(test, {
    batchSize: a.num("batch-size"),
    shuffle: false,
    workers: a.num("workers"),
  }) as unknown as Batches;
  process.stdout.write(
    `Checkpoint ${resolve(path)}: model ${loaded.modelName} (${loaded.source}); backend ${backend}\n`,
  );
  let stop = false;
  const onSignal = (): void => {
    if (stop) process.exit(130);
    stop = true;
  };
  process.on("SIGINT", onSignal);
  let r;
  try {
    const progress = new TrainProgress({ label: "eval", tty: process.stdout.isTTY === true });
    r = await evaluate(
      loaded.model,
      loader,
      classes.length,
      () => stop,
      (images) => progress.status(`evaluating: ${images}/${test.length} images`),
    );
    progress.clear();
  } finally {
    process.off("SIGINT", onSignal);
  }
  if (!r.complete) {
    process.stderr.write(`Interrupted after ${r.total} images\n`);
    return 130;
  }
  const acc = (100 * r.correct) / r.total;
  process.stdout.write(
    `Test set: ${r.total} images, loss ${r.loss.toFixed(4)}, accuracy ${acc.toFixed(2)}% (${r.correct}/${r.total}) in ${r.seconds.toFixed(1)} s\n\n`,
  );
  process.stdout.write(formatConfusion(r, classes) + "\n");
  const json = a.optStr("json");
  if (json !== null) {
    const perClass = Object.fromEntries(
      classes.map((c, i) => {
        const n = r.confusion[i].reduce((x, y) => x + y, 0);
        return [c, n > 0 ? (100 * r.confusion[i][i]) / n : null];
      }),
    );
    writeFileSync(
      json,
      JSON.stringify(
        {
          checkpoint: path,
          model: loaded.modelName,
          images: r.total,
          loss: r.loss,
          accuracy: acc,
          per_class_accuracy: perClass,
          classes,
          confusion: r.confusion,
        },
        null,
        2,
      ) + "\n",
    );
  }
  return 0;
}
