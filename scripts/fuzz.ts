// `npm run fuzz [-- SECONDS]`: the long, on-demand version of test/hostile-fuzz.test.ts. Runs
// the load path (zip + pickle + safetensors + tensor conversion, seeded from the fixtures and the
// hostile corpus) in this process and the native entry points in child processes, seed after
// seed, until the time is up (default 300 s), then prints the figures. Any finding prints its
// seed; reproduce a native one with FUZZ_TRACE=1 node --import tsx test/fuzz-native-child.ts SEED N.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { SerializationError } from "../src/serialization/errors.js";
import { load } from "../src/serialization/save-load.js";
import { fuzzDecode, loadSeeds } from "../test/fuzz-lib.js";

const seconds = Number(process.argv[2] ?? process.env.FUZZ_SECONDS ?? 300);
const root = process.cwd();
const deadline = Date.now() + seconds * 1000;
const seeds = loadSeeds(root);
const addon = existsSync(join(root, "build", "Release", "flint_native.node"));
const totals = {
  loadCases: 0,
  loadRejected: 0,
  loadLoaded: 0,
  loadSlowestMs: 0,
  nativeCalls: 0,
  nativeOk: 0,
  nativeRejected: 0,
  crashes: 0,
  findings: [] as string[],
};

for (let seed = 1000; Date.now() < deadline; seed++) {
  const f = fuzzDecode(
    "load",
    seeds,
    2000,
    seed,
    (b) => load(b),
    (e) => e instanceof SerializationError,
  );
  totals.loadCases += f.cases;
  totals.loadRejected += f.rejected;
  totals.loadLoaded += f.loaded;
  totals.loadSlowestMs = Math.max(totals.loadSlowestMs, f.slowestMs);
  totals.findings.push(...f.findings.map((x) => `load seed ${seed} ${x}`));
  if (!addon || Date.now() >= deadline) continue;
  const n = 20000;
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", join("test", "fuzz-native-child.ts"), String(seed), String(n)],
    { encoding: "utf8", timeout: 120_000 },
  );
  const last = r.stdout.trim().split("\n").at(-1) ?? "";
  if (r.signal !== null || r.status !== 0) {
    totals.crashes++;
    totals.findings.push(`native seed ${seed}: ${r.signal ?? `exit ${r.status}`} after "${last}"`);
    continue;
  }
  const s = JSON.parse(last) as { iterations: number; ok: number; rejected: number; findings: string[] };
  totals.nativeCalls += s.iterations;
  totals.nativeOk += s.ok;
  totals.nativeRejected += s.rejected;
  totals.findings.push(...s.findings.map((x) => `native seed ${seed} ${x}`));
  process.stderr.write(
    `seed ${seed}: ${totals.loadCases} load cases, ${totals.nativeCalls} native calls, ${totals.findings.length} findings\n`,
  );
}
console.log(JSON.stringify({ seconds, ...totals, findings: totals.findings.slice(0, 50) }, null, 1));
process.exitCode = totals.findings.length > 0 ? 1 : 0;
