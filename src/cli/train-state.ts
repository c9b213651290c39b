// What a training checkpoint holds and how it is read back. Enough to continue exactly: the
// weights, the optimizer's state (momentum buffers …), the epoch and batch reached, the random
// generator's state (now, and at the start of the interrupted epoch, to replay its shuffle), and
// the running sums of a partial epoch. Keys are snake_case so the file reads naturally in Python.
import * as torch from "../index.js";
import { Tensor } from "../tensor.js";
import { UsageError } from "./args.js";
import {
  CheckpointError,
  bytesOf,
  entriesOf,
  field,
  findStateDict,
  loadFile,
  saveCheckpoint,
  saveSafetensors,
  tensorDict,
  type Value,
} from "./checkpoint.js";
import { CIFAR_MODELS, MODEL_NAMES } from "./flags.js";
import { buildModel, type Net } from "./models.js";
import { configFromCheckpoint, type TrainConfig } from "./train-config.js";

export interface PartialEpoch {
  loss_sum: number;
  correct: number;
  seen: number;
  seconds: number;
}

export const EMPTY_PARTIAL: PartialEpoch = { loss_sum: 0, correct: 0, seen: 0, seconds: 0 };

export interface TrainCheckpoint {
  config: TrainConfig;
  /** The model's state dict. */
  model: Map<string, Tensor>;
  optimizer: Value;
  /** Completed epochs. */
  epoch: number;
  /** Batches done in epoch + 1 (0 at an epoch boundary). */
  batch: number;
  rng: Uint8Array;
  /** Generator state at the start of the unfinished epoch (null at an epoch boundary). */
  epochRng: Uint8Array | null;
  partial: PartialEpoch;
  classes: string[];
  /**
   * The run's other flags (data root, epochs, evaluation size, workers…), so that `--resume`
   * alone continues the run exactly as it was started; flags typed again override them.
   */
  run: RunFlags;
}

/** Flag name (as typed, without --) → value, for the flags that are not part of the recipe. */
export type RunFlags = Record<string, string | number | boolean>;

export const CHECKPOINT_FORMAT = "flint.train.checkpoint";

/** Converts a module's or optimizer's state dict (whatever container nn uses) to plain entries. */
function stateEntries(sd: unknown): Map<string, Tensor> {
  const m = new Map<string, Tensor>();
  const it: Iterable<[unknown, unknown]> = sd instanceof Map ? sd : Object.entries(sd as object);
  for (const [k, v] of it) if (v instanceof Tensor) m.set(String(k), v);
  return m;
}

const snake = (k: string): string => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camel = (k: string): string => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * Flint's optimizer state dict ({ state: {id: …}, paramGroups: [{ weightDecay, … }] }) in
 * PyTorch's layout ({ state: {int id: …}, param_groups: [{ weight_decay, … }] }), so that
 * `optimizer.load_state_dict(torch.load(f)["optimizer"])` works in PyTorch too.
 */
export function optimizerToTorch(sd: unknown): unknown {
  const o = sd as { state?: Record<string, unknown>; paramGroups?: Record<string, unknown>[] };
  if (typeof o !== "object" || o === null || o.state === undefined || !Array.isArray(o.paramGroups)) return sd;
  const state = new Map<number, unknown>();
  for (const [k, v] of Object.entries(o.state)) state.set(Number(k), v);
  const groups = o.paramGroups.map((g) => Object.fromEntries(Object.entries(g).map(([k, v]) => [snake(k), v])));
  return { state, param_groups: groups };
}

/** The reverse of optimizerToTorch, for Flint's loadStateDict. */
export function optimizerFromTorch(v: Value): {
  state: Record<number, Record<string, unknown>>;
  paramGroups: Record<string, unknown>[];
} {
  const state: Record<number, Record<string, unknown>> = {};
  for (const [k, s] of entriesOf(field(v, "state")) ?? []) state[Number(k)] = Object.fromEntries(entriesOf(s) ?? []);
  const groups = field(v, "param_groups") ?? field(v, "paramGroups");
  if (!Array.isArray(groups)) throw new CheckpointError("checkpoint: optimizer state has no param_groups");
  const paramGroups = groups.map((g) => Object.fromEntries((entriesOf(g) ?? []).map(([k, x]) => [camel(k), x])));
  return { state, paramGroups };
}

export function writeTrainCheckpoint(
  path: string,
  c: Omit<TrainCheckpoint, "model" | "optimizer"> & { model: Net; optimizer: { stateDict(): unknown } },
): void {
  saveCheckpoint(path, {
    format: CHECKPOINT_FORMAT,
    version: 1,
    model: stateEntries(c.model.stateDict()),
    optimizer: optimizerToTorch(c.optimizer.stateDict()),
    epoch: c.epoch,
    batch: c.batch,
    rng_state: c.rng,
    epoch_rng_state: c.epochRng,
    partial: { ...c.partial },
    config: { ...c.config },
    classes: c.classes,
    run: { ...c.run },
  });
}

/** Weights only, as safetensors with PyTorch's key names (for other tools and for eval/predict). */
export function writeWeights(path: string, model: Net, config: TrainConfig, epoch: number): void {
  saveSafetensors(path, stateEntries(model.stateDict()), {
    format: "pt",
    flint_model: config.model,
    epoch: String(epoch),
  });
}

export function readTrainCheckpoint(path: string): TrainCheckpoint {
  const { value } = loadFile(path);
  if (field(value, "format") !== CHECKPOINT_FORMAT) {
    throw new UsageError(
      `${path} is not a flint train checkpoint (a bare state dict cannot be resumed: it has no optimizer or epoch)`,
      "train",
    );
  }
  const num = (v: Value | undefined, what: string): number => {
    if (typeof v !== "number") throw new CheckpointError(`${path}: ${what} is missing`);
    if (!Number.isFinite(v) || v < 0)
      throw new CheckpointError(`${path}: ${what} is ${v}, expected a non-negative number`);
    return v;
  };
  // Counters must be whole numbers in a sane range: a hostile batch = 10^12 would skip the epoch
  // and log NaN, epoch = -3 would train "epochs -2..2".
  const count = (v: Value | undefined, what: string): number => {
    const n = num(v, what);
    if (!Number.isSafeInteger(n) || n > MAX_COUNT)
      throw new CheckpointError(`${path}: ${what} is ${n}, expected an integer in [0, ${MAX_COUNT}]`);
    return n;
  };
  const p = field(value, "partial");
  const epochRng = field(value, "epoch_rng_state");
  const classes = field(value, "classes");
  return {
    config: configFromCheckpoint(Object.fromEntries(entriesOf(field(value, "config")) ?? []), path),
    model: tensorDict(field(value, "model"), `${path}: model`),
    optimizer: field(value, "optimizer") ?? null,
    epoch: count(field(value, "epoch"), "epoch"),
    batch: count(field(value, "batch"), "batch"),
    rng: bytesOf(field(value, "rng_state"), `${path}: rng_state`),
    epochRng: epochRng === null || epochRng === undefined ? null : bytesOf(epochRng, `${path}: epoch_rng_state`),
    partial: {
      loss_sum: num(field(p, "loss_sum"), "partial.loss_sum"),
      correct: count(field(p, "correct"), "partial.correct"),
      seen: count(field(p, "seen"), "partial.seen"),
      seconds: num(field(p, "seconds"), "partial.seconds"),
    },
    classes: Array.isArray(classes) ? classes.map((c) => safeLabel(String(c))) : [],
    run: runFlagsOf(field(value, "run")),
  };
}

/** The stored run flags; a checkpoint written before they were stored has none. */
function runFlagsOf(v: Value | undefined): RunFlags {
  const out: RunFlags = {};
  for (const [k, x] of entriesOf(v) ?? []) {
    if (typeof x === "string" || typeof x === "number" || typeof x === "boolean") out[String(k)] = x;
  }
  return out;
}

/** Epochs, batches and image counts beyond this are not from a real run. */
const MAX_COUNT = 1e9;

/**
 * A class name from a file, safe to print: control characters (terminal escape sequences,
 * carriage returns that overwrite the line) are shown as \u{…} escapes, and length is capped.
 */
export function safeLabel(s: string): string {
  const clean = s.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069]/g,
    (c) => `\\u{${c.codePointAt(0)?.toString(16)}}`,
  );
  return clean.length > 200 ? `${clean.slice(0, 200)}…` : clean;
}

export interface LoadedModel {
  model: Net;
  modelName: string;
  /** Completed epochs, when the file says. */
  epoch: number | null;
  classes: string[];
  source: string;
}

/**
 * Builds a model from a train checkpoint, a torch.save'd state dict or a safetensors file. The
 * architecture comes from the file when it names one, else from `modelFlag` (default "seed").
 */
export function loadModel(path: string, modelFlag: string | null): LoadedModel {
  const { value, metadata, format } = loadFile(path);
  let state: Map<string, Tensor>;
  let name = modelFlag;
  let epoch: number | null = null;
  let classes: string[] = [];
  let source: string;
  if (field(value, "format") === CHECKPOINT_FORMAT) {
    const ck = readTrainCheckpoint(path);
    if (modelFlag !== null && modelFlag !== ck.config.model) {
      throw new UsageError(`--model ${modelFlag}: ${path} holds a "${ck.config.model}" model`, "");
    }
    state = ck.model;
    name = ck.config.model;
    epoch = ck.epoch;
    classes = ck.classes;
    source = `flint checkpoint, ${ck.epoch} epoch${ck.epoch === 1 ? "" : "s"}${ck.batch > 0 ? ` + ${ck.batch} batches` : ""}`;
  } else {
    // A bare state dict (torch.save(model.state_dict()), safetensors) or one inside a checkpoint
    // of the usual layouts ({'model_state_dict': sd, 'epoch': 3, …}).
    const found = findStateDict(value, path);
    state = found.state;
    name = modelFlag ?? metadata.flint_model ?? guessModel(state) ?? "seed";
    epoch = metadata.epoch !== undefined ? Number(metadata.epoch) : null;
    source =
      format === "safetensors"
        ? "safetensors weights"
        : found.where !== ""
          ? `state dict (under ${found.where})`
          : "state dict";
  }
  const model = buildModel(name);
  try {
    model.loadStateDict(state);
  } catch (e) {
    const like = guessModel(state);
    const hint =
      like !== null && like !== name
        ? ` Its keys are those of model "${like}": pass --model ${like}.`
        : like === null
          ? ` Its keys match none of the models (${MODEL_NAMES.join(", ")}); first keys: ${[...state.keys()].slice(0, 4).join(", ")}.`
          : "";
    throw new CheckpointError(`${path} does not fit model "${name}": ${(e as Error).message}.${hint}`);
  }
  model.eval();
  return { model, modelName: name, epoch, classes, source };
}

/** The model whose state-dict keys and shapes are exactly those of `state`, if one is. */
export function guessModel(state: Map<string, Tensor>): string | null {
  // The CLI's own nets only: building every torchvision architecture to compare would take seconds.
  for (const name of CIFAR_MODELS) {
    const sd = buildModel(name).stateDict() as Record<string, Tensor>;
    const keys = Object.keys(sd);
    if (keys.length === state.size && keys.every((k) => state.get(k)?.shape.join(",") === sd[k].shape.join(",")))
      return name;
  }
  return null;
}

/** Restores the global generator (torch.manualSeed's) to a saved state. */
export function setRngState(state: Uint8Array): void {
  torch.setRngState(state);
}

export function getRngState(): Uint8Array {
  return torch.getRngState();
}
