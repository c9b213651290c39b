// How each entry of PyTorch's op_db is called in Flint: the one table of names.
//
// The rule (DESIGN.md part 1): torch's dotted path with each snake_case part camelCased
// (`linalg.vector_norm` → `torch.linalg.vectorNorm`, `nn.functional.binary_cross_entropy` →
// `torch.nn.functional.binaryCrossEntropy`), kwargs camelCased into one trailing options object;
// a method-only entry (`x.sum_to_size(...)`) is the camelCased method. Everything else is below,
// mapped by hand: op_db entries that PyTorch itself calls through a lambda or an operator.
import * as torch from "../../src/index.js";
import type { Tensor } from "../../src/index.js";

export type Caller = (input: unknown, args: unknown[], kw: Record<string, unknown> | undefined) => unknown;
type Fn = (...a: unknown[]) => unknown;

export const camel = (s: string): string => s.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

const opts = (kw: Record<string, unknown> | undefined): unknown[] => (kw === undefined ? [] : [kw]);
/** x.name(...args, kw) */
const method =
  (name: string): Caller =>
  (x, args, kw) => {
    const m = (x as Record<string, unknown>)[name];
    if (typeof m !== "function") throw new Error(`Tensor.${name} is missing`);
    return (m as Fn).call(x, ...args, ...opts(kw));
  };
/** A function of the torch namespace by its dotted Flint path, called with (input, ...args, kw). */
export function torchPath(path: string): Fn | undefined {
  let o: unknown = torch;
  for (const part of path.split(".")) {
    if (o === null || o === undefined) return undefined;
    o = (o as Record<string, unknown>)[part];
  }
  return typeof o === "function" ? (o as Fn) : undefined;
}
const fn =
  (path: string): Caller =>
  (x, args, kw) => {
    const f = torchPath(path);
    if (f === undefined) throw new Error(`torch.${path} is missing`);
    return f(x, ...args, ...opts(kw));
  };
/** Python's reflected operators: other OP x. */
const reflected =
  (path: string): Caller =>
  (x, args) => {
    const f = torchPath(path);
    if (f === undefined) throw new Error(`torch.${path} is missing`);
    return f(args[0], x);
  };

/** op_db entries mapped by hand, keyed by name (or name.variant when the variant differs). */
export const HAND: Record<string, Caller> = {
  // PyTorch's lambdas that call a method of the input
  contiguous: method("contiguous"),
  sum_to_size: method("sumToSize"),
  expand: method("expand"),
  expand_as: method("expandAs"),
  to: method("to"),
  reshape_as: method("reshapeAs"),
  view: method("view"),
  view_as: method("viewAs"),
  bool: method("bool"),
  byte: method("byte"),
  double: method("double"),
  float: method("float"),
  int: method("int"),
  long: method("long"),
  bfloat16: method("bfloat16"),
  char: method("char"),
  half: method("half"),
  short: method("short"),
  chalf: method("chalf"),
  new_zeros: method("newZeros"),
  new_ones: method("newOnes"),
  new_empty: method("newEmpty"),
  new_full: method("newFull"),
  new_empty_strided: method("newEmptyStrided"),
  unfold: method("unfold"),
  repeat: method("repeat"),
  T: (x) => (x as Tensor).T,
  mT: (x) => (x as Record<string, unknown>).mT,
  H: (x) => (x as Record<string, unknown>).H,
  mH: (x) => (x as Record<string, unknown>).mH,
  zero_: (x) => (x as Tensor).clone().zero_(),
  resize_: (x, args) => method("resize_")((x as Tensor).clone(), args, undefined),
  resize_as_: (x, args) => method("resizeAs_")((x as Tensor).clone(), args, undefined),
  uniform: method("uniform_"),
  // argument order differs from the sample's
  where: (x, args, kw) => fn("where")(args[0], [x, ...args.slice(1)], kw),
  einsum: (x, args) => fn("einsum")(args[0], [x], undefined),
  polygamma: (x, args, kw) => fn("polygamma")(args[0], [x], kw),
  "special.polygamma": (x, args, kw) => fn("special.polygamma")(args[0], [x], kw),
  "nn.functional.embedding": (x, args, kw) => fn("nn.functional.embedding")(args[0], [x], kw),
  "nn.functional.embedding_bag": (x, args, kw) => fn("nn.functional.embeddingBag")(args[0], [x], kw),
  "linalg.lstsq.grad_oriented": (x, args) => (fn("linalg.lstsq")(x, [args[0]], { driver: args[1] }) as Tensor[])[0],
  "linalg.pinv.singular": (x, args) =>
    fn("linalg.pinv")(torch.matmul(x as Tensor, (args[0] as Tensor).transpose(-2, -1)), [], undefined),
  svd_lowrank: (x, args, kw) =>
    fn("svdLowrank")(torch.matmul(x as Tensor, (args[0] as Tensor).transpose(-2, -1)), args.slice(1), kw),
  pca_lowrank: (x, args, kw) =>
    fn("pcaLowrank")(torch.matmul(x as Tensor, (args[0] as Tensor).transpose(-2, -1)), args.slice(1), kw),
  // random ops: PyTorch's lambdas seed 42 (the test seeds as the fixture says) and call these
  randn: (x, args, kw) => fn("randn")(x, args, kw),
  randn_like: fn("randnLike"),
  // PyTorch 1.13's rand_like entry calls wrapper_set_seed(torch.randn_like, ...) (its lambda's own code)
  rand_like: fn("randnLike"),
  randint_like: fn("randintLike"),
  multinomial: fn("multinomial"),
  normal: fn("normal"),
  "normal.number_mean": (x, args, kw) => fn("normal")(args[0], [x, ...args.slice(1)], kw),
  bernoulli: fn("bernoulli"),
  "nn.functional.dropout": fn("nn.functional.dropout"),
  "nn.functional.dropout2d": fn("nn.functional.dropout2d"),
  "nn.functional.dropout3d": fn("nn.functional.dropout3d"),
  "nn.functional.feature_alpha_dropout.with_train": fn("nn.functional.featureAlphaDropout"),
  "nn.functional.feature_alpha_dropout.without_train": fn("nn.functional.featureAlphaDropout"),
  "nn.functional.rrelu": fn("nn.functional.rrelu"),
  "nn.functional.fractional_max_pool2d": fn("nn.functional.fractionalMaxPool2d"),
  "nn.functional.fractional_max_pool3d": fn("nn.functional.fractionalMaxPool3d"),
  "nn.functional._scaled_dot_product_attention": fn("nn.functional.scaledDotProductAttention"),
  // torch.asStrided is the storage view (src/ops/view.ts, no gradient); Tensor.asStrided is the
  // differentiable gather over the tensor's contiguous layout (src/ops/misc-ext.ts): the same
  // values for the fresh contiguous inputs of op_db
  as_strided: method("asStrided"),
  as_strided_scatter: fn("asStridedScatter"),
  // Python operators
  __radd__: reflected("add"),
  __rsub__: reflected("sub"),
  __rmul__: reflected("mul"),
  __rdiv__: reflected("div"),
  // PyTorch 1.13's Tensor.__rpow__ is torch.tensor(other) ** self: the copy detaches other
  __rpow__: (x, args) => fn("pow")(args[0] instanceof torch.Tensor ? args[0].detach() : args[0], [x], undefined),
  __rmod__: reflected("remainder"),
  __rmatmul__: reflected("matmul"),
  __rand__: reflected("bitwiseAnd"),
  __ror__: reflected("bitwiseOr"),
  __rxor__: reflected("bitwiseXor"),
  __getitem__: method("index"),
  slice: fn("slice"),
  fill: fn("fill"),
};

/** The caller of an entry: by hand, else the camelCase rule on its torch path, else its method. */
export function callerFor(name: string, variant: string, hasMethod: boolean): Caller {
  const hand = HAND[`${name}.${variant}`] ?? HAND[name];
  if (hand !== undefined) return hand;
  const path = name.split(".").map(camel).join(".");
  if (torchPath(path) !== undefined || !hasMethod) return fn(path);
  return method(path);
}

/** The method form of an entry, when PyTorch has one and it is not the entry's caller. */
export function methodFor(name: string): Caller {
  return method(camel(name));
}
