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
import { EMPTY_PARTIAL, optimizerFromTorch, readTrainCheckpoint, type RunFlags, type TrainCheckpoint } from "./train-state.js";

/** The flags of a run that are not its recipe (TrainConfig): stored in checkpoints for --resume. */
const RUN_FLAGS = ["root", "download", "epochs", "test-size", "test-batch-size", "workers", "backend", "threads", "dashboard", "port"];

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
  const log = (line: string): void => void process.stdout.write(line + "\n");
  const out = a.str("out");
  const ckptPath = join(out, "checkpoint.pt");
  let config = resolveConfig(a);
  let resume: TrainCheckpoint | null = null;
  const resumeArg0 = a.optStr("resume");
  if (resumeArg0 !== null) {
    const path = resumeArg0 === "" ? ckptPath : resumeArg0;
    if (!existsSync(path)) throw new UsageError(`--resume: no checkpoint at ${path} (train without --resume first, or give its path)`, "train");
    resume = readTrainCheckpoint(path);
    checkResumeCompatible(config, resume.config, a);
    config = resume.config;
    a = withStoredFlags(a, resume.run);
  } else if (existsSync(ckptPath)) {
    throw new UsageError(`${out} already holds a run (${ckptPath}): pass --resume to continue it, or choose another --out`, "train");
  }
  const epochs = a.num("epochs");
  if (resume !== null && resume.epoch >= epochs) {
    log(`Nothing to do: ${ckptPath} has already trained ${resume.epoch} epoch${resume.epoch === 1 ? "" : "s"} (--epochs ${epochs}); pass a larger --epochs to continue.`);
    return 0;
  }

  const backend = setupBackend(a.str("backend"), a.optNum("threads"));
  torch.manualSeed(config.seed);
  const model = buildModel(config.model);
  const optimizer = buildOptimizer(config, model);
  const root = a.str("root");
  const download = a.bool("download");
  const trainSet = loadCifar(root, true, config.augment, download);
  const testSet = loadCifar(root, false, false, download);
  const classes = trainSet.classes.length > 0 ? trainSet.classes : CIFAR10_CLASSES;
  const train = firstN(trainSet, config.train_size);
  const test = firstN(testSet, a.optNum("test-size"));
  const workers = a.num("workers");
  const trainLoader = makeLoader(train, { batchSize: config.batch_size, shuffle: true, workers }) as unknown as Batches;
  const testLoader = makeLoader(test, { batchSize: a.num("test-batch-size"), shuffle: false, workers }) as unknown as Batches;

  mkdirSync(out, { recursive: true });
  const metricsPath = join(out, "metrics.jsonl");
  let history = readMetrics(metricsPath);
  if (resume !== null) {
    model.loadStateDict(resume.model);
    optimizer.loadStateDict(optimizerFromTorch(resume.optimizer) as unknown as Parameters<typeof optimizer.loadStateDict>[0]);
    history = history.filter((r) => r.epoch <= resume.epoch);
  } else {
    history = [];
  }
  writeMetrics(metricsPath, history);

  log(`flint train: ${describeConfig(config)}`);
  log(`  model ${config.model}: ${countParameters(model).toLocaleString("en-US")} parameters; backend ${backend}`);
  log(`  data: CIFAR-10 at ${resolve(root)}: ${train.length} training images (${trainLoader.length} batches), ${test.length} test images; workers ${workers}`);
  log(`  output: ${resolve(out)} (checkpoint.pt, model.safetensors, metrics.jsonl, plot.svg)`);
  if (resume !== null) {
    log(resume.batch > 0
      ? `  resuming in epoch ${resume.epoch + 1}/${epochs} after ${resume.batch} of ${trainLoader.length} batches`
      : `  resuming after epoch ${resume.epoch}: continuing at epoch ${resume.epoch + 1}/${epochs}`);
  }

  let dashboard: Dashboard | null = null;
  if (a.bool("dashboard")) {
    dashboard = await Dashboard.start(a.num("port"), a.given.has("port"));
    dashboard.update({ epochs, history, config: `${describeConfig(config)} · ${train.length} training images · backend ${backend} · output ${resolve(out)}` });
    log(`  dashboard: ${dashboard.url}`);
  }

  // First Ctrl-C: finish the batch, save, exit. Second: leave at once.
  let stop = false;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (stop) {
      process.stderr.write(`\n${sig} again: exiting without saving\n`);
      process.exit(130);
    }
    stop = true;
    process.stderr.write(`\n${sig}: stopping after this batch and saving a checkpoint (press Ctrl-C again to quit at once)\n`);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const loop = new TrainLoop({
    config, epochs, model, optimizer, trainLoader, testLoader, classes, out, history, run: runFlagsOf(a),
    start: resume === null
      ? { epoch: 0, batch: 0, rng: null, epochRng: null, partial: { ...EMPTY_PARTIAL } }
      : { epoch: resume.epoch, batch: resume.batch, rng: resume.rng, epochRng: resume.epochRng, partial: resume.partial },
    dashboard, tty: process.stdout.isTTY === true, columns: process.stdout.columns, log,
    stopRequested: () => stop,
  });
  let code = 0;
  try {
    const r = await loop.run();
    if (r.status === "interrupted") {
      const where = r.batch > 0 ? `in epoch ${r.epoch + 1}/${epochs} after ${r.batch} of ${trainLoader.length} batches` : `after epoch ${r.epoch}/${epochs}`;
      // The checkpoint holds every flag of the run, so this line alone continues it.
      log(`Interrupted ${where}: saved ${loop.checkpointPath}. Continue with: flint train --resume --out ${shellArg(out)}`);
      code = 130;
    } else {
      const best = history.reduce((b, h) => (h.test_acc > b.test_acc ? h : b), history[0]);
      if (best !== undefined) log(`Done: ${epochs} epoch${epochs === 1 ? "" : "s"}; best test accuracy ${best.test_acc.toFixed(2)}% (epoch ${best.epoch}). Results in ${resolve(out)}`);
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
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  return code;
}
