// nn.Module. Parameters, buffers and submodules are discovered from the instance's own
// enumerable properties in definition order (class fields included), every time they are
// asked for: class fields are assigned after the base constructor runs, so nothing can be
// registered eagerly, and walking the properties keeps later reassignments visible too.
// Internal state lives under a symbol key, which Object.keys never lists.
import type { DType } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { ShapeError, ValueError, fmtShape } from "../errors.js";
import { isGradEnabled, noGrad } from "../autograd/grad-mode.js";
import { storageStepBoundary } from "../storage-step.js";
import { zeroGradOf } from "../autograd/zero-grad.js";
import { Parameter } from "./parameter.js";
import { parseArgs } from "../ops/util.js";
import { type ToOptions, parseTo } from "../ops/cast.js";
import { type DeviceLike, deviceTypeOf, refuseCuda } from "../device.js";
import type { DeviceType } from "../storage.js";
import { emptyOn, toDevice } from "../ops/device-copy.js";

const STATE = Symbol("flint.nn.Module.state");

type ForwardHook = (module: Module, input: unknown[], output: unknown) => unknown;
type ForwardPreHook = (module: Module, input: unknown[]) => unknown;

interface ModuleState {
  training: boolean;
  buffers: Set<string>;
  nonPersistent: Set<string>;
  forwardHooks: Map<number, ForwardHook>;
  preHooks: Map<number, ForwardPreHook>;
}

let nextHookId = 0;

/** Whether a module has forward hooks or pre-hooks (a fused path that skips its forward must not). */
export function hasForwardHooks(m: Module): boolean {
  const st = (m as unknown as Record<symbol, ModuleState>)[STATE];
  return st.forwardHooks.size > 0 || st.preHooks.size > 0;
}

/** Returned by registerForwardHook / registerForwardPreHook. */
export interface RemovableHandle {
  id: number;
  remove(): void;
}

export interface LoadResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

export type StateDict = Record<string, Tensor>;

/**
 * Modules are callable, as in PyTorch: `model(x)` is `model.call(x)` (forward with hooks), typed
 * by the subclass's own forward signature. The merge is deliberate: a class cannot declare a call
 * signature, and the constructor below is what makes instances callable.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface Module {
  (...args: Parameters<this["forward"]>): ReturnType<this["forward"]>;
}

/** Module calls in progress (call() within call()). */
let callDepth = 0;

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export abstract class Module {
  declare private readonly [STATE]: ModuleState;

  /**
   * The instance is a function whose prototype is the subclass's, so `model(x)` works while
   * instanceof, methods and subclass fields (defined on the returned object) are unchanged.
   * It is an arrow function, so it has no own `prototype`; its own `name` and `length` are
   * deleted so that subclasses can assign fields of those names.
   */
  constructor() {
    const self = ((...args: unknown[]): unknown =>
      (self.call as (...a: unknown[]) => unknown)(...args)) as unknown as Module;
    delete (self as { name?: string }).name;
    delete (self as { length?: number }).length;
    Object.setPrototypeOf(self, new.target.prototype);
    Object.defineProperty(self, STATE, {
      value: {
        training: true,
        buffers: new Set(),
        nonPersistent: new Set(),
        forwardHooks: new Map(),
        preHooks: new Map(),
      } satisfies ModuleState,
    });
    return self;
  }

  /** The computation; subclasses define it with their own signature. Run it with forward() or call(). */
  abstract forward(...args: never[]): unknown;

  get training(): boolean {
    return this[STATE].training;
  }
  set training(mode: boolean) {
    this[STATE].training = mode;
  }

  /** Runs forward with the registered pre-hooks and hooks (PyTorch's module(input)). */
  call<M extends Module>(this: M, ...args: Parameters<M["forward"]>): ReturnType<M["forward"]> {
    // An outermost module call without autograd is an inference step's start: the last step's
    // temporaries are dead, the storage allocator's moment to collect (src/storage-step.ts).
    if (callDepth === 0 && !isGradEnabled()) storageStepBoundary();
    callDepth++;
    try {
      let input: unknown[] = args;
      for (const h of this[STATE].preHooks.values()) {
        const r = h(this, input);
        if (r !== undefined && r !== null) input = Array.isArray(r) ? r : [r];
      }
      let out = (this.forward as (...a: unknown[]) => unknown)(...input);
      for (const h of this[STATE].forwardHooks.values()) {
        const r = h(this, input, out);
        if (r !== undefined && r !== null) out = r;
      }
      return out as ReturnType<M["forward"]>;
    } finally {
      callDepth--;
    }
  }

  registerForwardHook(hook: ForwardHook): RemovableHandle {
    const id = nextHookId++;
    this[STATE].forwardHooks.set(id, hook);
    return { id, remove: () => void this[STATE].forwardHooks.delete(id) };
  }
  registerForwardPreHook(hook: ForwardPreHook): RemovableHandle {
    const id = nextHookId++;
    this[STATE].preHooks.set(id, hook);
    return { id, remove: () => void this[STATE].preHooks.delete(id) };
  }

  // --- registration ---------------------------------------------------------------------
  private get props(): Record<string, unknown> {
    return this as unknown as Record<string, unknown>;
  }

  /** A buffer: state that is not a parameter (running means …); persistent ones go in stateDict. */
  registerBuffer(name: string, tensor: Tensor | null, persistentArg: boolean | { persistent?: boolean } = true): void {
    const persistent = typeof persistentArg === "boolean" ? persistentArg : (persistentArg.persistent ?? true);
    if (name.includes(".") || name === "")
      throw new ValueError(`registerBuffer: buffer name can't contain "." or be empty, got '${name}'`);
    this[STATE].buffers.add(name);
    if (persistent) this[STATE].nonPersistent.delete(name);
    else this[STATE].nonPersistent.add(name);
    this.props[name] = tensor;
  }
  registerParameter(name: string, param: Parameter | null): void {
    if (name.includes(".") || name === "")
      throw new ValueError(`registerParameter: parameter name can't contain "." or be empty, got '${name}'`);
    this.props[name] = param;
  }
  registerModule(name: string, module: Module | null): void {
    this.props[name] = module;
  }
  addModule(name: string, module: Module | null): void {
    this.registerModule(name, module);
  }

  /** Own [name, value] pairs in definition order. */
  protected ownEntries(): [string, unknown][] {
    return Object.keys(this).map((k) => [k, this.props[k]]);
  }
  /** Own parameters (null entries are declared-but-absent parameters, e.g. bias=false). */
  private ownParameters(): [string, Parameter][] {
    return this.ownEntries().filter(
      (e): e is [string, Parameter] => e[1] instanceof Parameter && !this[STATE].buffers.has(e[0]),
    );
  }
  private ownBuffers(persistentOnly: boolean): [string, Tensor][] {
    const s = this[STATE];
    return [...s.buffers]
      .filter((n) => !(persistentOnly && s.nonPersistent.has(n)))
      .map((n): [string, unknown] => [n, this.props[n]])
      .filter((e): e is [string, Tensor] => e[1] instanceof Tensor);
  }

  // --- traversal ------------------------------------------------------------------------
  namedChildren(): [string, Module][] {
    const seen = new Set<Module>();
    const out: [string, Module][] = [];
    for (const [k, v] of this.ownEntries()) {
      if (v instanceof Module && !seen.has(v)) {
        seen.add(v);
        out.push([k, v]);
      }
    }
    return out;
  }
  children(): Module[] {
    return this.namedChildren().map((e) => e[1]);
  }

  /** [qualified name, module] pre-order, this module first under `prefix` (PyTorch's named_modules). */
  namedModules(
    memoArg: Set<Module> | { memo?: Set<Module>; prefix?: string; removeDuplicate?: boolean } = new Set(),
    prefixArg = "",
    removeDuplicateArg = true,
  ): [string, Module][] {
    const o =
      memoArg instanceof Set ? { memo: memoArg, prefix: prefixArg, removeDuplicate: removeDuplicateArg } : memoArg;
    const memo = o.memo ?? new Set<Module>(),
      prefix = o.prefix ?? "",
      removeDuplicate = o.removeDuplicate ?? true;
    const out: [string, Module][] = [];
    visitModules(this, prefix, memo, removeDuplicate, out);
    return out;
  }
  modules(): Module[] {
    return this.namedModules().map((e) => e[1]);
  }

  /** [qualified name, parameter] in PyTorch's order: each module's own, pre-order over modules. */
  namedParameters(...args: [] | [string | PrefixOptions] | [string, boolean]): [string, Parameter][] {
    const { prefix, recurse } = prefixArgs("namedParameters", args);
    const out: [string, Parameter][] = [];
    const seen = new Set<Tensor>();
    const mods: [string, Module][] = recurse ? this.namedModules(new Set(), prefix) : [[prefix, this]];
    for (const [mp, m] of mods) {
      for (const [n, p] of m.ownParameters()) {
        if (seen.has(p)) continue;
        seen.add(p);
        out.push([mp ? `${mp}.${n}` : n, p]);
      }
    }
    return out;
  }
  parameters(recurse: boolean | { recurse?: boolean } = true): Parameter[] {
    return this.namedParameters("", typeof recurse === "boolean" ? recurse : (recurse.recurse ?? true)).map(
      (e) => e[1],
    );
  }
  namedBuffers(...args: [] | [string | PrefixOptions] | [string, boolean]): [string, Tensor][] {
    const { prefix, recurse } = prefixArgs("namedBuffers", args);
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    const mods: [string, Module][] = recurse ? this.namedModules(new Set(), prefix) : [[prefix, this]];
    for (const [mp, m] of mods) {
      for (const [n, b] of m.ownBuffers(false)) {
        if (seen.has(b)) continue;
        seen.add(b);
        out.push([mp ? `${mp}.${n}` : n, b]);
      }
    }
    return out;
  }
  buffers(recurse: boolean | { recurse?: boolean } = true): Tensor[] {
    return this.namedBuffers("", typeof recurse === "boolean" ? recurse : (recurse.recurse ?? true)).map((e) => e[1]);
  }

  // --- modes and gradients ----------------------------------------------------------------
  train(modeArg: boolean | { mode?: boolean } = true): this {
    const mode = typeof modeArg === "boolean" ? modeArg : (modeArg.mode ?? true);
    for (const m of this.modules()) m.training = mode;
    return this;
  }
  eval(): this {
    return this.train(false);
  }
  requiresGrad_(flag: boolean | { requiresGrad?: boolean } = true): this {
    const requiresGrad = typeof flag === "boolean" ? flag : (flag.requiresGrad ?? true);
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }
  /** Clears parameter gradients: zeroed in place (PyTorch 1.13's default) or set to null. */
  zeroGrad(setToNone: boolean | { setToNone?: boolean } = false): void {
    const none = typeof setToNone === "boolean" ? setToNone : (setToNone.setToNone ?? false);
    for (const p of this.parameters()) zeroGradOf(p, none);
  }

  apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  /**
   * Module.to(dtype) / to(device, dtype?) / to(tensor) / to({ device, dtype }), as torch: moves
   * parameters and buffers to the device and converts the floating-point ones to dtype, in place
   * (each keeps its identity, so an optimizer built before still holds them).
   */
  to(dtype: DType, nonBlocking?: boolean): this;
  to(device?: DeviceLike | null, dtype?: DType | null, nonBlocking?: boolean): this;
  to(other: Tensor, nonBlocking?: boolean): this;
  to(options: ToOptions): this;
  to(...args: unknown[]): this {
    const { dtype: dt, device } = parseTo("Module.to", args);
    noGrad(() => {
      for (const t of [...this.parameters(), ...this.buffers()]) {
        if (device !== null && t.storage.device !== device) {
          moveTo(t, device);
          if (t.grad) moveTo(t.grad, device);
        }
        if (dt === null || !t.isFloatingPoint() || t.dtype === dt) continue;
        retype(t, dt);
        if (t.grad) retype(t.grad, dt);
      }
    });
    return this;
  }

  /**
   * Module.to_empty: moves parameters and buffers to `device` without copying their values (they
   * are uninitialised there), in place. The way to materialise a module built on "meta": then
   * initialise it (resetParameters) or load a checkpoint.
   */
  toEmpty(options: { device: DeviceLike }): this {
    const o = parseArgs<{ device: DeviceLike }>("Module.toEmpty", [options], ["device"]);
    const device = deviceTypeOf("Module.toEmpty", o.device);
    noGrad(() => {
      for (const t of [...this.parameters(), ...this.buffers()]) {
        adopt(t, emptyOn(t, device));
        t.grad = null;
      }
    });
    return this;
  }
  cpu(): this {
    return this;
  }
  cuda(device?: DeviceLike | number): this {
    return refuseCuda("Module.cuda", device);
  }
  float(): this {
    return this.to("float32");
  }
  double(): this {
    return this.to("float64");
  }

  // --- state dict -------------------------------------------------------------------------
  /** Parameters and persistent buffers under PyTorch's dotted keys, detached (shared storage). */
  stateDict(opts: { prefix?: string; keepVars?: boolean } = {}): StateDict {
    const out: StateDict = {};
    const prefix = opts.prefix ?? "";
    for (const [mp, m] of this.namedModules(new Set(), "", false)) {
      const pre = prefix + (mp ? `${mp}.` : "");
      for (const [n, p] of m.ownParameters()) out[pre + n] = opts.keepVars ? p : p.detach();
      for (const [n, b] of m.ownBuffers(true)) out[pre + n] = opts.keepVars ? b : b.detach();
    }
    return out;
  }

  /** Copies values in (no autograd); strict mode throws naming missing, unexpected and mis-shaped keys. */
  loadStateDict(stateDict: StateDict | Map<string, Tensor>, opts: { strict?: boolean } | boolean = {}): LoadResult {
    const strict = typeof opts === "boolean" ? opts : (opts.strict ?? true);
    const given = stateDict instanceof Map ? Object.fromEntries(stateDict) : stateDict;
    const own = this.stateDict({ keepVars: true });
    const missingKeys = Object.keys(own).filter((k) => !(k in given));
    const unexpectedKeys = Object.keys(given).filter((k) => !(k in own));
    const errors: string[] = [];
    for (const [k, dst] of Object.entries(own)) {
      const src = given[k];
      if (!src) continue;
      if (!(src instanceof Tensor)) {
        errors.push(`While copying the parameter named "${k}", expected a Tensor in the state dict`);
        continue;
      }
      if (src.shape.length !== dst.shape.length || src.shape.some((s, i) => s !== dst.shape[i])) {
        errors.push(
          `size mismatch for ${k}: copying a param with shape ${fmtShape(src.shape)} from checkpoint, the shape in current model is ${fmtShape(dst.shape)}.`,
        );
      }
    }
    if (strict) {
      if (unexpectedKeys.length)
        errors.unshift(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(", ")}.`);
      if (missingKeys.length)
        errors.unshift(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(", ")}.`);
    }
    if (errors.length) {
      throw new ShapeError(`Error(s) in loading state_dict for ${this.constructor.name}:\n\t${errors.join("\n\t")}`);
    }
    noGrad(() => {
      for (const [k, dst] of Object.entries(own)) if (given[k]) dst.copy_(given[k]);
    });
    return { missingKeys, unexpectedKeys };
  }

  // --- printing ---------------------------------------------------------------------------
  /** The text inside Name(...) for leaf modules (PyTorch's extra_repr). */
  extraRepr(): string {
    return "";
  }
  toString(): string {
    const lines: string[] = [];
    const extra = this.extraRepr();
    if (extra) lines.push(...extra.split("\n"));
    for (const [name, m] of this.namedChildren()) {
      const sub = m.toString().split("\n");
      lines.push(`(${name}): ${sub[0]}`, ...sub.slice(1));
    }
    const name = this.constructor.name;
    if (lines.length === 0) return `${name}()`;
    if (lines.length === 1 && this.children().length === 0) return `${name}(${lines[0]})`;
    return `${name}(\n${lines.map((l) => `  ${l}`).join("\n")}\n)`;
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** Changes a tensor's dtype in place: new storage, same object (PyTorch's param.data = …). */
/** Gives t (a parameter or buffer, keeping its identity) the storage and layout of c. */
function adopt(t: Tensor, c: Tensor): void {
  const w = t as unknown as { dtype: DType; shape: readonly number[] };
  w.dtype = c.dtype;
  t.storage = c.storage;
  w.shape = [...c.shape];
  t.strides = [...c.strides];
  t.offset = c.offset;
}
const retype = (t: Tensor, dtype: DType): void => adopt(t, t.to(dtype));
const moveTo = (t: Tensor, device: DeviceType): void => adopt(t, toDevice(t.detach(), device, "Module.to"));

interface PrefixOptions {
  prefix?: string;
  recurse?: boolean;
}
function prefixArgs(op: string, args: readonly unknown[]): { prefix: string; recurse: boolean } {
  const o = parseArgs<PrefixOptions & Record<string, unknown>>(op, args, ["prefix", "recurse"], {
    prefix: "",
    recurse: true,
  });
  return { prefix: o.prefix ?? "", recurse: o.recurse ?? true };
}

/** Runs a child module (with its hooks) on arguments whose types the caller knows. */
export function callModule(m: Module, ...args: unknown[]): unknown {
  return (m.call as (...a: unknown[]) => unknown).apply(m, args);
}

/** Pre-order walk behind namedModules: appends [qualified name, module] to `out`. */
function visitModules(
  m: Module,
  p: string,
  memo: Set<Module>,
  removeDuplicate: boolean,
  out: [string, Module][],
): void {
  if (removeDuplicate && memo.has(m)) return;
  memo.add(m);
  out.push([p, m]);
  for (const [name, c] of m.namedChildren()) visitModules(c, p ? `${p}.${name}` : name, memo, removeDuplicate, out);
}
