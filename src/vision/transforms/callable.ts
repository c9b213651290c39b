// Transforms are callable like modules, as in torchvision (`transforms.Compose([...])(img)`):
// the base constructor returns a function whose prototype is the subclass's, so `t(x)` runs
// `t.forward(x)` while instanceof, methods, fields and workerSpec() are unchanged.

/* eslint-disable @typescript-eslint/no-unsafe-declaration-merging */
export interface TransformBase {
  (...args: Parameters<this["forward"]>): ReturnType<this["forward"]>;
}

export abstract class TransformBase {
  constructor() {
    const self = ((...args: unknown[]): unknown =>
      (self.forward as (...a: unknown[]) => unknown).apply(self, args)) as unknown as TransformBase;
    // An arrow function has no own `prototype`; its `name` and `length` would block subclass fields.
    delete (self as { name?: string }).name;
    delete (self as { length?: number }).length;
    Object.setPrototypeOf(self, new.target.prototype);
    return self;
  }
  abstract forward(...args: never[]): unknown;
}
/* eslint-enable @typescript-eslint/no-unsafe-declaration-merging */
