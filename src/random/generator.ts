/**
 * `torch.Generator` for the CPU: PyTorch's CPUGeneratorImpl (ATen/CPUGeneratorImpl.cpp) in TypeScript.
 *
 * State = an mt19937 engine + the 64-bit seed it was made from + the cached second Box-Muller sample
 * that PyTorch's scalar normal sampler keeps between calls (`next_double_normal_sample`), plus the
 * float twin PyTorch also keeps (unused by 1.13's CPU kernels, carried for state fidelity).
 */

import { MT19937, MT_N } from "./mt19937.js";
import { FlintError } from "../errors.js";

/** PyTorch's `default_rng_seed_val`: the seed of a `torch.Generator()` constructed without one. */
export const DEFAULT_RNG_SEED = 67280421310721n;

/** Size in bytes of PyTorch 1.13's CPU generator state (`torch.get_rng_state().numel()`). */
export const STATE_BYTES = 5056;

const TWO32 = 4294967296;
const MASK64 = (1n << 64n) - 1n;

export class GeneratorStateError extends FlintError {
  override name = "GeneratorStateError";
}

function toUint64(seed: number | bigint, op: string): bigint {
  if (typeof seed === "number") {
    if (!Number.isInteger(seed)) throw new RangeError(`${op}: seed must be an integer, got ${seed}`);
    seed = BigInt(seed);
  }
  if (seed < -(1n << 63n) || seed > MASK64) {
    throw new RangeError(`${op}: seed must fit in 64 bits (signed or unsigned), got ${seed}`);
  }
  // PyTorch reinterprets a negative int64 seed as its two's-complement uint64.
  return BigInt.asUintN(64, seed);
}

function fromUint64(v: bigint): number | bigint {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

export class Generator {
  readonly engine = new MT19937();
  private seedValue = DEFAULT_RNG_SEED;
  /** Second sample of the last scalar Box-Muller pair (PyTorch's next_double_normal_sample_). */
  nextDoubleNormalSample: number | null = null;
  /** PyTorch's next_float_normal_sample_ (not used by CPU kernels in 1.13; kept in the state). */
  nextFloatNormalSample: number | null = null;
  readonly device = "cpu";

  constructor(seed: number | bigint = DEFAULT_RNG_SEED) {
    this.manualSeed(seed);
  }

  /** torch.Generator.manual_seed: negative seeds are taken modulo 2^64, like PyTorch. */
  manualSeed(seed: number | bigint): this {
    const s = toUint64(seed, "manualSeed");
    this.seedValue = s;
    this.nextDoubleNormalSample = null;
    this.nextFloatNormalSample = null;
    this.engine.seed(Number(s & 0xffffffffn));
    return this;
  }

  /** torch.Generator.seed: reseeds from a non-deterministic 64-bit source and returns the seed. */
  seed(): number | bigint {
    const words = new Uint32Array(2);
    globalThis.crypto.getRandomValues(words);
    const s = (BigInt(words[0]) << 32n) | BigInt(words[1]);
    this.manualSeed(s);
    return fromUint64(s);
  }

  /** The seed last given (a number when it is a safe integer, else a bigint). */
  initialSeed(): number | bigint {
    return fromUint64(this.seedValue);
  }

  /** CPUGeneratorImpl::random(): one 32-bit draw, in [0, 2^32). */
  random(): number {
    return this.engine.nextUint32();
  }

  /** CPUGeneratorImpl::random64(): two 32-bit draws, the FIRST one is the high word. */
  random64(): bigint {
    const hi = this.engine.nextUint32();
    const lo = this.engine.nextUint32();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /**
   * The state in PyTorch 1.13's byte layout (CPUGeneratorImplState, little-endian, 5056 bytes), so
   * `gen.setState(bytes of torch.get_rng_state())` and the reverse work:
   *   0  u64 initial seed | 8 i32 left | 12 i32 seeded (1) | 16 u64 next | 24 u64[624] mt state
   *   5016 f64 normal_x (0) | 5024 f64 normal_y = cached double normal | 5032 f64 normal_rho (0)
   *   5040 i32 normal_is_valid | 5048 f32 next float normal | 5052 u8 float normal valid | pad to 5056
   */
  getState(): Uint8Array {
    const out = new Uint8Array(STATE_BYTES);
    const dv = new DataView(out.buffer);
    dv.setBigUint64(0, this.seedValue, true);
    dv.setInt32(8, this.engine.left, true);
    dv.setInt32(12, 1, true);
    dv.setUint32(16, this.engine.next, true);
    for (let i = 0; i < MT_N; i++) dv.setUint32(24 + 8 * i, this.engine.state[i], true);
    if (this.nextDoubleNormalSample !== null) {
      dv.setFloat64(5024, this.nextDoubleNormalSample, true);
      dv.setInt32(5040, 1, true);
    }
    if (this.nextFloatNormalSample !== null) {
      dv.setFloat32(5048, this.nextFloatNormalSample, true);
      out[5052] = 1;
    }
    return out;
  }

  /** Restores a state written by getState() or by torch.get_rng_state(). */
  setState(state: Uint8Array): this {
    if (state.length !== STATE_BYTES) {
      throw new GeneratorStateError(
        `setState: expected a ${STATE_BYTES}-byte CPU generator state, got ${state.length} bytes`,
      );
    }
    const dv = new DataView(state.buffer, state.byteOffset, state.byteLength);
    const left = dv.getInt32(8, true);
    const next = dv.getUint32(16, true) + dv.getUint32(20, true) * TWO32;
    if (left < 1 || left > MT_N || next > MT_N) {
      throw new GeneratorStateError(`setState: corrupt mt19937 position (left=${left}, next=${next})`);
    }
    this.seedValue = dv.getBigUint64(0, true);
    for (let i = 0; i < MT_N; i++) this.engine.state[i] = dv.getUint32(24 + 8 * i, true);
    this.engine.left = left;
    this.engine.next = next;
    this.nextDoubleNormalSample = dv.getInt32(5040, true) !== 0 ? dv.getFloat64(5024, true) : null;
    this.nextFloatNormalSample = state[5052] !== 0 ? dv.getFloat32(5048, true) : null;
    return this;
  }

  /** An independent copy (same state). */
  clone(): Generator {
    const g = new Generator();
    g.setState(this.getState());
    return g;
  }
}

/**
 * The default CPU generator used when no generator is passed (torch.default_generator). Like
 * PyTorch's (getDefaultCPUGenerator seeds from c10::detail::getNonDeterministicRandom), it starts
 * from a non-deterministic seed: call manualSeed for repeatable streams.
 */
export const defaultGenerator = new Generator();
defaultGenerator.seed();

/** torch.manual_seed: seeds the default generator and returns it. */
export function manualSeed(seed: number | bigint): Generator {
  return defaultGenerator.manualSeed(seed);
}

/** torch.seed: reseeds the default generator non-deterministically and returns the seed. */
export function seed(): number | bigint {
  return defaultGenerator.seed();
}

/** torch.initial_seed: the default generator's seed. */
export function initialSeed(): number | bigint {
  return defaultGenerator.initialSeed();
}

/** torch.get_rng_state: the default generator's state (5056 bytes, PyTorch's layout). */
export function getRngState(): Uint8Array {
  return defaultGenerator.getState();
}

/** torch.set_rng_state. */
export function setRngState(state: Uint8Array): void {
  defaultGenerator.setState(state);
}
