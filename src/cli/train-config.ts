// `flint train`'s flags and the training recipe they resolve to. The recipe is stored in every
// checkpoint, so `--resume` rebuilds the same model and optimizer, and a flag that would change
// the recipe of a resumed run is refused rather than silently ignored.
import * as optim from "../optim/index.js";
import { UsageError, type CommandSpec, type ParsedArgs } from "./args.js";
import { BACKEND_FLAG, ROOT_FLAG, THREADS_FLAG } from "./common.js";
import { MODEL_NAMES, MODELS, type Net } from "./models.js";

export const TRAIN_SPEC: CommandSpec = {
  name: "train",
  summary: "Train a CNN on CIFAR-10 (the seed's model and recipe by default), with checkpoints, metrics and a plot.",
  usage: "[options]",
  flags: [
    ROOT_FLAG,
    { name: "download", type: "boolean", default: true, help: "Download CIFAR-10 into --root when it is not there (--no-download: fail instead)" },
    { name: "epochs", type: "int", metavar: "N", default: 10, min: 1, help: "Total number of epochs (a resumed run continues up to N)" },
    { name: "batch-size", type: "int", metavar: "N", default: 64, min: 1, help: "Training batch size" },
    { name: "lr", type: "number", metavar: "LR", gt: 0, help: "Learning rate (default: 0.01 for sgd, 0.001 for adam/adamw)" },
    { name: "momentum", type: "number", metavar: "M", min: 0, max: 1, help: "SGD momentum (default: 0.9; sgd only)" },
    { name: "optimizer", type: "choice", choices: ["sgd", "adam", "adamw"], default: "sgd", help: "Optimizer" },
    { name: "weight-decay", type: "number", metavar: "WD", min: 0, help: "Weight decay (default: 0; 0.01 for adamw as in PyTorch)" },
    { name: "seed", type: "int", metavar: "N", default: 0, min: 0, help: "Random seed (weights, shuffling, augmentation)" },
    { name: "model", type: "choice", choices: MODEL_NAMES, default: "seed", help: `Network: ${MODEL_NAMES.map((n) => `${n} = ${MODELS[n].description}`).join("; ")}` },
    { name: "augment", type: "boolean", default: false, help: "Random crop (padding 4) and horizontal flip on training images" },
    { name: "workers", type: "int", metavar: "N", default: 0, min: 0, max: 64, help: "DataLoader worker threads (0: load in the main thread)" },
    THREADS_FLAG,
    BACKEND_FLAG,
    { name: "out", type: "string", metavar: "DIR", default: "./runs/cifar10", help: "Output folder: checkpoint.pt, model.safetensors, metrics.jsonl, plot.svg" },
    { name: "resume", type: "string", metavar: "FILE", optionalValue: true, help: "Continue a run from its checkpoint (default FILE: OUT/checkpoint.pt)" },
    { name: "train-size", type: "int", metavar: "N", min: 1, help: "Use only the first N training images (quick experiments)" },
    { name: "test-size", type: "int", metavar: "N", min: 1, help: "Evaluate on only the first N test images" },
    { name: "test-batch-size", type: "int", metavar: "N", default: 500, min: 1, help: "Batch size for evaluation" },
    { name: "dashboard", type: "boolean", default: false, help: "Serve live loss/accuracy curves on http://127.0.0.1:PORT/" },
    { name: "port", type: "int", metavar: "N", default: 8765, min: 0, max: 65535, help: "Dashboard port (0: any free port)" },
  ],
  epilog: [
    "Examples:",
    "  flint train --epochs 5                          # the seed's recipe: SGD lr 0.01, momentum 0.9, batch 64",
    "  flint train --root /data/cifar --no-download    # local, already unpacked CIFAR-10",
    "  flint train --optimizer adam --augment --model vgg --epochs 30 --out runs/vgg",
    "  flint train --resume --epochs 20                # continue runs/cifar10 up to epoch 20",
    "  flint train --dashboard                         # then open the printed URL",
    "",
    "Ctrl-C saves a checkpoint and exits; --resume continues exactly where it stopped.",
  ],
};

/** The recipe: everything that determines the numbers of a run (stored in checkpoints). */
export interface TrainConfig {
  model: string;
  optimizer: string;
  lr: number;
  momentum: number;
  weight_decay: number;
  batch_size: number;
  seed: number;
  augment: boolean;
  train_size: number | null;
}

/** Flag name → recipe key, for the flags a resumed run must not change. */
const RECIPE_FLAGS: [string, keyof TrainConfig][] = [
  ["model", "model"], ["optimizer", "optimizer"], ["lr", "lr"], ["momentum", "momentum"],
  ["weight-decay", "weight_decay"], ["batch-size", "batch_size"], ["seed", "seed"], ["augment", "augment"],
  ["train-size", "train_size"],
];

export function resolveConfig(a: ParsedArgs): TrainConfig {
  const opt = a.str("optimizer");
  if (opt !== "sgd" && a.given.has("momentum")) {
    throw new UsageError(`--momentum applies to --optimizer sgd only (${opt} uses its own betas)`, "train");
  }
  return {
    model: a.str("model"),
    optimizer: opt,
    lr: a.optNum("lr") ?? (opt === "sgd" ? 0.01 : 0.001),
    momentum: opt === "sgd" ? (a.optNum("momentum") ?? 0.9) : 0,
    weight_decay: a.optNum("weight-decay") ?? (opt === "adamw" ? 0.01 : 0),
    batch_size: a.num("batch-size"),
    seed: a.num("seed"),
    augment: a.bool("augment"),
    train_size: a.optNum("train-size"),
  };
}

/** A resumed run keeps its recipe: explicit flags that contradict it are errors. */
export function checkResumeCompatible(given: TrainConfig, saved: TrainConfig, a: ParsedArgs): void {
  for (const [flag, key] of RECIPE_FLAGS) {
    if (a.given.has(flag) && given[key] !== saved[key]) {
      throw new UsageError(
        `--${flag} ${String(given[key])} differs from the checkpoint's ${String(saved[key])}: a resumed run keeps its recipe ` +
          `(start a new run with another --out to change it)`,
        "train",
      );
    }
  }
}

export function describeConfig(c: TrainConfig): string {
  const opt =
    c.optimizer === "sgd"
      ? `SGD(lr ${c.lr}, momentum ${c.momentum}, weight decay ${c.weight_decay})`
      : `${c.optimizer === "adam" ? "Adam" : "AdamW"}(lr ${c.lr}, weight decay ${c.weight_decay})`;
  return `model ${c.model}, ${opt}, batch ${c.batch_size}, seed ${c.seed}, augment ${c.augment ? "on" : "off"}`;
}

export type AnyOptimizer = optim.SGD | optim.Adam | optim.AdamW;

export function buildOptimizer(c: TrainConfig, model: Net): AnyOptimizer {
  const params = model.parameters();
  switch (c.optimizer) {
    case "sgd":
      return new optim.SGD(params, { lr: c.lr, momentum: c.momentum, weightDecay: c.weight_decay });
    case "adam":
      return new optim.Adam(params, { lr: c.lr, weightDecay: c.weight_decay });
    case "adamw":
      return new optim.AdamW(params, { lr: c.lr, weightDecay: c.weight_decay });
    default:
      throw new UsageError(`unknown optimizer "${c.optimizer}"`, "train");
  }
}

/** Reads a recipe stored in a checkpoint (keys as written by train), checking each field's type. */
export function configFromCheckpoint(v: unknown, path: string): TrainConfig {
  const o = (typeof v === "object" && v !== null ? v : {}) as Record<string, unknown>;
  const num = (k: string): number => {
    if (typeof o[k] !== "number") throw new UsageError(`${path} has no training recipe (config.${k}); is it a flint train checkpoint?`, "train");
    return o[k] as number;
  };
  return {
    model: String(o.model ?? "seed"),
    optimizer: String(o.optimizer ?? "sgd"),
    lr: num("lr"),
    momentum: num("momentum"),
    weight_decay: num("weight_decay"),
    batch_size: num("batch_size"),
    seed: num("seed"),
    augment: o.augment === true,
    train_size: typeof o.train_size === "number" ? o.train_size : null,
  };
}
