// One schema per signature: a constructor's or function's parameters spelled once, in torch's
// order, from which come the accepted call shapes (positional prefix + one trailing options
// object), the options type, the names, the defaults and the run-time parser.
//
// How to use it (modules, losses, optimizers, schedulers, datasets, loaders, transforms):
//
//   interface EmbeddingParams { numEmbeddings: number; embeddingDim: number; paddingIdx?: number | null }
//   const embeddingArgs = signature<EmbeddingParams>()("Embedding",
//     ["numEmbeddings", "embeddingDim", "paddingIdx"], { paddingIdx: null });
//   class Embedding extends Module {
//     constructor(...args: ArgsOf<typeof embeddingArgs>) {
//       const a = embeddingArgs.parse(args); // a.paddingIdx: number | null
//
// The params interface marks required parameters as required properties; `defaults` must give a
// value (possibly undefined or null) for every optional one, so the parser knows all names. Then
// `new Embedding(10, 3, 0)`, `new Embedding(10, 3, { paddingIdx: 0 })` and
// `new Embedding({ numEmbeddings: 10, embeddingDim: 3 })` all type-check and mean the same, while
// too many positional arguments, a name given both ways, a missing required parameter or an
// unknown name throw an ArgumentError naming the callee and the parameter (a snake_case name
// gets "did you mean batchSize?").
//
// Adding a class: take torch's parameter order from `inspect.signature` (device/dtype last:
// `...factoryDefaults` and `factoryDType()` in src/nn/modules/util.ts), add the class to
// scripts/fixtures/signatures.py and rerun it, so test/signatures.test.ts checks the order. A
// generic class types its constructor as `Args<Params<T>, typeof NAMES>` over a module-level
// signature of `Params<unknown>`; subclasses sharing a signature use `.as("Name")`, or
// `parse(args, new.target.name)` so messages name the subclass; a torch parameter Flint accepts
// but does not implement beyond its default goes through `unsupported()`.
import { ArgumentError } from "../errors.js";

/** The keys of T whose property is optional. */
export type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];

type Names<O> = readonly (keyof O & string)[];

/** The first K elements of a tuple, for K = 0 .. length. */
type Prefixes<T extends readonly unknown[]> = T extends readonly [...infer H, unknown] ? T | Prefixes<H> : T;
/** T without its first elements matching the prefix P. */
type DropPrefix<T extends readonly unknown[], P extends readonly unknown[]> = P extends readonly [unknown, ...infer PR]
  ? T extends readonly [unknown, ...infer TR]
    ? DropPrefix<TR, PR>
    : []
  : T;

/** The positional types: O's property types in the order of N. */
export type PositionalOf<O, N extends Names<O>> = { -readonly [I in keyof N]: N[I] extends keyof O ? O[N[I]] : never };

/** The options object allowed after positional arguments P: the remaining names, required ones required. */
type RestOptions<O, N extends Names<O>, P extends readonly unknown[]> = Pick<O, DropPrefix<N, P>[number] & keyof O>;

type CallFor<O, N extends Names<O>, P extends readonly unknown[]> = [DropPrefix<N, P>[number]] extends [never]
  ? [...P] // every parameter given positionally: no options object ({} would accept any value)
  : DropPrefix<N, P>[number] extends OptionalKeys<O>
    ? [...P] | [...P, RestOptions<O, N, P>]
    : [...P, RestOptions<O, N, P>];

/** Every accepted argument list: each positional prefix, then (where allowed) the options object. */
export type Args<O, N extends Names<O>> =
  Prefixes<PositionalOf<O, N>> extends infer P ? (P extends readonly unknown[] ? CallFor<O, N, P> : never) : never;

/** The parsed arguments: every name, optional ones filled from the defaults. */
export type Parsed<O, D> = { [K in keyof O]-?: K extends keyof D ? Exclude<O[K], undefined> | D[K] : O[K] };

export interface Signature<O, N extends Names<O>, D> {
  /** The callee, as messages name it (e.g. "Conv2d", "DataLoader"). */
  readonly name: string;
  /** Parameter names in torch's order (camelCase). */
  readonly names: N;
  readonly defaults: D;
  /**
   * Parses `(...args)` = positional arguments in order, then one optional options object;
   * `callee` names a subclass in messages (`new.target.name`).
   */
  parse(args: readonly unknown[], callee?: string): Parsed<O, D>;
  /** The same signature under another callee's name (subclasses sharing a base's parameters). */
  as(name: string): Signature<O, N, D>;
}

const registry = new Map<string, readonly string[]>();
/** Every declared signature by callee name (for the test that checks them against torch's). */
export const declaredSignatures = (): ReadonlyMap<string, readonly string[]> => registry;

export type ArgsOf<S> = S extends Signature<infer O, infer N, unknown> ? Args<O, N> : never;
/** Everything by name (the options object when no argument is passed positionally). */
export type OptionsOf<S> = S extends Signature<infer O, infer _N, unknown> ? O : never;

/** A torch parameter accepted in its place but not implemented beyond its default value(s). */
export function unsupported(callee: string, name: string, value: unknown, allowed: readonly unknown[]): void {
  if (value !== undefined && value !== null && !allowed.includes(value))
    throw new ArgumentError(`${callee}: ${name}=${String(value)} is not implemented`);
}

/** A plain object literal (what an options object is): not an array, tensor, class instance or map. */
export function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== "object" || x === null) return false;
  const proto: unknown = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

const camel = (s: string): string => s.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
const snake = (s: string): string => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The message for an unknown name, with a suggestion when a known name was meant. */
export function unknownName(callee: string, key: string, names: readonly string[]): string {
  const lower = key.toLowerCase().replace(/_/g, "");
  const guess = names.find((n) => n === camel(key)) ?? names.find((n) => n.toLowerCase() === lower);
  const hint = guess !== undefined ? ` (did you mean ${guess}?)` : ` (expected one of ${names.join(", ")})`;
  return `${callee}: unexpected option '${key}'${hint}`;
}

/**
 * The run-time parser behind Signature.parse, also usable alone: `isOptions` says whether the
 * last argument is the options object (by default a plain object literal).
 */
export function parseNamed(
  callee: string,
  args: readonly unknown[],
  names: readonly string[],
  defaults: Readonly<Record<string, unknown>>,
  required: readonly string[] = [],
  isOptions: (x: unknown) => boolean = isPlainObject,
  objectParams: readonly string[] = [],
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...defaults };
  const given = new Set<string>();
  let pos = args;
  const last = args[args.length - 1];
  if (args.length > 0 && isOptions(last)) {
    // A parameter that itself takes a plain object (a sampler's data source { length }) keeps it
    // positionally when its keys are not parameter names.
    const slot = names[args.length - 1];
    const positional = objectParams.includes(slot) && Object.keys(last as object).some((k) => !names.includes(k));
    if (!positional) pos = args.slice(0, -1);
  }
  if (pos.length > names.length) {
    const list =
      names.length === 0
        ? "no positional arguments"
        : `at most ${names.length} positional arguments (${names.join(", ")})`;
    throw new ArgumentError(`${callee}: takes ${list}, got ${pos.length}`);
  }
  pos.forEach((v, i) => {
    if (v === undefined) return;
    out[names[i]] = v;
    given.add(names[i]);
  });
  if (pos !== args) {
    for (const [k, v] of Object.entries(last as Record<string, unknown>)) {
      if (!names.includes(k)) throw new ArgumentError(unknownName(callee, k, names));
      if (v === undefined) continue;
      if (given.has(k))
        throw new ArgumentError(`${callee}: got multiple values for argument '${k}' (positionally and by name)`);
      out[k] = v;
      given.add(k);
    }
  }
  for (const r of required)
    if (!given.has(r)) throw new ArgumentError(`${callee}: missing required argument '${r}' (${snake(r)} in torch)`);
  return out;
}

/**
 * Declares a signature: `signature<Params>()(name, names, defaults)`. Names are in torch's order;
 * every optional property of Params needs an entry in defaults; names without one are required.
 * `objectParams` names parameters whose values may be plain objects themselves.
 */
export function signature<O>() {
  return <const N extends Names<O>, const D extends { readonly [K in OptionalKeys<O>]-?: O[K] | undefined }>(
    name: string,
    names: N,
    defaults: D,
    objectParams: readonly (N[number] & string)[] = [],
  ): Signature<O, N, D> => make(name, names, defaults, objectParams);
}

function make<O, N extends Names<O>, D extends object>(
  name: string,
  names: N,
  defaults: D,
  objectParams: readonly string[],
): Signature<O, N, D> {
  const required = names.filter((n) => !(n in defaults));
  registry.set(name, names);
  return {
    name,
    names,
    defaults,
    parse: (args, callee = name) =>
      parseNamed(
        callee,
        args,
        names,
        defaults as Record<string, unknown>,
        required,
        isPlainObject,
        objectParams,
      ) as Parsed<O, D>,
    as: (other) => make<O, N, D>(other, names, defaults, objectParams),
  };
}
