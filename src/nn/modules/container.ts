// Containers: Sequential, ModuleList, ModuleDict. Children live under string keys "0", "1", …
// (integer-like keys, which JavaScript keeps in ascending order), so stateDict keys read
// `model1.0.weight` as in PyTorch.
import { Tensor } from "../../tensor.js";
import { IndexError, ValueError } from "../../errors.js";
import { Module, callModule } from "../module.js";

function indexOf(i: number, n: number, op: string): number {
  if (!Number.isInteger(i) || i < -n || i >= n)
    throw new IndexError(`${op}: index ${i} is out of range for ${n} modules`);
  return i < 0 ? i + n : i;
}

abstract class IndexedContainer extends Module {
  protected get items(): Module[] {
    return this.ownEntries()
      .filter((e): e is [string, Module] => /^\d+$/.test(e[0]) && e[1] instanceof Module)
      .map((e) => e[1]);
  }
  override get length(): number {
    return this.items.length;
  }
  /** The i-th module (negative indices count from the end). */
  at(i: number): Module {
    const items = this.items;
    return items[indexOf(i, items.length, `${this.constructor.name}.at`)];
  }
  [Symbol.iterator](): Iterator<Module> {
    return this.items[Symbol.iterator]();
  }
  append(m: Module): this {
    this.registerModule(String(this.items.length), m);
    return this;
  }
  extend(ms: Iterable<Module>): this {
    for (const m of ms) this.append(m);
    return this;
  }
  insert(index: number, m: Module): void {
    const items = this.items;
    const i = index < 0 ? Math.max(index + items.length, 0) : Math.min(index, items.length);
    items.splice(i, 0, m);
    this.reset(items);
  }
  pop(index = -1): Module {
    const items = this.items;
    const [m] = items.splice(indexOf(index, items.length, `${this.constructor.name}.pop`), 1);
    this.reset(items);
    return m;
  }
  protected reset(items: Module[]): void {
    const props = this as unknown as Record<string, unknown>;
    for (const k of Object.keys(this)) if (/^\d+$/.test(k)) delete props[k];
    items.forEach((m, i) => this.registerModule(String(i), m));
  }
}

/** Runs its modules in order; `new nn.Sequential(a, b, c)` (or from a Map of named modules). */
export class Sequential extends IndexedContainer {
  constructor(...modules: Module[] | [Map<string, Module>]) {
    super();
    const first = modules[0];
    if (first instanceof Map) for (const [k, m] of first) this.registerModule(k, m);
    else (modules as Module[]).forEach((m, i) => this.registerModule(String(i), m));
  }
  protected override get items(): Module[] {
    return this.children();
  }
  /**
   * Feeds the input through each module in turn. Typed for tensors, the common case, with a
   * single signature so that `seq(x)` is typed too (an overload would make the call type the
   * last overload's); other values pass through at run time as in PyTorch.
   */
  forward(input: Tensor): Tensor {
    let x: unknown = input;
    for (const m of this.children()) x = callModule(m, x);
    return x as Tensor;
  }
}

/** A list of modules, registered as children (it has no forward of its own). */
export class ModuleList extends IndexedContainer {
  constructor(modules: Iterable<Module> = []) {
    super();
    this.extend(modules);
  }
  forward(): never {
    throw new ValueError("ModuleList has no forward(); call its modules");
  }
}

/** Named modules in insertion order (keys are kept in a Map, so any string order survives). */
export class ModuleDict extends Module {
  private readonly dict = new Map<string, Module>();
  constructor(modules: Iterable<[string, Module]> | Record<string, Module> = {}) {
    super();
    this.update(modules);
  }
  protected override ownEntries(): [string, unknown][] {
    return [...this.dict];
  }
  get size(): number {
    return this.dict.size;
  }
  get(key: string): Module | undefined {
    return this.dict.get(key);
  }
  set(key: string, m: Module): this {
    if (key.includes(".") || key === "")
      throw new ValueError(`ModuleDict: module name can't contain "." or be empty, got '${key}'`);
    this.dict.set(key, m);
    return this;
  }
  has(key: string): boolean {
    return this.dict.has(key);
  }
  delete(key: string): boolean {
    return this.dict.delete(key);
  }
  pop(key: string): Module {
    const m = this.dict.get(key);
    if (!m) throw new IndexError(`ModuleDict.pop: no module named '${key}'`);
    this.dict.delete(key);
    return m;
  }
  clear(): void {
    this.dict.clear();
  }
  keys(): string[] {
    return [...this.dict.keys()];
  }
  values(): Module[] {
    return [...this.dict.values()];
  }
  items(): [string, Module][] {
    return [...this.dict];
  }
  [Symbol.iterator](): Iterator<string> {
    return this.dict.keys();
  }
  update(modules: Iterable<[string, Module]> | Record<string, Module>): this {
    const entries = Symbol.iterator in modules ? [...(modules as Iterable<[string, Module]>)] : Object.entries(modules);
    for (const [k, m] of entries) this.set(k, m);
    return this;
  }
  forward(): never {
    throw new ValueError("ModuleDict has no forward(); call its modules");
  }
}
