/** PyTorch-compatible CPU random streams (mt19937 + 1.13's samplers) on plain typed arrays. */
export { MT19937, MT_N } from "./mt19937.js";
export { Generator, GeneratorStateError, defaultGenerator, DEFAULT_RNG_SEED, STATE_BYTES } from "./generator.js";
export {
  uniform,
  uniform24,
  uniform53,
  randint,
  randperm,
  bernoulli,
  dropoutMask,
  exponential,
  kaimingUniformBound,
  RandomArgumentError,
  type FloatArray,
  type IntegerArray,
} from "./sample.js";
export { normal, normalScalar } from "./normal.js";
export { fma, fmaf } from "./fma.js";
