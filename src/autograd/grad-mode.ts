// Whether operations are recorded for autograd (torch.is_grad_enabled and friends).

let enabled = true;

export const isGradEnabled = (): boolean => enabled;

export function setGradEnabled(mode: boolean): void {
  enabled = mode;
}

function withMode<T>(mode: boolean, fn: () => T): T {
  const prev = enabled;
  enabled = mode;
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}

/** Runs fn without recording operations for autograd (torch.no_grad). */
export const noGrad = <T>(fn: () => T): T => withMode(false, fn);
/** Runs fn with recording enabled, even inside noGrad (torch.enable_grad). */
export const enableGrad = <T>(fn: () => T): T => withMode(true, fn);
/** torch.inference_mode: the same as noGrad here. */
export const inferenceMode = noGrad;
