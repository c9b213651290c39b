// copy.deepcopy for modules, as torch's _get_clones uses it: a new module of the same class whose
// parameters and buffers are copies (same values, new storage), submodules cloned recursively, and
// plain data (numbers, strings, arrays, maps, plain objects) copied; functions are shared, as
// Python's deepcopy shares them. Objects referenced twice are cloned once (deepcopy's memo), so a
// parameter shared by two submodules stays shared in the copy. Hooks are not copied.
import { Tensor } from "../tensor.js";
import { noGrad } from "../autograd/grad-mode.js";
import { Module } from "./module.js";
import { Parameter } from "./parameter.js";

/** A deep copy of a module (torch's copy.deepcopy(module)). */
export function deepcopyModule<M extends Module>(m: M): M {
  return copyValue(m, new Map()) as M;
}

function copyTensor(t: Tensor): Tensor {
  const c = noGrad(() => t.detach().clone());
  if (t instanceof Parameter) return new Parameter(c, t.requiresGrad);
  if (t.requiresGrad) c.requiresGrad_(true);
  return c;
}

function copyModule(m: Module, memo: Map<unknown, unknown>): Module {
  // Module's constructor alone (not the subclass's) builds the callable shell with the subclass's
  // prototype; the subclass's own properties are then copied in their definition order.
  const c = Reflect.construct(Module as unknown as new () => Module, [], m.constructor) as Module;
  memo.set(m, c);
  const buffers = new Map(m.namedBuffers("", false));
  const persistent = new Set(Object.keys(m.stateDict()).filter((k) => !k.includes(".")));
  const src = m as unknown as Record<string, unknown>;
  const dst = c as unknown as Record<string, unknown>;
  for (const k of Object.keys(m)) {
    const v = src[k];
    if (v instanceof Tensor && buffers.get(k) === v)
      c.registerBuffer(k, copyValue(v, memo) as Tensor, persistent.has(k));
    else dst[k] = copyValue(v, memo);
  }
  // (A buffer declared as null is copied as a plain null property.)
  c.training = m.training;
  return c;
}

function copyValue(v: unknown, memo: Map<unknown, unknown>): unknown {
  if (v === null || (typeof v !== "object" && typeof v !== "function")) return v;
  if (memo.has(v)) return memo.get(v);
  let out: unknown;
  if (v instanceof Module) return copyModule(v, memo);
  if (v instanceof Tensor) {
    out = copyTensor(v);
    if (v.grad) (out as Tensor).grad = copyTensor(v.grad);
  } else if (typeof v === "function") {
    out = v;
  } else if (Array.isArray(v)) {
    const a: unknown[] = [];
    memo.set(v, a);
    for (const x of v) a.push(copyValue(x, memo));
    return a;
  } else if (v instanceof Map) {
    const mp = new Map();
    memo.set(v, mp);
    for (const [k, x] of v) mp.set(k, copyValue(x, memo));
    return mp;
  } else if (v instanceof Set) {
    out = new Set([...v].map((x) => copyValue(x, memo)));
  } else if (Object.getPrototypeOf(v) === Object.prototype) {
    const o: Record<string, unknown> = {};
    memo.set(v, o);
    for (const [k, x] of Object.entries(v)) o[k] = copyValue(x, memo);
    return o;
  } else {
    out = v; // other class instances (generators, datasets …) are shared
  }
  memo.set(v, out);
  return out;
}
