// The relaxed-SIMD builds (native/wasm/flint-relaxed.wasm, flint-mt-relaxed.wasm): the loader's
// probe agrees with what the engine validates; under an engine with relaxed SIMD (this Node, or
// Node 20 with --experimental-wasm-relaxed-simd in a child process) the loader picks them unless
// told not to, and their GEMM (f32x4.relaxed_madd) equals the native addon's AVX2/AVX-512 FMA
// kernels bit for bit on one K block, where the plain build (multiply, then add) does not.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { relaxedSimdSupported, wasmFileName } from "../src/backend/wasm/relaxed.js";

const dir = join(import.meta.dirname, "..", "native", "wasm");
const validate = (name: string): boolean =>
  (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly.validate(
    readFileSync(join(dir, name)),
  );

test("the relaxed-SIMD probe agrees with what the engine validates", () => {
  assert.equal(validate("flint.wasm"), true);
  assert.equal(validate("flint-mt.wasm"), true);
  assert.equal(validate("flint-relaxed.wasm"), relaxedSimdSupported());
  assert.equal(validate("flint-mt-relaxed.wasm"), relaxedSimdSupported());
  assert.deepEqual(
    [wasmFileName(false, false), wasmFileName(true, false), wasmFileName(false, true), wasmFileName(true, true)],
    ["flint.wasm", "flint-mt.wasm", "flint-relaxed.wasm", "flint-mt-relaxed.wasm"],
  );
});

test("with relaxed SIMD, the loader picks the relaxed build, whose GEMM equals the native addon's FMA", () => {
  // The flag where this engine needs it: it lacks relaxed SIMD, or has it only through the flag.
  const flag = "--experimental-wasm-relaxed-simd";
  const flags = relaxedSimdSupported() && !process.execArgv.includes(flag) ? [] : [flag];
  const { FLINT_WASM_RELAXED: _, ...env } = process.env;
  const stdout = execFileSync(
    process.execPath,
    [...flags, "--import", "tsx", join(import.meta.dirname, "wasm-relaxed-child.ts")],
    {
      env,
      encoding: "utf8",
    },
  );
  const r = JSON.parse(stdout.trim().split("\n").at(-1) as string) as {
    probe: boolean;
    auto: string;
    plain: string;
    maxRelVsFloat64: number;
    relaxedVsPlainDiffer: number;
    relaxedVsNativeDiffer?: Record<string, number>;
    variantsDiffer: number;
  };
  assert.equal(r.probe, true);
  assert.equal(r.auto, "flint-mt-relaxed.wasm");
  assert.equal(r.plain, "flint-mt.wasm");
  assert.ok(r.maxRelVsFloat64 < 1e-5, `relaxed GEMM vs float64: ${r.maxRelVsFloat64}`);
  // Fused and unfused multiply-adds round differently: most of the 48 x 96 results differ.
  assert.ok(r.relaxedVsPlainDiffer > 100, `relaxed and plain differ in ${r.relaxedVsPlainDiffer} elements`);
  assert.equal(r.variantsDiffer, 0, "the relaxed build's GEMM variants a and b differ");
  for (const [isa, n] of Object.entries(r.relaxedVsNativeDiffer ?? {}))
    assert.equal(n, 0, `the relaxed wasm GEMM differs from the native ${isa} kernel in ${n} elements`);
});
