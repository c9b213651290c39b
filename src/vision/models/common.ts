// What every torchvision model builder shares: keyword options (`weights`, `progress`, then the
// model's own), checked by name, and loading the chosen weights through the hub cache.
import { ValueError } from "../../errors.js";
import { loadStateDictFromUrl } from "../../hub/index.js";
import type { Module } from "../../nn/module.js";
import type { Tensor } from "../../tensor.js";
import { type Weights, type WeightsEnum, resolveWeights } from "./weights.js";

export interface ModelOptions {
  /** Pretrained weights: a Weights entry, or its name ("IMAGENET1K_V1", "DEFAULT"); null for random init. */
  weights?: Weights | string | null;
  /** Show a progress bar while downloading weights (default true). */
  progress?: boolean;
}

export interface ParsedModelOptions<O> {
  name: string;
  weights: Weights | null;
  progress: boolean;
  options: O;
}

/**
 * torchvision's builders take keyword arguments only: one options object here. An unknown name is
 * an error; with weights, numClasses must match the weights' categories (as torchvision's
 * _ovewrite_named_param).
 */
export function modelOptions<O extends object>(
  name: string,
  args: unknown[],
  e: WeightsEnum | Record<string, never>,
  known: readonly string[],
): ParsedModelOptions<O> {
  if (args.length > 1 || (args.length === 1 && (typeof args[0] !== "object" || args[0] === null))) {
    throw new ValueError(
      `${name}: takes one options object ({ weights, progress, numClasses, … }), got ${args.length} argument(s)`,
    );
  }
  const given = { ...((args[0] ?? {}) as Record<string, unknown>) };
  const allowed = new Set(["weights", "progress", ...known]);
  for (const k of Object.keys(given)) {
    if (!allowed.has(k)) {
      const camel = k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
      throw new ValueError(
        `${name}: unknown option '${k}'${camel !== k && allowed.has(camel) ? ` (did you mean ${camel}?)` : `; options: ${[...allowed].join(", ")}`}`,
      );
    }
  }
  const hasEntries = Object.keys(e).length > 0;
  const weights = resolveWeights(
    name,
    given.weights as Weights | string | null | undefined,
    hasEntries ? (e as WeightsEnum) : null,
  );
  const progress = given.progress === undefined ? true : Boolean(given.progress);
  delete given.weights;
  delete given.progress;
  if (weights !== null) {
    const n = weights.meta.categories.length;
    if (given.numClasses !== undefined && given.numClasses !== n) {
      throw new ValueError(
        `${name}: The parameter 'numClasses' expected value ${n} but got ${String(given.numClasses)} instead (the weights ${weights} have ${n} classes)`,
      );
    }
    given.numClasses = n;
  }
  return { name, weights, progress, options: given as O };
}

/** Loads the chosen pretrained weights into `model` (nothing when none were chosen). */
export function loadWeights<M extends Module>(model: M, o: ParsedModelOptions<unknown>): M {
  if (o.weights === null) return model;
  const sd = loadStateDictFromUrl(o.weights.url, { progress: o.progress, checkHash: true });
  model.loadStateDict(sd as Map<string, Tensor>);
  return model;
}

/** torchvision's _make_divisible: channels rounded to a multiple of `divisor`, not below 90%. */
export function makeDivisible(v: number, divisor: number, minValue: number | null = null): number {
  const min = minValue ?? divisor;
  let newV = Math.max(min, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (newV < 0.9 * v) newV += divisor;
  return newV;
}
