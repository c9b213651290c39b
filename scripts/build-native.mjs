// `npm install` hook: builds the native kernels addon with node-gyp. If the build fails (no
// compiler, no headers, unsupported platform) it prints one warning and exits 0, so installing
// Flint never fails: Flint then runs on the WebAssembly build of the same kernels (shipped).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

function warn(reason) {
  console.warn(
    `flint: native addon not built (${reason}); using the WebAssembly build of its kernels (one thread, several times slower; see README).`,
  );
  process.exit(0);
}

if (process.env.FLINT_SKIP_NATIVE === "1") process.exit(0);

// Reuse a built addon: the stamp next to it records the sources, binding.gyp, Node's ABI and the
// CPU architecture it was built from; when they are unchanged, `npm install` (in a dependent app
// too) does not compile again. FLINT_REBUILD_NATIVE=1 forces a build.
const addon = join(root, "build", "Release", "flint_native.node");
const stampFile = join(root, "build", "Release", "flint_native.stamp");
// binding.gyp adds the flint_gloo addon (torch.distributed) when Gloo is installed: installing
// libgloo-dev later must rebuild, and an up-to-date build must include it.
const glooAddon = join(root, "build", "Release", "flint_gloo.node");
const wantGloo =
  spawnSync(process.execPath, [join(root, "scripts", "has-gloo.cjs")], { encoding: "utf8" }).stdout?.trim() === "1";
function sourceStamp() {
  const hash = createHash("sha256");
  hash.update(`${process.versions.modules} ${process.platform} ${process.arch} gloo=${wantGloo}\n`);
  const files = [
    "binding.gyp",
    ...readdirSync(join(root, "native"), { recursive: true }).map((f) => join("native", String(f))),
  ]
    .filter((f) => /\.(gyp|cc|h|c|cpp|hpp)$/.test(f))
    .sort();
  for (const f of files) hash.update(f).update(readFileSync(join(root, f)));
  return hash.digest("hex");
}
const stamp = sourceStamp();
if (
  process.env.FLINT_REBUILD_NATIVE !== "1" &&
  existsSync(addon) &&
  (!wantGloo || existsSync(glooAddon)) &&
  existsSync(stampFile) &&
  readFileSync(stampFile, "utf8").trim() === stamp
) {
  console.log("flint: native addon is up to date (build/Release/flint_native.node)");
  process.exit(0);
}
console.log("flint: building the native addon with node-gyp (about a minute on 2 cores)...");
const started = Date.now();

// npm exposes its bundled node-gyp to scripts through npm_config_node_gyp; otherwise try the
// one next to npm, then a node-gyp on PATH.
function nodeGypCommand() {
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && existsSync(fromNpm)) return [process.execPath, [fromNpm]];
  try {
    const require = createRequire(import.meta.url);
    return [process.execPath, [require.resolve("node-gyp/bin/node-gyp.js")]];
  } catch {
    const bundled = join(
      dirname(process.execPath),
      "..",
      "lib",
      "node_modules",
      "npm",
      "node_modules",
      "node-gyp",
      "bin",
      "node-gyp.js",
    );
    return existsSync(bundled) ? [process.execPath, [bundled]] : ["node-gyp", []];
  }
}

// Prefer the headers installed next to this node (distribution packages ship them) over a
// download from nodejs.org, which may be unreachable.
function nodedirArgs() {
  if (process.env.npm_config_nodedir) return [];
  const prefix = join(dirname(process.execPath), "..");
  return existsSync(join(prefix, "include", "node", "node_api.h")) ? [`--nodedir=${prefix}`] : [];
}

const [cmd, pre] = nodeGypCommand();
const quiet = process.env.FLINT_NATIVE_VERBOSE !== "1";
const result = spawnSync(cmd, [...pre, "rebuild", ...nodedirArgs(), ...(quiet ? ["--silent"] : [])], {
  cwd: root,
  stdio: quiet ? ["ignore", "ignore", "pipe"] : "inherit",
  encoding: "utf8",
});
if (result.error) warn(result.error.message);
if (result.status !== 0) {
  const lastLines = (result.stderr ?? "").trim().split("\n").slice(-1).join(" ");
  warn(`node-gyp exited with ${result.status}${lastLines ? `: ${lastLines}` : ""}`);
}
writeFileSync(stampFile, `${stamp}\n`);
console.log(`flint: native addon built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
