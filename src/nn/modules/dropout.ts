// Dropout and Dropout2d: active in training mode only; masks come from Flint's PyTorch-exact generator.
import type { Tensor } from "../../tensor.js";
import { ValueError } from "../../errors.js";
import { dropout, dropout2d } from "../../ops/dropout.js";
import { Module } from "../module.js";
import { py, pyFloat } from "./util.js";
import { type ArgsOf, signature } from "../../internal/args.js";

const dropoutArgs = signature<{ p?: number; inplace?: boolean }>()("Dropout", ["p", "inplace"], {
  p: 0.5,
  inplace: false,
});
const dropout2dArgs = dropoutArgs.as("Dropout2d");

export class Dropout extends Module {
  readonly p: number;
  readonly inplace: boolean;
  constructor(...args: ArgsOf<typeof dropoutArgs>) {
    super();
    const o = dropoutArgs.parse(args);
    if (!(o.p >= 0 && o.p <= 1))
      throw new ValueError(`Dropout: dropout probability has to be between 0 and 1, but got ${o.p}`);
    this.p = o.p;
    this.inplace = o.inplace;
  }
  forward(input: Tensor): Tensor {
    return dropout(input, this.p, this.training);
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${py(this.inplace)}`;
  }
}

export class Dropout2d extends Module {
  readonly p: number;
  readonly inplace: boolean;
  constructor(...args: ArgsOf<typeof dropout2dArgs>) {
    super();
    const o = dropout2dArgs.parse(args);
    if (!(o.p >= 0 && o.p <= 1))
      throw new ValueError(`Dropout2d: dropout probability has to be between 0 and 1, but got ${o.p}`);
    this.p = o.p;
    this.inplace = o.inplace;
  }
  forward(input: Tensor): Tensor {
    return dropout2d(input, this.p, this.training);
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${py(this.inplace)}`;
  }
}
