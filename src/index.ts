// The torch namespace: import * as torch from "flint".
import "./setup.js";

export { Tensor, Storage, CpuStorage, fromTypedArray } from "./tensor.js";
export * from "./dtype.js";
export { Device, device, cuda, backends } from "./device.js";
export type { DeviceLike } from "./device.js";
export {
  FlintError,
  ShapeError,
  DTypeError,
  IndexError,
  AutogradError,
  ValueError,
  DeviceError,
  ArgumentError,
  NotImplementedError,
} from "./errors.js";
export { GeneratorStateError, RandomArgumentError } from "./random/index.js";
export { backendName, setBackend, setNumThreads, getNumThreads, loadWasm, wasmBuild } from "./backend/select.js";
export { tuneProcess, type TuneProcessOptions, type TuneProcessResult } from "./process-tuning.js";
export { noGrad, enableGrad, setGradEnabled, isGradEnabled, inferenceMode } from "./autograd/grad-mode.js";
export * as autograd from "./autograd/index.js";
export * as webgpu from "./backend/webgpu/api.js";

export {
  tensor,
  zeros,
  ones,
  full,
  empty,
  zerosLike,
  onesLike,
  fullLike,
  emptyLike,
  arange,
  linspace,
  eye,
} from "./ops/creation.js";
export type { CreateOptions, NestedData } from "./ops/creation.js";
export {
  add,
  sub,
  mul,
  div,
  pow,
  maximum,
  minimum,
  atan2,
  remainder,
  fmod,
  floorDivide,
  eq,
  ne,
  lt,
  le,
  gt,
  ge,
  logicalAnd,
  logicalOr,
  logicalXor,
  bitwiseAnd,
  bitwiseOr,
  bitwiseXor,
  where,
} from "./ops/binary.js";
// Every declared unary op (neg, abs, exp, expm1, …, logicalNot, bitwiseNot): one declaration each.
export * from "./ops/unary.js";
export { round } from "./ops/round.js"; // the declared round with its decimals option
export {
  sum,
  mean,
  prod,
  amax,
  amin,
  max,
  min,
  argmax,
  argmin,
  variance as var,
  std,
  logsumexp,
  all,
  any,
  countNonzero,
} from "./ops/reduce.js";
export type { ValuesIndices, Dims } from "./ops/reduce.js";
export {
  view,
  reshape,
  flatten,
  unflatten,
  permute,
  transpose,
  t,
  squeeze,
  unsqueeze,
  expand,
  narrow,
  select,
  slice,
  detach,
} from "./ops/view.js";
export { asStrided } from "./ops/misc-ext.js";
export { setMaxAllocBytes, getMaxAllocBytes } from "./checked-size.js";
export { clone, contiguous } from "./ops/cast.js";
export { matmul, mm, bmm, dot, mv, outer } from "./ops/linalg.js";
export { cat, stack, split, chunk, unbind } from "./ops/join.js";
export { gather, scatter, scatterAdd, indexSelect, maskedFill, maskedSelect, nonzero, index } from "./ops/indexing.js";
export type { IndexSpec } from "./ops/indexing.js";
export { softmax, logSoftmax } from "./ops/softmax.js";
export { clamp, clamp as clip } from "./ops/clamp.js";
export {
  rand,
  randn,
  randint,
  randperm,
  randLike,
  randnLike,
  randintLike,
  bernoulli,
  manualSeed,
  seed,
  initialSeed,
  getRngState,
  setRngState,
  Generator,
  defaultGenerator,
} from "./ops/random.js";
export type { RandomOptions } from "./ops/random.js";
export { save, load, saveToBytes, loadSafetensorsMetadata } from "./serialization/save-load.js";
export type { SaveOptions, Savable, Loaded } from "./serialization/save-load.js";
export { SerializationError } from "./serialization/errors.js";
export * from "./torch-ext.js";
export * as special from "./ops/special/index.js";
export * as linalg from "./ops/linalg/index.js";
export * as fft from "./ops/fft/index.js";
export * as masked from "./ops/masked.js";
export * as utils from "./utils/index.js";
export * as vision from "./vision/index.js";
export * as nn from "./nn/index.js";
export * as optim from "./optim/index.js";
export * as distributions from "./distributions/index.js";
export * as distributed from "./distributed/index.js";
export * as hub from "./hub/index.js";
