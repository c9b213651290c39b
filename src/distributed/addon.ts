// Loader for the flint_gloo addon (build/Release/flint_gloo.node): Gloo's collectives, its
// FileStore, and our TCPStore. binding.gyp builds it only where libgloo-dev is installed, so its
// absence is an expected state with a clear remedy, reported when distributed is first used.
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DistributedError } from "./errors.js";

/** Element codes of the addon: int64 travels as float64 (Flint keeps it in a Float64Array). */
export const enum WireType { Float32 = 0, Float64 = 1, Int32 = 2, Uint8 = 3 }
export const enum WireOp { Sum = 0, Product = 1, Min = 2, Max = 3 }

type Bytes = Uint8Array | string;
export type Wire = Float32Array | Float64Array | Int32Array | Uint8Array;

export interface NativeStore {
  set(key: string, value: Bytes): void;
  get(key: string): Uint8Array;
  add(key: string, delta: number): number;
  wait(keys: readonly string[], timeoutMs?: number): void;
  check(keys: readonly string[]): boolean;
  deleteKey(key: string): boolean;
  numKeys(): number;
  compareSet(key: string, expected: Bytes, desired: Bytes): Uint8Array;
  setTimeout(ms: number): void;
  /** The port the server listens on (master only), else -1. */
  port(): number;
  withPrefix(prefix: string): NativeStore;
  close(): void;
}

export interface NativeWork {
  /** Blocks until the collective has run; throws its error. */
  wait(): void;
  isCompleted(): boolean;
}

export interface NativeGroup {
  allreduce(buf: Wire, type: WireType, op: WireOp): NativeWork;
  reduce(buf: Wire, type: WireType, op: WireOp, root: number): NativeWork;
  broadcast(buf: Wire, type: WireType, root: number): NativeWork;
  allgather(input: Wire, output: Wire, type: WireType): NativeWork;
  gather(input: Wire, output: Wire | null, type: WireType, root: number): NativeWork;
  scatter(inputs: readonly Wire[] | null, output: Wire, type: WireType, root: number): NativeWork;
  alltoall(input: Wire, output: Wire, type: WireType): NativeWork;
  barrier(): NativeWork;
  shutdown(): void;
}

export interface GlooAddon {
  tcpStore(host: string, port: number, isMaster: boolean, timeoutMs: number, waitForWorkers: number): NativeStore;
  fileStore(path: string, timeoutMs: number): NativeStore;
  ProcessGroup: new (store: NativeStore, prefix: string, rank: number, size: number, timeoutMs: number, hostname: string, iface: string) => NativeGroup;
}

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
        "Install libgloo-dev (Debian/Ubuntu: apt-get install libgloo-dev), then rebuild the addon with `npm run build:native`.");
  }
  try {
    cached = createRequire(import.meta.url)(path) as GlooAddon;
  } catch (e) {
    throw new DistributedError(`${op}: cannot load ${path} (${(e as Error).message}); is libgloo-dev (libgloo0) installed?`);
  }
  return cached;
}
