// The step-boundary hook of the tensor storage allocator (native/storage.cc storageStepBoundary),
// kept apart from Node-only code so that the browser build can import it (there it stays unset).
// torch.tuneProcess() installs it with the caching allocator; DistributedDataParallel's reducer
// calls it at the end of each synchronized backward, where that step's activations are dead.
let boundary: (() => boolean) | null = null;

/** Installs (or with null removes) the step-boundary hook; returns the previous one. */
export function setStorageStepBoundary(fn: (() => boolean) | null): (() => boolean) | null {
  const was = boundary;
  boundary = fn;
  return was;
}

/** Tells the storage allocator that a training step's temporaries are dead; true if it collected. */
export function storageStepBoundary(): boolean {
  return boundary !== null && boundary();
}
