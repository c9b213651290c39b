// Error classes callers can catch; messages name the op and the shapes involved.

export class FlintError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
/** Shapes that do not fit the op (torch raises RuntimeError). */
export class ShapeError extends FlintError {}
/** dtypes the op does not accept. */
export class DTypeError extends FlintError {}
/** An index or dim out of range (torch raises IndexError). */
export class IndexError extends FlintError {}
/** Misuse of autograd: backward through a freed graph, in-place change of a saved tensor … */
export class AutogradError extends FlintError {}
/** A bad argument value. */
export class ValueError extends FlintError {}
/** Tensors on different devices in one op, or values read where the device cannot give them (meta; a GPU synchronously). */
export class DeviceError extends FlintError {}
/** A PyTorch feature Flint does not have (yet); the message names it. */
export class NotImplementedError extends FlintError {}
/**
 * Arguments that do not fit the signature: too many positional ones, a name given twice, a
 * missing required one, an unknown name (torch raises TypeError). A ValueError, so code that
 * caught bad options as ValueError before keeps working.
 */
export class ArgumentError extends ValueError {}

export const fmtShape = (s: readonly number[]): string => `[${s.join(", ")}]`;
