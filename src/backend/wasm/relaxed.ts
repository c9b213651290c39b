// Which build of the WebAssembly kernels an engine can run: the relaxed-SIMD files
// (flint-relaxed.wasm, flint-mt-relaxed.wasm: the GEMM micro-kernel fused-multiply-adds with
// f32x4.relaxed_madd, as the native addon's AVX2/AVX-512 kernels do) where the engine validates
// relaxed SIMD (Chromium >= 114, Firefox >= 120, Node >= 22; Node 20 with
// --experimental-wasm-relaxed-simd), else the plain SIMD128 ones. No Node imports.

/**
 * The smallest module that uses relaxed SIMD: one function returning
 * f32x4.relaxed_madd(v128.const 0, v128.const 0, v128.const 0).
 */
const zeros = (): number[] => [0xfd, 0x0c, ...new Array<number>(16).fill(0)]; // v128.const 0
const PROBE = new Uint8Array([
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // "\0asm", version 1
  ...[0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b], // types: () -> v128
  ...[0x03, 0x02, 0x01, 0x00], // one function of type 0
  ...[0x0a, 0x3d, 0x01, 0x3b, 0x00, ...zeros(), ...zeros(), ...zeros(), 0xfd, 0x85, 0x02, 0x0b], // its body
]);

type Validate = { validate(bytes: Uint8Array): boolean };

/** Whether this engine validates relaxed-SIMD instructions. */
export function relaxedSimdSupported(): boolean {
  try {
    return (globalThis as { WebAssembly?: Validate }).WebAssembly?.validate(PROBE) === true;
  } catch {
    return false;
  }
}

/** The file name of a build: flint[-mt][-relaxed].wasm. */
export const wasmFileName = (threaded: boolean, relaxed: boolean): string =>
  `flint${threaded ? "-mt" : ""}${relaxed ? "-relaxed" : ""}.wasm`;
