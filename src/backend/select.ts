// Which backend runs the kernels: the reference backend unless a faster one registers.
import { type Backend, backend as active, setActiveBackend } from "./backend.js";
import { refBackend } from "./ref/index.js";

setActiveBackend(refBackend);

/** The name of the active backend ("ref" or "native"). */
export const backendName = (): string => active().name;

export function setBackend(b: Backend | "ref"): void {
  setActiveBackend(b === "ref" ? refBackend : b);
}
