// The error of a failed DataLoader worker, in a module of its own: the public types of
// flint/utils/data must not reach the worker machinery, whose types need Node's.
import { FlintError } from "../../errors.js";

/** A worker failed, died, or took longer than the DataLoader's timeout (FlintError names it). */
export class DataLoaderWorkerError extends FlintError {}
