/**
 * Converts an object graph (lists, tuples, dicts) from one representation to another without
 * recursion and without expanding shared objects: every container is converted once, its shell
 * is registered before its children are filled, so shared references stay shared (a 724-byte
 * pickle whose lists share each other 40 levels deep stays 40 objects, not 2^40), cycles stay
 * cycles, and nesting depth costs heap, not JS stack. Total work is bounded by `maxEdges`.
 */
import { SerializationError } from "./errors.js";

/** How one input value converts: a leaf value, or a container shell plus a filler for it. */
export type Converted<O> = { leaf: O } | { shell: O; fill: (get: (child: unknown) => O) => void };

/**
 * The default bound on container entries visited in one conversion. Each entry of the input
 * pickle costs at least one byte, so a legitimate file never comes close; it guards against
 * inputs built in memory (or by another reader) that are far larger.
 */
export const DEFAULT_MAX_EDGES = 100_000_000;

export function convertGraph<O>(
  root: unknown,
  convert: (v: unknown) => Converted<O>,
  what: string,
  maxEdges = DEFAULT_MAX_EDGES,
): O {
  const seen = new Map<object, O>();
  const pending: (() => void)[] = [];
  let edges = 0;
  const get = (v: unknown): O => {
    if (++edges > maxEdges) {
      throw new SerializationError(`${what}: object graph has more than ${maxEdges} entries; refusing to convert it`);
    }
    if (typeof v === "object" && v !== null) {
      const done = seen.get(v);
      if (done !== undefined) return done;
    }
    const c = convert(v);
    if ("leaf" in c) {
      // A shared leaf object (the same tensor twice) converts to one shared result.
      if (typeof v === "object" && v !== null) seen.set(v, c.leaf);
      return c.leaf;
    }
    seen.set(v as object, c.shell);
    pending.push(() => c.fill(get));
    return c.shell;
  };
  const out = get(root);
  // Fill shells in LIFO order: children are filled after their parent, with an explicit stack.
  for (let job = pending.pop(); job; job = pending.pop()) job();
  return out;
}
