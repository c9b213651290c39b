// Typed loader for the native CPU kernels addon (build/Release/flint_native.node, built by
// `npm install` through scripts/build-native.mjs). Every kernel works in place on the typed
// arrays it is given (zero-copy); sizes and offsets are element counts. Loading never throws:
// when the addon is missing, fails to load, or FLINT_BACKEND=ref is set, nativeAddon() is null
// and Flint runs on the TypeScript reference backend.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import type { NativeAddon } from "./addon-api.js";

export type { OpCode, IndexArray, NativeAddon } from "./addon-api.js";

let cached: NativeAddon | null | undefined;

function addonPath(): string | null {
  // This file lives at src/backend/native/ (or dist/src/backend/native/ once compiled): walk up
  // to the package root, the directory that holds binding.gyp's build/ output.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, "build", "Release", "flint_native.node");
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return null;
}

/** The native addon, or null when it is not built, cannot load, or FLINT_BACKEND=ref. */
export function nativeAddon(): NativeAddon | null {
  if (cached !== undefined) return cached;
  cached = null;
  if (process.env.FLINT_BACKEND === "ref") return cached;
  const path = addonPath();
  if (path === null) return cached;
  try {
    const require = createRequire(import.meta.url);
    const loaded = require(path) as Partial<NativeAddon>;
    // An addon built before the kernels were named (no op-name lists) is stale: its opcodes
    // cannot be resolved, so it is not used.
    if (!Array.isArray(loaded.unaryOps) || !Array.isArray(loaded.binaryOps)) {
      process.emitWarning(`the native addon at ${path} is out of date (no op-name lists); rebuild it with \`npm run build:native\``, { code: "FLINT_STALE_NATIVE" });
      return cached;
    }
    cached = loaded as NativeAddon;
  } catch {
    cached = null;
  }
  return cached;
}
