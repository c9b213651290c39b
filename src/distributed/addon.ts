// Loader for the flint_gloo addon (build/Release/flint_gloo.node): Gloo's collectives, its
// FileStore, and our TCPStore. binding.gyp builds it only where libgloo-dev is installed, so its
// absence is an expected state with a clear remedy, reported when distributed is first used.
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { hostname } from "node:os";
import { fileURLToPath } from "node:url";
import { DistributedError } from "./errors.js";

import type { GlooAddon } from "./addon-types.js";
export * from "./addon-types.js";

let cached: GlooAddon | null = null;

function addonPath(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, "build", "Release", "flint_gloo.node");
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return null;
}

/** The Gloo addon; throws (naming `op` and the package to install) when it is not built. */
export function glooAddon(op: string): GlooAddon {
  if (cached !== null) return cached;
  // FLINT_SKIP_GLOO=1 acts as if Gloo were not installed (as scripts/has-gloo.cjs does at build time).
  const path = process.env.FLINT_SKIP_GLOO === "1" ? null : addonPath();
  if (path === null) {
    throw new DistributedError(
      `${op}: the Gloo backend is not available: Flint's flint_gloo addon is built only when Gloo is installed. ` +
        "Install libgloo-dev (Debian/Ubuntu: apt-get install libgloo-dev), then rebuild the addon with `npm run build:native`.",
    );
  }
  try {
    cached = createRequire(import.meta.url)(path) as GlooAddon;
  } catch (e) {
    throw new DistributedError(
      `${op}: cannot load ${path} (${(e as Error).message}); is libgloo-dev (libgloo0) installed?`,
    );
  }
  return cached;
}

/** This machine's name, for Gloo's TCP device (the browser build has no such thing). */
export const localHostname = (): string => hostname();
