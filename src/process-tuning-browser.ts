// The browser build's torch.tuneProcess (package.json "browser" map over ./process-tuning.ts): a
// page has no glibc malloc or V8 flags to tune, so nothing is applied and it says so.
import type { TuneProcessOptions, TuneProcessResult } from "./process-tuning.js";

export type { TuneProcessOptions, TuneProcessResult };

export function tuneProcess(_options: TuneProcessOptions = {}): TuneProcessResult {
  return { malloc: false, v8: false, storage: false };
}
