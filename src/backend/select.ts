// Which backend runs the kernels: the native addon when it loads, else the reference backend
// (saying so once). FLINT_BACKEND=ref forces the reference backend; setBackend switches at run time.
import v8 from "node:v8";
import { type Backend, backend as active, setActiveBackend } from "./backend.js";
import { refBackend } from "./ref/index.js";
import { nativeAddon } from "./native/addon.js";
import { makeNativeBackend } from "./native/index.js";

const addon = nativeAddon();
const native: Backend | null = addon ? makeNativeBackend(addon) : null;

if (native) {
  setActiveBackend(native);
} else {
  setActiveBackend(refBackend);
  if (process.env.FLINT_BACKEND !== "ref") {
    process.emitWarning("the native addon (build/Release/flint_native.node) is not available; running on the slower TypeScript reference backend. Rebuild it with `npm run build:native`.", { code: "FLINT_NO_NATIVE" });
  }
}

/**
 * V8 frees the memory of dead ArrayBuffers (every tensor's storage) on a background thread. On a
 * small machine that thread takes a core away from the native kernels' thread pool in the middle
 * of a call, and a training step on 2 cores gets ~35% slower (bench/cnn.ts: 37 ms against 27 ms).
 * Freeing them on the main thread when a GC finishes costs far less. V8 reads this flag only when
 * it starts such a sweep, so changing it at run time is safe, and Node keeps V8's flags open to
 * v8.setFlagsFromString. It is a process-wide setting, so importing Flint does not do it:
 * torch.tuneProcess() (src/process-tuning.ts; the CLI calls it) does. FLINT_KEEP_V8_FLAGS=1 leaves V8 as it is.
 */
export function freeArrayBuffersOnMainThread(): void {
  if (process.env.FLINT_KEEP_V8_FLAGS === "1") return;
  v8.setFlagsFromString("--no-concurrent-array-buffer-sweeping");
}

/** The name of the active backend: "native" or "ref". */
export const backendName = (): string => active().name;

/** Selects a backend by name; "native" throws when the addon is not available. */
export function setBackend(name: "ref" | "native"): void {
  if (name === "native" && !native) throw new Error("setBackend: the native addon is not available (build it with `npm run build:native`)");
  setActiveBackend(name === "native" ? (native as Backend) : refBackend);
}

/** torch.set_num_threads: threads used by native kernels (the calling thread included). */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`setNumThreads: expected a positive integer, got ${n}`);
  addon?.setNumThreads(n);
}

/** torch.get_num_threads. */
export const getNumThreads = (): number => addon?.getNumThreads() ?? 1;
