// Node: finds native/wasm/flint.wasm (shipped in the package, so no compiler is needed) and
// instantiates it synchronously. Never throws: null when the file is missing or will not load.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { instantiateKernelsSync, type KernelExports } from "./module.js";

function wasmPath(): string | null {
  // This file lives at src/backend/wasm/ (or dist/src/backend/wasm/): walk up to the package root.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, "native", "wasm", "flint.wasm");
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return null;
}

export function loadKernelsFromDisk(): KernelExports | null {
  const path = wasmPath();
  if (path === null) return null;
  try {
    return instantiateKernelsSync(readFileSync(path));
  } catch {
    return null;
  }
}
