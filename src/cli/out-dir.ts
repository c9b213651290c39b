// The output folder of a run, checked before any work: it must be a folder we can create files
// in (a path under /proc or a read-only mount fails here at once, not after an epoch of
// training), and saves that a killed run left half-done (orphaned .tmp files) are removed.
import { closeSync, mkdirSync, openSync, statSync, unlinkSync } from "node:fs";
import { join, resolve } from "node:path";
import { removeOrphanedTemps } from "../serialization/atomic.js";
import { UsageError } from "./args.js";

/** Kernel pseudo file systems: nothing a run writes can be kept there. */
const PSEUDO_FS = /^\/(proc|sys|dev)(\/|$)/;

/** Checks (and creates) `out`; returns the names of orphaned temporary files it removed. */
export function prepareOutDir(out: string, command: string): string[] {
  const abs = resolve(out);
  const pseudo = PSEUDO_FS.exec(abs);
  if (pseudo)
    throw new UsageError(
      `--out ${out}: a run cannot be kept under /${pseudo[1]} (a kernel pseudo file system)`,
      command,
    );
  try {
    mkdirSync(abs, { recursive: true });
    if (!statSync(abs).isDirectory()) throw new Error("not a directory");
    // A real write: permissions and read-only mounts show only when tried.
    const probe = join(abs, `.flint-write-test.${process.pid}`);
    closeSync(openSync(probe, "w"));
    unlinkSync(probe);
  } catch (e) {
    throw new UsageError(`--out ${out}: cannot write a run there: ${(e as Error).message}`, command);
  }
  return removeOrphanedTemps(abs);
}
