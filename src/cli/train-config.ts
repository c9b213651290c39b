// `flint train`'s flags and the training recipe they resolve to. The recipe is stored in every
// checkpoint, so `--resume` rebuilds the same model and optimizer, and a flag that would change
// the recipe of a resumed run is refused rather than silently ignored.
import { randomInt } from "node:crypto";
import * as optim from "../optim/index.js";
import { UsageError, type ParsedArgs } from "./args.js";
import type { Net } from "./models.js";

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
  ["model", "model"],
  ["optimizer", "optimizer"],
  ["lr", "lr"],
  ["momentum", "momentum"],
  ["weight-decay", "weight_decay"],
  ["batch-size", "batch_size"],
  ["seed", "seed"],
  ["augment", "augment"],
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
    // Unseeded, PyTorch starts from a nondeterministic seed; so does a run without --seed. The
    // seed is printed in the run's header and stored in its checkpoint, so it can be repeated.
    seed: a.optNum("seed") ?? randomInt(0, 2 ** 32),
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
    if (typeof o[k] !== "number")
      throw new UsageError(`${path} has no training recipe (config.${k}); is it a flint train checkpoint?`, "train");
    const v = o[k] as number;
    if (!Number.isFinite(v) || v < 0)
      throw new UsageError(`${path}: config.${k} is ${v}, expected a non-negative number`, "train");
    return v;
  };
  const int = (k: string, min: number): number => {
    const v = num(k);
    if (!Number.isSafeInteger(v) || v < min)
      throw new UsageError(`${path}: config.${k} is ${v}, expected an integer >= ${min}`, "train");
    return v;
  };
  return {
    model: String(o.model ?? "seed"),
    optimizer: String(o.optimizer ?? "sgd"),
    lr: num("lr"),
    momentum: num("momentum"),
    weight_decay: num("weight_decay"),
    batch_size: int("batch_size", 1),
    seed: int("seed", 0),
    augment: o.augment === true,
    train_size: typeof o.train_size === "number" ? o.train_size : null,
  };
}
