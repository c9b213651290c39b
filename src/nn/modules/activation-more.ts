// Threshold, RReLU, GLU, Hardshrink, Softshrink, Tanhshrink, Softmin, Softmax2d.
import type { Tensor } from "../../tensor.js";
import { ShapeError, fmtShape } from "../../errors.js";
import * as A from "../../ops/activation-more.js";
import { softmax } from "../../ops/softmax.js";
import { Module } from "../module.js";
import { moduleArgs, py, pyFloat } from "./util.js";

/** nn.Threshold(threshold, value, inplace = false). */
export class Threshold extends Module {
  readonly threshold: number;
  readonly value: number;
  constructor(...args: unknown[]) {
    super();
    const o = moduleArgs<{ threshold: number; value: number; inplace: boolean }>(
      "Threshold",
      args,
      ["threshold", "value", "inplace"],
      {},
    );
    [this.threshold, this.value] = [o.threshold, o.value];
  }
  forward(input: Tensor): Tensor {
    return A.threshold(input, this.threshold, this.value);
  }
  override extraRepr(): string {
    return `threshold=${pyFloat(this.threshold)}, value=${pyFloat(this.value)}`;
  }
}

/** nn.RReLU(lower = 1/8, upper = 1/3, inplace = false). */
export class RReLU extends Module {
  readonly lower: number;
  readonly upper: number;
  constructor(...args: unknown[]) {
    super();
    const o = moduleArgs<{ lower: number; upper: number; inplace: boolean }>(
      "RReLU",
      args,
      ["lower", "upper", "inplace"],
      { lower: 1 / 8, upper: 1 / 3 },
    );
    [this.lower, this.upper] = [o.lower, o.upper];
  }
  forward(input: Tensor): Tensor {
    return A.rrelu(input, this.lower, this.upper, this.training);
  }
  override extraRepr(): string {
    return `lower=${pyFloat(this.lower)}, upper=${pyFloat(this.upper)}`;
  }
}

/** nn.GLU(dim = -1). */
export class GLU extends Module {
  readonly dim: number;
  constructor(...args: unknown[]) {
    super();
    this.dim = moduleArgs<{ dim: number }>("GLU", args, ["dim"], { dim: -1 }).dim;
  }
  forward(input: Tensor): Tensor {
    return A.glu(input, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

abstract class Shrink extends Module {
  readonly lambd: number;
  constructor(...args: unknown[]) {
    super();
    this.lambd = moduleArgs<{ lambd: number }>(this.constructor.name, args, ["lambd"], { lambd: 0.5 }).lambd;
  }
  override extraRepr(): string {
    return pyFloat(this.lambd);
  }
}
export class Hardshrink extends Shrink {
  forward(input: Tensor): Tensor {
    return A.hardshrink(input, this.lambd);
  }
}
export class Softshrink extends Shrink {
  forward(input: Tensor): Tensor {
    return A.softshrink(input, this.lambd);
  }
}
export class Tanhshrink extends Module {
  forward(input: Tensor): Tensor {
    return A.tanhshrink(input);
  }
}

/** nn.Softmin(dim). */
export class Softmin extends Module {
  readonly dim: number | null;
  constructor(...args: unknown[]) {
    super();
    this.dim = moduleArgs<{ dim: number | null }>("Softmin", args, ["dim"], { dim: null }).dim;
  }
  forward(input: Tensor): Tensor {
    // PyTorch's legacy implicit dim: 0 for 0-, 1- and 3-D inputs, else 1.
    const d = this.dim ?? ([0, 1, 3].includes(input.dim()) ? 0 : 1);
    return A.softmin(input, d);
  }
  override extraRepr(): string {
    return `dim=${py(this.dim)}`;
  }
}

/** nn.Softmax2d: softmax over the channel dim of [N, C, H, W] or [C, H, W]. */
export class Softmax2d extends Module {
  forward(input: Tensor): Tensor {
    if (input.dim() !== 3 && input.dim() !== 4)
      throw new ShapeError(`Softmax2d: expected 3D or 4D input, got ${fmtShape(input.shape)}`);
    return softmax(input, -3);
  }
}
