// `npm install` hook: builds the native kernels addon with node-gyp. If the build fails (no
// compiler, no headers, unsupported platform) it prints one warning and exits 0, so installing
// Flint never fails: Flint then runs on its pure-TypeScript backend.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

function warn(reason) {
  console.warn(`flint: native addon not built (${reason}); using the TypeScript backend.`);
  process.exit(0);
}

if (process.env.FLINT_SKIP_NATIVE === "1") process.exit(0);

// npm exposes its bundled node-gyp to scripts through npm_config_node_gyp; otherwise try the
// one next to npm, then a node-gyp on PATH.
function nodeGypCommand() {
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && existsSync(fromNpm)) return [process.execPath, [fromNpm]];
  try {
    const require = createRequire(import.meta.url);
    return [process.execPath, [require.resolve("node-gyp/bin/node-gyp.js")]];
  } catch {
    const bundled = join(dirname(process.execPath), "..", "lib", "node_modules", "npm", "node_modules",
      "node-gyp", "bin", "node-gyp.js");
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
