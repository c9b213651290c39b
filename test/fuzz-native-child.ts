// Child process of the native fuzz (test/hostile-fuzz.test.ts, scripts/fuzz.ts): calls the
// addon's entry points with seeded random arguments. Every call must return or throw an Error
// naming its kernel ("sgemm: …"); anything else is printed as a finding. A crash kills this
// process, and the parent reports the seed and the last call index (FUZZ_TRACE=1 prints each
// call's arguments before making it, to reproduce).
import { createRequire } from "node:module";
import { join } from "node:path";
import { NATIVE_SIGNATURES, mulberry32, nativeArgs } from "./fuzz-lib.js";

type Fn = (...args: unknown[]) => unknown;
const addon = createRequire(import.meta.url)(join(process.cwd(), "build", "Release", "flint_native.node")) as Record<
  string,
  Fn
>;
const [seed, iterations] = [Number(process.argv[2] ?? 1), Number(process.argv[3] ?? 1000)];
const trace = process.env.FUZZ_TRACE === "1";
const names = Object.keys(NATIVE_SIGNATURES);
const rand = mulberry32(seed);
addon.setNumThreads(2);
let ok = 0,
  rejected = 0;
const findings: string[] = [];
const show = (v: unknown): string =>
  ArrayBuffer.isView(v)
    ? `${v.constructor.name}(${(v as Float32Array).length})`
    : typeof v === "bigint"
      ? `${v}n`
      : (JSON.stringify(v) ?? String(v));
for (let i = 0; i < iterations; i++) {
  const fn = names[Math.floor(rand() * names.length)];
  const args = nativeArgs(fn, rand);
  if (trace) process.stdout.write(`call ${i} ${fn}(${args.map(show).join(", ")})\n`);
  else if (i % 200 === 0) process.stdout.write(`at ${i}\n`);
  try {
    addon[fn](...args);
    ok++;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (e instanceof Error && msg.startsWith(`${fn}: `)) rejected++;
    else findings.push(`call ${i} ${fn}(${args.map(show).join(", ")}) threw ${String(e)}`);
  }
}
process.stdout.write(
  JSON.stringify({ seed, iterations, ok, rejected, findingCount: findings.length, findings: findings.slice(0, 20) }) +
    "\n",
);
