// The padding modules: ReflectionPad1d/2d/3d, ReplicationPad1d/2d/3d, ZeroPad2d,
// ConstantPad1d/2d/3d, over F.pad. `padding` is an int (all sides) or PyTorch's tuple
// (left, right[, top, bottom[, front, back]]).
import type { Tensor } from "../../tensor.js";
import { ShapeError, ValueError, fmtShape } from "../../errors.js";
import { type PadMode, pad } from "../../ops/pad.js";
import { Module } from "../module.js";
import { moduleArgs, py, pyFloat } from "./util.js";

abstract class PadNd extends Module {
  readonly padding: number[];
  constructor(
    readonly nd: number,
    readonly mode: PadMode,
    padding: number | readonly number[],
    readonly value = 0,
  ) {
    super();
    const p = typeof padding === "number" ? new Array<number>(2 * nd).fill(padding) : [...padding];
    if (p.length !== 2 * nd || !p.every(Number.isInteger))
      throw new ValueError(
        `${this.constructor.name}: padding must be an int or a tuple of ${2 * nd} ints, got ${JSON.stringify(padding)}`,
      );
    this.padding = p;
  }
  forward(input: Tensor): Tensor {
    if (input.dim() !== this.nd + 1 && input.dim() !== this.nd + 2) {
      throw new ShapeError(
        `${this.constructor.name}: expected ${this.nd + 1}D or ${this.nd + 2}D input, got ${fmtShape(input.shape)}`,
      );
    }
    return pad(input, this.padding, this.mode, this.value);
  }
  override extraRepr(): string {
    return this.mode === "constant" ? `padding=${py(this.padding)}, value=${pyFloat(this.value)}` : py(this.padding);
  }
}

type P = number | readonly number[];
export class ReflectionPad1d extends PadNd {
  constructor(padding: P) {
    super(1, "reflect", padding);
  }
}
export class ReflectionPad2d extends PadNd {
  constructor(padding: P) {
    super(2, "reflect", padding);
  }
}
export class ReflectionPad3d extends PadNd {
  constructor(padding: P) {
    super(3, "reflect", padding);
  }
}
export class ReplicationPad1d extends PadNd {
  constructor(padding: P) {
    super(1, "replicate", padding);
  }
}
export class ReplicationPad2d extends PadNd {
  constructor(padding: P) {
    super(2, "replicate", padding);
  }
}
export class ReplicationPad3d extends PadNd {
  constructor(padding: P) {
    super(3, "replicate", padding);
  }
}
export class ZeroPad2d extends PadNd {
  constructor(padding: P) {
    super(2, "constant", padding, 0);
  }
  override extraRepr(): string {
    return py(this.padding);
  }
}

const constArgs = (name: string, args: readonly unknown[]): { padding: P; value: number } => {
  const o = moduleArgs<{ padding: P; value: number }>(name, args, ["padding", "value"], {});
  if (o.padding === undefined || o.value === undefined) throw new ValueError(`${name}: needs padding and value`);
  return o;
};
export class ConstantPad1d extends PadNd {
  constructor(...args: unknown[]) {
    const o = constArgs("ConstantPad1d", args);
    super(1, "constant", o.padding, o.value);
  }
}
export class ConstantPad2d extends PadNd {
  constructor(...args: unknown[]) {
    const o = constArgs("ConstantPad2d", args);
    super(2, "constant", o.padding, o.value);
  }
}
export class ConstantPad3d extends PadNd {
  constructor(...args: unknown[]) {
    const o = constArgs("ConstantPad3d", args);
    super(3, "constant", o.padding, o.value);
  }
}
