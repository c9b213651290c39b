// RNNCell, LSTMCell, GRUCell: one time step of the recurrent layers (see rnn-steps.ts), on a
// batched [N, H_in] or unbatched [H_in] input; missing states are zeros.
import { Tensor } from "../../tensor.js";
import { ShapeError, fmtShape } from "../../errors.js";
import { zeros } from "../../ops/creation.js";
import { linear } from "../../ops/linear.js";
import { squeeze, unsqueeze } from "../../ops/view.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import {
  type CellWeights,
  type Nonlinearity,
  checkDType,
  checkNonlinearity,
  checkSizes,
  gruStep,
  lstmStep,
  resetUniform,
  simpleStep,
} from "./rnn-steps.js";
import { type FactoryOptions, factoryDefaults, factoryDType } from "./util.js";
import { type ArgsOf, signature } from "../../internal/args.js";

export interface RNNCellOptions extends FactoryOptions {
  bias?: boolean;
  nonlinearity?: Nonlinearity;
}

interface CellParams extends FactoryOptions {
  inputSize: number;
  hiddenSize: number;
  bias?: boolean;
}
const CELL_NAMES = ["inputSize", "hiddenSize", "bias", "device", "dtype"] as const;
const lstmCellArgs = signature<CellParams>()("LSTMCell", CELL_NAMES, { bias: true, ...factoryDefaults });
const gruCellArgs = lstmCellArgs.as("GRUCell");
const rnnCellArgs = signature<CellParams & RNNCellOptions>()(
  "RNNCell",
  ["inputSize", "hiddenSize", "bias", "nonlinearity", "device", "dtype"],
  { bias: true, nonlinearity: "tanh", ...factoryDefaults },
);

abstract class RNNCellBase extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;
  weight_ih: Parameter;
  weight_hh: Parameter;
  bias_ih: Parameter | null;
  bias_hh: Parameter | null;

  constructor(opts: CellParams, numChunks: number) {
    super();
    const { inputSize, hiddenSize } = opts;
    const bias = opts.bias ?? true;
    checkSizes(this.constructor.name, inputSize, hiddenSize);
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.bias = bias;
    const dtype = factoryDType(this.constructor.name, opts);
    this.weight_ih = new Parameter(zeros([numChunks * hiddenSize, inputSize], { dtype }));
    this.weight_hh = new Parameter(zeros([numChunks * hiddenSize, hiddenSize], { dtype }));
    this.bias_ih = bias ? new Parameter(zeros([numChunks * hiddenSize], { dtype })) : null;
    this.bias_hh = bias ? new Parameter(zeros([numChunks * hiddenSize], { dtype })) : null;
    this.resetParameters();
  }

  /** Every parameter from U(-1/√hidden, 1/√hidden), in parameters() order, as PyTorch. */
  resetParameters(): void {
    resetUniform(this.parameters(), this.hiddenSize);
  }

  protected get weights(): CellWeights {
    return { wIh: this.weight_ih, wHh: this.weight_hh, bIh: this.bias_ih, bHh: this.bias_hh };
  }

  /**
   * Checks the input and the states (h or h, c) and brings them to the batched form; missing
   * states are zeros. Returns the input projection, the states, and whether the input was batched.
   */
  protected prepare(
    input: Tensor,
    hx: readonly Tensor[] | null,
    nStates: number,
  ): { xw: Tensor; states: Tensor[]; batched: boolean } {
    const name = this.constructor.name;
    if (input.dim() !== 1 && input.dim() !== 2)
      throw new ShapeError(
        `${name}: Expected input to be 1-D or 2-D but received ${input.dim()}-D tensor of shape ${fmtShape(input.shape)}`,
      );
    const batched = input.dim() === 2;
    if (input.shape[input.dim() - 1] !== this.inputSize) {
      throw new ShapeError(
        `${name}: input has inconsistent input_size: got ${input.shape[input.dim() - 1]} expected ${this.inputSize} (input shape ${fmtShape(input.shape)})`,
      );
    }
    checkDType(name, "input", input, this.weight_ih);
    const x = batched ? input : unsqueeze(input, 0);
    const batch = x.shape[0];
    let states: Tensor[];
    if (hx === null) {
      const z = zeros([batch, this.hiddenSize], { dtype: input.dtype });
      states = new Array<Tensor>(nStates).fill(z);
    } else {
      states = hx.map((h, k) => {
        if (h.dim() !== input.dim()) {
          throw new ShapeError(
            `${name}: for ${batched ? "batched 2-D" : "unbatched 1-D"} input, hidden${k} should also be ${input.dim()}-D, got shape ${fmtShape(h.shape)}`,
          );
        }
        const hb = batched ? h : unsqueeze(h, 0);
        if (hb.shape[0] !== batch)
          throw new ShapeError(`${name}: Input batch size ${batch} doesn't match hidden${k} batch size ${hb.shape[0]}`);
        if (hb.shape[1] !== this.hiddenSize)
          throw new ShapeError(
            `${name}: hidden${k} has inconsistent hidden_size: got ${hb.shape[1]}, expected ${this.hiddenSize}`,
          );
        checkDType(name, `hidden${k}`, h, this.weight_ih);
        return hb;
      });
    }
    return { xw: linear(x, this.weight_ih, this.bias_ih), states, batched };
  }

  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}${this.bias ? "" : ", bias=False"}`;
  }
}

/** h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu). */
export class RNNCell extends RNNCellBase {
  readonly nonlinearity: Nonlinearity;
  constructor(...args: ArgsOf<typeof rnnCellArgs>) {
    const o = rnnCellArgs.parse(args);
    checkNonlinearity("RNNCell", o.nonlinearity);
    super(o, 1);
    this.nonlinearity = o.nonlinearity ?? "tanh";
  }
  forward(input: Tensor, hx: Tensor | null = null): Tensor {
    const { xw, states, batched } = this.prepare(input, hx === null ? null : [hx], 1);
    const [h] = simpleStep(this.nonlinearity)(xw, states, this.weights);
    return batched ? h : squeeze(h, 0);
  }
  override extraRepr(): string {
    return super.extraRepr() + (this.nonlinearity === "tanh" ? "" : `, nonlinearity=${this.nonlinearity}`);
  }
}

/** One LSTM step: (h, c) → (h', c') with gates i, f, g, o. */
export class LSTMCell extends RNNCellBase {
  constructor(...args: ArgsOf<typeof lstmCellArgs>) {
    super(lstmCellArgs.parse(args), 4);
  }
  forward(input: Tensor, hx: readonly [Tensor, Tensor] | null = null): [Tensor, Tensor] {
    const { xw, states, batched } = this.prepare(input, hx, 2);
    const [h, c] = lstmStep(xw, states, this.weights);
    return batched ? [h, c] : [squeeze(h, 0), squeeze(c, 0)];
  }
}

/** One GRU step with gates r, z, n. */
export class GRUCell extends RNNCellBase {
  constructor(...args: ArgsOf<typeof gruCellArgs>) {
    super(gruCellArgs.parse(args), 3);
  }
  forward(input: Tensor, hx: Tensor | null = null): Tensor {
    const { xw, states, batched } = this.prepare(input, hx === null ? null : [hx], 1);
    const [h] = gruStep(xw, states, this.weights);
    return batched ? h : squeeze(h, 0);
  }
}
