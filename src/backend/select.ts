// Which backend runs the kernels: the native addon when it loads, else the reference backend
// (saying so once). FLINT_BACKEND=ref forces the reference backend; setBackend switches at run time.
import { type Backend, backend as active, setActiveBackend } from "./backend.js";
import { refBackend } from "./ref/index.js";
import { nativeAddon } from "./native/addon.js";
import { makeNativeBackend } from "./native/index.js";

const addon = nativeAddon();
const native: Backend | null = addon ? makeNativeBackend(addon) : null;

if (native) setActiveBackend(native);
else {
  setActiveBackend(refBackend);
  if (process.env.FLINT_BACKEND !== "ref") {
    process.emitWarning("the native addon (build/Release/flint_native.node) is not available; running on the slower TypeScript reference backend. Rebuild it with `npm run build:native`.", { code: "FLINT_NO_NATIVE" });
  }
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
