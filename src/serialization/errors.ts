import { FlintError } from "../errors.js";
/**
 * Every failure to read or write a file in a supported format is reported as a
 * SerializationError, so callers can tell "bad file" apart from programming errors
 * (the fuzz tests assert that malformed input never raises anything else).
 */
export class SerializationError extends FlintError {
  override name = "SerializationError";
  constructor(message: string) {
    super(message);
  }
}

/** Throws a SerializationError unless `cond` holds; `msg` is built lazily. */
export function check(cond: unknown, msg: string | (() => string)): asserts cond {
  if (!cond) throw new SerializationError(typeof msg === "string" ? msg : msg());
}
