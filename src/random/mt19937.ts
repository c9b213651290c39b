/**
 * The 32-bit Mersenne Twister exactly as PyTorch's `at::mt19937` runs it (ATen/core/MT19937RNGEngine.h).
 *
 * The output sequence is the standard mt19937 one, but the bookkeeping mirrors ATen's `left_` / `next_`
 * fields (rather than a single index) so that `Generator.getState()` can write the same bytes as
 * `torch.get_rng_state()`. Arithmetic is plain Uint32 / Math.imul: no BigInt in the hot path.
 */

export const MT_N = 624;
const MT_M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

export class MT19937 {
  /** The 624-word state vector. */
  readonly state = new Uint32Array(MT_N);
  /** ATen's `left_`: when it drops to 0 the state is regenerated. 1 right after seeding. */
  left = 1;
  /** ATen's `next_`: index of the next word to temper and return. */
  next = 0;

  constructor(seed = 5489) {
    this.seed(seed);
  }

  /**
   * ATen's `init_with_uint32`: only the low 32 bits of the seed enter the state (PyTorch keeps the
   * full 64-bit seed separately, for `initial_seed()`), so seeds s and s + 2^32 give the same stream.
   */
  seed(seed32: number): void {
    const s = this.state;
    s[0] = seed32 >>> 0;
    for (let j = 1; j < MT_N; j++) {
      const prev = s[j - 1];
      // 1812433253 * (prev ^ (prev >> 30)) + j, modulo 2^32.
      s[j] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + j) >>> 0;
    }
    this.left = 1;
    this.next = 0;
  }

  /** Regenerates all 624 words (ATen's `next_state`). */
  private twist(): void {
    const s = this.state;
    let kk = 0;
    for (; kk < MT_N - MT_M; kk++) {
      const y = (s[kk] & UPPER_MASK) | (s[kk + 1] & LOWER_MASK);
      s[kk] = s[kk + MT_M] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    for (; kk < MT_N - 1; kk++) {
      const y = (s[kk] & UPPER_MASK) | (s[kk + 1] & LOWER_MASK);
      s[kk] = s[kk + (MT_M - MT_N)] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    const y = (s[MT_N - 1] & UPPER_MASK) | (s[0] & LOWER_MASK);
    s[MT_N - 1] = s[MT_M - 1] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    this.left = MT_N;
    this.next = 0;
  }

  /** Next 32-bit output, as an unsigned integer in [0, 2^32). */
  nextUint32(): number {
    if (--this.left === 0) this.twist();
    let y = this.state[this.next++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  copyFrom(other: MT19937): void {
    this.state.set(other.state);
    this.left = other.left;
    this.next = other.next;
  }
}
