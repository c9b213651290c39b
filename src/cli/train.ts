// `flint train`: sets up the run (recipe, data, model, optimizer, resume state, dashboard,
// Ctrl-C handling) and hands it to TrainLoop.
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import * as torch from "../index.js";
import { ParsedArgs, UsageError } from "./args.js";
import { CIFAR10_CLASSES, firstN, loadCifar, makeLoader, setupBackend } from "./common.js";
import { Dashboard } from "./dashboard.js";
import { readMetrics, writeMetrics } from "./metrics.js";
import { buildModel, countParameters } from "./models.js";
import { TrainLoop, type Batches } from "./train-loop.js";
import { buildOptimizer, checkResumeCompatible, describeConfig, resolveConfig } from "./train-config.js";
import { prepareOutDir } from "./out-dir.js";
import { describeDevice, moveOptimizerState, setupDevice } from "./device.js";
import {
  EMPTY_PARTIAL,
  optimizerFromTorch,
  readTrainCheckpoint,
  type RunFlags,
  type TrainCheckpoint,
} from "./train-state.js";
import {
  isRankOfParallelTrain,
  launchParallelTrain,
  setupParallelTrain,
  type TrainParallel,
} from "./train-parallel.js";

/** The flags of a run that are not its recipe (TrainConfig): stored in checkpoints for --resume. */
const RUN_FLAGS = [
  "root",
  "download",
  "epochs",
  "test-size",
  "test-batch-size",
  "workers",
  "backend",
  "device",
  "threads",
  "dashboard",
  "port",
];

function runFlagsOf(a: ParsedArgs): RunFlags {
  const run: RunFlags = {};
  for (const f of RUN_FLAGS) {
    const v = a.values.get(f);
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") run[f] = v;
  }
  return run;
}

/** A resumed run takes its stored flags, except those typed again now. */
function withStoredFlags(a: ParsedArgs, stored: RunFlags): ParsedArgs {
  const values = new Map(a.values);
  for (const f of RUN_FLAGS) if (!a.given.has(f) && f in stored) values.set(f, stored[f]);
  return new ParsedArgs(values, a.given, a.positionals, a.help);
}

/** A path as a shell argument, quoted when it needs to be. */
const shellArg = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);

export async function trainCommand(args: ParsedArgs): Promise<number> {
  let a = args;
  const nproc = a.num("nproc");
  // A rank of `--nproc N` (started by the launcher below; its command line has no --nproc).
  const rankOfMany = isRankOfParallelTrain();
  // Ranks other than 0 of `--nproc N` train silently; rank 0 speaks for the job.
  const quiet = rankOfMany && process.env.RANK !== "0";
  const log = (line: string): void => void (quiet || process.stdout.write(line + "\n"));
  const out = a.str("out");
  const ckptPath = join(out, "checkpoint.pt");
  let config = resolveConfig(a);
  let resume: TrainCheckpoint | null = null;
  const resumeArg0 = a.optStr("resume");
  if (resumeArg0 !== null) {
    const path = resumeArg0 === "" ? ckptPath : resumeArg0;
    if (!existsSync(path))
      throw new UsageError(
        `--resume: no checkpoint at ${path} (train without --resume first, or give its path)`,
        "train",
      );
    resume = readTrainCheckpoint(path);
    checkResumeCompatible(config, resume.config, a);
    config = resume.config;
    a = withStoredFlags(a, resume.run);
  } else if (existsSync(ckptPath)) {
    throw new UsageError(
      `${out} already holds a run (${ckptPath}): pass --resume to continue it, or choose another --out`,
      "train",
    );
  }
  // Before any data is read: an --out that cannot hold a run fails now, not after an epoch.
  const orphans = prepareOutDir(out, "train");
  if (orphans.length > 0)
    log(
      `  removed ${orphans.length} unfinished save${orphans.length === 1 ? "" : "s"} left in ${out} by an interrupted run`,
    );
  const epochs = a.num("epochs");
  if (resume !== null && resume.epoch >= epochs) {
    log(
      `Nothing to do: ${ckptPath} has already trained ${resume.epoch} epoch${resume.epoch === 1 ? "" : "s"} (--epochs ${epochs}); pass a larger --epochs to continue.`,
    );
    return 0;
  }
  if (a.str("device") !== "cpu" && (nproc > 1 || rankOfMany))
    throw new UsageError("--device webgpu is not implemented with --nproc above 1", "train");
  // Every rank must draw the same seed (the sampler's order depends on it): fix it here.
  if (nproc > 1 && !rankOfMany)
    return launchParallelTrain(a, nproc, resume === null && !a.given.has("seed") ? config.seed : null);
  if ((nproc > 1 || rankOfMany) && a.bool("dashboard"))
    throw new UsageError("--dashboard is not implemented with --nproc above 1", "train");

  const backend = setupBackend(a.str("backend"), a.optNum("threads"));
  const device = await setupDevice(a.str("device"));
  torch.manualSeed(config.seed);
  const model = buildModel(config.model);
  const root = a.str("root");
  const download = a.bool("download");
  const trainSet = loadCifar(root, true, config.augment, download);
  const testSet = loadCifar(root, false, false, download);
  const classes = trainSet.classes.length > 0 ? trainSet.classes : CIFAR10_CLASSES;
  const train = firstN(trainSet, config.train_size);
  const test = firstN(testSet, a.optNum("test-size"));
  const workers = a.num("workers");
  let trainLoader = makeLoader(train, { batchSize: config.batch_size, shuffle: true, workers }) as unknown as Batches;
  let parallel: TrainParallel | undefined;
  if (rankOfMany) {
    const p = setupParallelTrain(model, train, config.batch_size, config.seed, workers);
    parallel = p.parallel;
    trainLoader = p.trainLoader as unknown as Batches;
  }
  const testLoader = makeLoader(test, {
    batchSize: a.num("test-batch-size"),
    shuffle: false,
    workers,
  }) as unknown as Batches;

  if (resume !== null && resume.batch >= trainLoader.length) {
    throw new UsageError(
      `--resume: the checkpoint is at batch ${resume.batch} of an epoch, but an epoch has only ${trainLoader.length} batches: it does not belong to this data`,
      "train",
    );
  }
  if (resume !== null && resume.batch > 0 && resume.epochRng === null) {
    throw new UsageError(
      `--resume: the checkpoint stopped inside an epoch (batch ${resume.batch}) but has no epoch_rng_state to replay its shuffle`,
      "train",
    );
  }
  mkdirSync(out, { recursive: true });
  const metricsPath = join(out, "metrics.jsonl");
  let history = readMetrics(metricsPath);
  // The weights are loaded on the CPU, then the model moves and the optimizer is built on its parameters there.
  if (resume !== null) model.loadStateDict(resume.model);
  if (device !== "cpu") model.to(device);
  const optimizer = buildOptimizer(config, model);
  if (resume !== null) {
    try {
      optimizer.loadStateDict(
        optimizerFromTorch(resume.optimizer) as unknown as Parameters<typeof optimizer.loadStateDict>[0],
      );
      moveOptimizerState(optimizer, device);
    } catch (e) {
      // Name the parameter ("parameter 3 (id 3) 'conv2.weight'"): the run has one group, in model order.
      const names = model.namedParameters().map(([n]) => n);
      const msg = (e as Error).message.replace(
        /parameter (\d+) \(id \d+\)/,
        (m, j: string) => `${m} '${names[Number(j)] ?? "?"}'`,
      );
      throw new UsageError(`--resume: the checkpoint's optimizer state does not fit the model: ${msg}`, "train");
    }
    history = history.filter((r) => r.epoch <= resume.epoch);
  } else {
    history = [];
  }
  writeMetrics(metricsPath, history);

  log(`flint train: ${describeConfig(config)}`);
  log(
    `  model ${config.model}: ${countParameters(model).toLocaleString("en-US")} parameters; backend ${backend}${device === "cpu" ? "" : `; device ${describeDevice(device)}`}`,
  );
  log(
    `  data: CIFAR-10 at ${resolve(root)}: ${train.length} training images (${trainLoader.length} batches), ${test.length} test images; workers ${workers}`,
  );
  log(`  output: ${resolve(out)} (checkpoint.pt, model.safetensors, metrics.jsonl, plot.svg)`);
  if (resume !== null) {
    log(
      resume.batch > 0
        ? `  resuming in epoch ${resume.epoch + 1}/${epochs} after ${resume.batch} of ${trainLoader.length} batches`
        : `  resuming after epoch ${resume.epoch}: continuing at epoch ${resume.epoch + 1}/${epochs}`,
    );
  }

  let dashboard: Dashboard | null = null;
  if (a.bool("dashboard")) {
    dashboard = await Dashboard.start(a.num("port"), a.given.has("port"));
    dashboard.update({
      epochs,
      history,
      config: `${describeConfig(config)} · ${train.length} training images · backend ${backend} · output ${resolve(out)}`,
    });
    log(`  dashboard: ${dashboard.url}`);
  }

  // First Ctrl-C: finish the batch, save, exit. Second: leave at once.
  let stop = false;
  let firstSignal = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    // A rank of --nproc gets Ctrl-C twice at once (from the terminal and from the launcher).
    if (stop && rankOfMany && Date.now() - firstSignal < 2000) return;
    firstSignal = Date.now();
    if (stop) {
      process.stderr.write(`\n${sig} again: exiting without saving\n`);
      process.exit(130);
    }
    stop = true;
    process.stderr.write(
      `\n${sig}: stopping after this batch and saving a checkpoint (press Ctrl-C again to quit at once)\n`,
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const loop = new TrainLoop({
    config,
    epochs,
    model,
    optimizer,
    trainLoader,
    testLoader,
    classes,
    out,
    history,
    run: runFlagsOf(a),
    start:
      resume === null
        ? { epoch: 0, batch: 0, rng: null, epochRng: null, partial: { ...EMPTY_PARTIAL } }
        : {
            epoch: resume.epoch,
            batch: resume.batch,
            rng: resume.rng,
            epochRng: resume.epochRng,
            partial: resume.partial,
          },
    dashboard,
    tty: process.stdout.isTTY === true,
    columns: process.stdout.columns,
    log,
    stopRequested: () => stop,
    parallel,
    device,
  });
  let code = 0;
  try {
    const r = await loop.run();
    if (r.status === "interrupted") {
      const where =
        r.batch > 0
          ? `in epoch ${r.epoch + 1}/${epochs} after ${r.batch} of ${trainLoader.length} batches`
          : `after epoch ${r.epoch}/${epochs}`;
      // The checkpoint holds every flag of the run, so this line alone continues it.
      log(
        `Interrupted ${where}: saved ${loop.checkpointPath}. Continue with: flint train --resume --out ${shellArg(out)}${rankOfMany ? ` --nproc ${process.env.WORLD_SIZE ?? "N"}` : ""}`,
      );
      code = 130;
    } else {
      const best = history.reduce((b, h) => (h.test_acc > b.test_acc ? h : b), history[0]);
      if (best !== undefined)
        log(
          `Done: ${epochs} epoch${epochs === 1 ? "" : "s"}; best test accuracy ${best.test_acc.toFixed(2)}% (epoch ${best.epoch}). Results in ${resolve(out)}`,
        );
      // The page of a finished run stays up (it would die with the server) until Ctrl-C.
      if (dashboard !== null && !stop) {
        log(`Dashboard still at ${dashboard.url} (the run is finished); press Ctrl-C to exit.`);
        await new Promise<void>((res) => {
          const t = setInterval(() => {
            if (stop) {
              clearInterval(t);
              res();
            }
          }, 200);
        });
      }
    }
  } catch (e) {
    dashboard?.update({ status: "failed" });
    throw e;
  } finally {
    await dashboard?.close();
    if (device !== "cpu") torch.webgpu.shutdown(); // a live Dawn instance keeps Node from exiting
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  return code;
}
