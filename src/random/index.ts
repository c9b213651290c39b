/**
 * PyTorch 1.13's CPU random streams on plain typed arrays, bit for bit (test/random.test.ts checks
 * 430+ PyTorch fixtures: rand, uniform_, randn, normal_, randint, random_, randperm, bernoulli_,
 * bernoulli, dropout, exponential_, nn.Linear/Conv2d init, generator state bytes).
 *
 * Every sampler takes (gen, out, ...params) and fills `out` in memory order, i.e. as PyTorch fills a
 * CONTIGUOUS tensor. For a non-contiguous tensor PyTorch walks TensorIterator's order (dimensions
 * sorted by stride: storage order for a permuted view), and normal_ switches to its scalar path:
 * call normal(gen, tmp, mean, std, false), fill tmp in that order, scatter it back.
 *
 * Reference platform: the x86-64 AVX2 kernels of PyTorch 1.13 (what it picks on any AVX2 CPU) with
 * glibc 2.36's FMA libm. A PyTorch forced to ATEN_CPU_CAPABILITY=default (no FMA) would round some
 * uniform_/normal_ values differently.
 */
export { MT19937, MT_N } from "./mt19937.js";
export {
  Generator,
  GeneratorStateError,
  defaultGenerator,
  DEFAULT_RNG_SEED,
  STATE_BYTES,
  manualSeed,
  seed,
  initialSeed,
  getRngState,
  setRngState,
} from "./generator.js";
export {
  uniform,
  uniform24,
  uniform53,
  randint,
  randperm,
  randomDefault,
  type RandomDType,
  bernoulli,
  bernoulliTensor,
  dropoutMask,
  exponential,
  kaimingUniformBound,
  RandomArgumentError,
  type FloatArray,
  type IntegerArray,
} from "./sample.js";
export { normal, normalScalar } from "./normal.js";
export { fma, fmaf } from "./fma.js";
export { log, sincos } from "./libm.js";
