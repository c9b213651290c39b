// RNN, LSTM, GRU: multi-layer, optionally bidirectional recurrent layers over padded (time-major
// or batch-first, batched or unbatched) or packed sequences. Composed from differentiable ops, so
// autograd needs nothing new. The layout follows ATen's CPU implementation: each layer multiplies
// the whole sequence by W_ih once, then steps through time over a packed view of the batch (a
// padded batch is a packed one whose batch size never shrinks), dropout on each layer's output
// but the last, the reverse direction walking the steps backwards.
import { Tensor } from "../../tensor.js";
import { ShapeError, ValueError, fmtShape } from "../../errors.js";
import { zeros } from "../../ops/creation.js";
import { cat, stack } from "../../ops/join.js";
import { indexSelect } from "../../ops/indexing.js";
import { linear } from "../../ops/linear.js";
import { dropout as dropoutOp } from "../../ops/dropout.js";
import { reshape, select, squeeze, transpose, unsqueeze } from "../../ops/view.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { PackedSequence, batchSizesOf } from "../rnn-utils.js";
import {
  type CellWeights,
  type Nonlinearity,
  type Step,
  checkDType,
  checkNonlinearity,
  checkSizes,
  forwardDirection,
  gruStep,
  lstmStep,
  resetUniform,
  reverseDirection,
  simpleStep,
} from "./rnn-steps.js";
import { fusedDirection } from "./rnn-layer.js";
import { type FactoryOptions, factoryDefaults, factoryDType, pyFloat } from "./util.js";
import { type ArgsOf, signature } from "../../internal/args.js";

type Mode = "RNN_TANH" | "RNN_RELU" | "LSTM" | "GRU";

export interface RNNBaseOptions extends FactoryOptions {
  numLayers?: number;
  bias?: boolean;
  batchFirst?: boolean;
  dropout?: number;
  bidirectional?: boolean;
}
export interface RNNOptions extends RNNBaseOptions {
  nonlinearity?: Nonlinearity;
}
export interface LSTMOptions extends RNNBaseOptions {
  projSize?: number;
}
export type GRUOptions = RNNBaseOptions;

interface Sizes {
  inputSize: number;
  hiddenSize: number;
}
/** torch's RNNBase order after `mode`; proj_size must stay 0 but for LSTM (as torch checks). */
const BASE_NAMES = [
  "inputSize",
  "hiddenSize",
  "numLayers",
  "bias",
  "batchFirst",
  "dropout",
  "bidirectional",
  "projSize",
  "device",
  "dtype",
] as const;
const BASE_DEFAULTS = {
  numLayers: 1,
  bias: true,
  batchFirst: false,
  dropout: 0,
  bidirectional: false,
  projSize: 0,
  ...factoryDefaults,
} as const;
const lstmArgs = signature<LSTMOptions & Sizes>()("LSTM", BASE_NAMES, BASE_DEFAULTS);
const gruArgs = signature<LSTMOptions & Sizes>()("GRU", BASE_NAMES, BASE_DEFAULTS);
/** RNN's nonlinearity is keyword-only in torch; here it may also come last, after dtype. */
const rnnArgs = signature<LSTMOptions & RNNOptions & Sizes>()("RNN", [...BASE_NAMES, "nonlinearity"], {
  ...BASE_DEFAULTS,
  nonlinearity: "tanh",
});

interface SeqBatch {
  data: Tensor;
  batchSizes: number[];
}

export abstract class RNNBase extends Module {
  readonly mode: Mode;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly projSize: number;
  /** Parameter names per layer and direction, as PyTorch's _all_weights. */
  private readonly weightNames: string[][];
  // Typed views of the first layer's parameters, which every configuration has (the others are
  // registered under PyTorch's names too: weight_ih_l1, bias_hh_l0_reverse, weight_hr_l0 …).
  declare weight_ih_l0: Parameter;
  declare weight_hh_l0: Parameter;
  declare bias_ih_l0?: Parameter;
  declare bias_hh_l0?: Parameter;

  constructor(mode: Mode, o: LSTMOptions & Sizes) {
    super();
    const name = this.constructor.name;
    const { inputSize, hiddenSize } = o;
    checkSizes(name, inputSize, hiddenSize);
    const numLayers = o.numLayers ?? 1,
      dropout = o.dropout ?? 0,
      projSize = o.projSize ?? 0;
    if (!Number.isInteger(numLayers) || numLayers < 1)
      throw new ValueError(`${name}: num_layers must be a positive integer, got ${numLayers}`);
    if (typeof dropout !== "number" || !(dropout >= 0 && dropout <= 1)) {
      throw new ValueError(
        `${name}: dropout should be a number in range [0, 1] representing the probability of an element being zeroed, got ${String(dropout)}`,
      );
    }
    if (dropout > 0 && numLayers === 1) {
      process.emitWarning(
        `${name}: dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects num_layers greater than 1, but got dropout=${dropout} and num_layers=${numLayers}`,
      );
    }
    if (!Number.isInteger(projSize) || projSize < 0)
      throw new ValueError(
        `${name}: proj_size should be a positive integer or zero to disable projections, got ${projSize}`,
      );
    if (projSize >= hiddenSize)
      throw new ValueError(
        `${name}: proj_size has to be smaller than hidden_size, got proj_size=${projSize} and hidden_size=${hiddenSize}`,
      );
    this.mode = mode;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.numLayers = numLayers;
    this.bias = o.bias ?? true;
    this.batchFirst = o.batchFirst ?? false;
    this.dropout = dropout;
    this.bidirectional = o.bidirectional ?? false;
    this.projSize = projSize;
    const gateSize = hiddenSize * (mode === "LSTM" ? 4 : mode === "GRU" ? 3 : 1);
    const dtype = factoryDType(name, o);
    const realHidden = projSize > 0 ? projSize : hiddenSize;
    this.weightNames = [];
    // Registered in PyTorch's order (layer, direction; w_ih, w_hh, b_ih, b_hh, w_hr), which is the
    // order of parameters(), stateDict() and of the initial draws.
    for (let layer = 0; layer < numLayers; layer++) {
      for (let dir = 0; dir < this.numDirections; dir++) {
        const inSize = layer === 0 ? inputSize : realHidden * this.numDirections;
        const sfx = `_l${layer}${dir === 1 ? "_reverse" : ""}`;
        const shapes: [string, number[]][] = [
          [`weight_ih${sfx}`, [gateSize, inSize]],
          [`weight_hh${sfx}`, [gateSize, realHidden]],
        ];
        if (this.bias) shapes.push([`bias_ih${sfx}`, [gateSize]], [`bias_hh${sfx}`, [gateSize]]);
        if (projSize > 0) shapes.push([`weight_hr${sfx}`, [projSize, hiddenSize]]);
        for (const [n, shape] of shapes) this.registerParameter(n, new Parameter(zeros(shape, { dtype })));
        this.weightNames.push(shapes.map((s) => s[0]));
      }
    }
    this.resetParameters();
  }

  get numDirections(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** Every parameter from U(-1/√hidden, 1/√hidden), in parameters() order, as PyTorch. */
  resetParameters(): void {
    resetUniform(this.parameters(), this.hiddenSize);
  }

  /** PyTorch compacts the weights for cuDNN here; on the CPU it is a no-op, kept so ported code runs. */
  flattenParameters(): void {}

  /** The parameters per layer and direction (PyTorch's all_weights). */
  get allWeights(): Parameter[][] {
    return this.weightNames.map((names) => names.map((n) => this.param(n)));
  }

  private param(name: string): Parameter {
    return (this as unknown as Record<string, Parameter>)[name];
  }

  private cellWeights(layer: number, dir: number): CellWeights {
    const sfx = `_l${layer}${dir === 1 ? "_reverse" : ""}`;
    const names = this.weightNames[layer * this.numDirections + dir];
    return {
      wIh: this.param(`weight_ih${sfx}`),
      wHh: this.param(`weight_hh${sfx}`),
      bIh: this.optionalParam(names, `bias_ih${sfx}`),
      bHh: this.optionalParam(names, `bias_hh${sfx}`),
      wHr: this.optionalParam(names, `weight_hr${sfx}`),
    };
  }

  /** A layer's bias or projection weight, or null when the module was built without it. */
  private optionalParam(names: readonly string[], name: string): Parameter | null {
    return names.includes(name) ? this.param(name) : null;
  }

  private get step(): Step {
    return this.mode === "LSTM"
      ? lstmStep
      : this.mode === "GRU"
        ? gruStep
        : simpleStep(this.mode === "RNN_RELU" ? "relu" : "tanh");
  }

  /** Sizes of the state tensors ([h] or [h, c]) for a batch: [layers * directions, batch, size]. */
  private stateSizes(batch: number): number[][] {
    const lead = this.numLayers * this.numDirections;
    const h = [lead, batch, this.projSize > 0 ? this.projSize : this.hiddenSize];
    return this.mode === "LSTM" ? [h, [lead, batch, this.hiddenSize]] : [h];
  }

  private stateName(k: number): string {
    return this.mode === "LSTM" ? `hidden[${k}]` : "hidden";
  }

  /**
   * The shared forward: checks, then runs the layers over `input` with initial states `hx`
   * ([h0] or [h0, c0], or null for zeros). Returns the output and the final states.
   */
  protected run(input: Tensor | PackedSequence, hx: readonly Tensor[] | null): [Tensor | PackedSequence, Tensor[]] {
    const name = this.constructor.name;
    const w0 = this.weight_ih_l0;
    let seq: SeqBatch;
    let states = hx ? [...hx] : null;
    let batched = true;
    const batchDim = this.batchFirst ? 0 : 1;
    if (input instanceof PackedSequence) {
      const data = input.data;
      if (data.dim() !== 2)
        throw new ShapeError(`${name}: packed input data must have 2 dimensions, got ${fmtShape(data.shape)}`);
      seq = { data, batchSizes: batchSizesOf(input) };
    } else {
      if (input.dim() !== 2 && input.dim() !== 3)
        throw new ShapeError(
          `${name}: expected input to be 2-D (unbatched) or 3-D (batched), got ${input.dim()}-D input of shape ${fmtShape(input.shape)}`,
        );
      batched = input.dim() === 3;
      if (states) {
        const bad = states.some((s) => s.dim() !== input.dim());
        if (bad) {
          const what = this.mode === "LSTM" ? "hx and cx" : "hx";
          const dims = states.map((s) => `${s.dim()}-D`).join(", ");
          throw new ShapeError(
            `${name}: for ${batched ? "batched 3-D" : "unbatched 2-D"} input, ${what} should also be ${input.dim()}-D but got ${states.length > 1 ? `(${dims})` : dims} tensor${states.length > 1 ? "s" : ""} of shape ${states.map((s) => fmtShape(s.shape)).join(" and ")}`,
          );
        }
        if (!batched) states = states.map((s) => unsqueeze(s, 1));
      }
      let x = batched ? input : unsqueeze(input, batchDim);
      if (this.batchFirst) x = transpose(x, 0, 1);
      const [steps, batch] = x.shape;
      if (x.shape[2] !== this.inputSize)
        throw new ShapeError(
          `${name}: input.size(-1) must be equal to input_size. Expected ${this.inputSize}, got ${x.shape[2]} (input shape ${fmtShape(input.shape)})`,
        );
      if (steps === 0)
        throw new ShapeError(
          `${name}: expected sequence length to be larger than 0, got input of shape ${fmtShape(input.shape)}`,
        );
      seq = { data: reshape(x, [steps * batch, this.inputSize]), batchSizes: new Array<number>(steps).fill(batch) };
    }
    if (seq.data.shape[1] !== this.inputSize)
      throw new ShapeError(
        `${name}: input.size(-1) must be equal to input_size. Expected ${this.inputSize}, got ${seq.data.shape[1]} (packed data ${fmtShape(seq.data.shape)})`,
      );
    checkDType(name, "input", seq.data, w0);
    const sizes = this.stateSizes(seq.batchSizes[0]);
    if (states) {
      states.forEach((s, k) => {
        if (s.shape.length !== 3 || s.shape.some((d, i) => d !== sizes[k][i]))
          throw new ShapeError(
            `${name}: Expected ${this.stateName(k)} size ${fmtShape(sizes[k])}, got ${fmtShape(s.shape)}`,
          );
        checkDType(name, this.stateName(k), s, w0);
      });
    }
    // The states are given in the caller's batch order; a packed batch runs in sorted order.
    const sorted = input instanceof PackedSequence ? input.sortedIndices : null;
    if (states && sorted) states = states.map((s) => indexSelect(s, 1, sorted));
    const init = states ?? sizes.map((s) => zeros(s, { dtype: seq.data.dtype }));
    const [outData, finals] = this.layers(seq, init);

    if (input instanceof PackedSequence) {
      const unsorted = input.unsortedIndices;
      return [
        new PackedSequence(outData, input.batchSizes, input.sortedIndices, unsorted),
        unsorted ? finals.map((s) => indexSelect(s, 1, unsorted)) : finals,
      ];
    }
    const steps = seq.batchSizes.length,
      batch = seq.batchSizes[0];
    let out = reshape(outData, [steps, batch, outData.shape[1]]);
    if (this.batchFirst) out = transpose(out, 0, 1);
    if (!batched) return [squeeze(out, batchDim), finals.map((s) => squeeze(s, 1))];
    return [out, finals];
  }

  /** All layers and directions over a packed batch; returns the last layer's output and the final states. */
  private layers(seq: SeqBatch, init: readonly Tensor[]): [Tensor, Tensor[]] {
    const D = this.numDirections;
    const finals: Tensor[][] = init.map(() => []);
    let layerInput = seq.data;
    for (let layer = 0; layer < this.numLayers; layer++) {
      const outs: Tensor[] = [];
      for (let dir = 0; dir < D; dir++) {
        const w = this.cellWeights(layer, dir);
        const h0 = init.map((s) => select(s, 0, layer * D + dir));
        const xw = linear(layerInput, w.wIh, w.bIh);
        // One fused call per layer direction when the backend has it; else step by step.
        const [out, hN] =
          fusedDirection(this.mode, xw, seq.batchSizes, h0, w, dir === 1) ??
          (dir === 0 ? forwardDirection : reverseDirection)(this.step, xw, seq.batchSizes, h0, w);
        outs.push(out);
        hN.forEach((h, k) => finals[k].push(h));
      }
      layerInput = D === 1 ? outs[0] : cat(outs, 1);
      if (this.dropout > 0 && this.training && layer < this.numLayers - 1)
        layerInput = dropoutOp(layerInput, this.dropout, true);
    }
    return [layerInput, finals.map((f) => stack(f, 0))];
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.projSize !== 0) s += `, proj_size=${this.projSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (!this.bias) s += ", bias=False";
    if (this.batchFirst) s += ", batch_first=True";
    if (this.dropout !== 0) s += `, dropout=${pyFloat(this.dropout)}`;
    if (this.bidirectional) s += ", bidirectional=True";
    return s;
  }
}

function rejectProj<O extends { projSize?: number }>(name: string, o: O): O {
  if (o.projSize !== 0 && o.projSize !== undefined)
    throw new ValueError(`${name}: proj_size argument is only supported for LSTM, not RNN or GRU`);
  return o;
}

/** Calling the module takes a PackedSequence too (Module's own call signature sees one overload). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface RNN {
  (input: PackedSequence, hx?: Tensor | null): [PackedSequence, Tensor];
  (input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
}
/** Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu), per layer. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class RNN extends RNNBase {
  readonly nonlinearity: Nonlinearity;
  constructor(...args: ArgsOf<typeof rnnArgs>) {
    const o = rejectProj("RNN", rnnArgs.parse(args));
    checkNonlinearity("RNN", o.nonlinearity);
    super(o.nonlinearity === "relu" ? "RNN_RELU" : "RNN_TANH", o);
    this.nonlinearity = o.nonlinearity;
  }
  forward(input: PackedSequence, hx?: Tensor | null): [PackedSequence, Tensor];
  forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
  forward(input: Tensor | PackedSequence, hx: Tensor | null = null): [Tensor | PackedSequence, Tensor] {
    const [out, [h]] = this.run(input, hx ? [hx] : null);
    return [out, h];
  }
}

/** As RNN's: callable on tensors and on packed sequences. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface LSTM {
  (input: PackedSequence, hx?: readonly [Tensor, Tensor] | null): [PackedSequence, [Tensor, Tensor]];
  (input: Tensor, hx?: readonly [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]];
}
/** LSTM with gates i, f, g, o; with projSize > 0 the hidden state is projected by W_hr. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class LSTM extends RNNBase {
  constructor(...args: ArgsOf<typeof lstmArgs>) {
    super("LSTM", lstmArgs.parse(args));
  }
  forward(input: PackedSequence, hx?: readonly [Tensor, Tensor] | null): [PackedSequence, [Tensor, Tensor]];
  forward(input: Tensor, hx?: readonly [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]];
  forward(
    input: Tensor | PackedSequence,
    hx: readonly [Tensor, Tensor] | null = null,
  ): [Tensor | PackedSequence, [Tensor, Tensor]] {
    if (hx !== null && (!Array.isArray(hx) || hx.length !== 2))
      throw new ValueError("LSTM: hx must be a pair [h0, c0]");
    const [out, [h, c]] = this.run(input, hx);
    return [out, [h, c]];
  }
}

/** As RNN's: callable on tensors and on packed sequences. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface GRU {
  (input: PackedSequence, hx?: Tensor | null): [PackedSequence, Tensor];
  (input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
}
/** GRU with gates r, z, n: n = tanh(W_in x + b_in + r * (W_hn h + b_hn)), h' = (1 - z) * n + z * h. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class GRU extends RNNBase {
  constructor(...args: ArgsOf<typeof gruArgs>) {
    super("GRU", rejectProj("GRU", gruArgs.parse(args)));
  }
  forward(input: PackedSequence, hx?: Tensor | null): [PackedSequence, Tensor];
  forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
  forward(input: Tensor | PackedSequence, hx: Tensor | null = null): [Tensor | PackedSequence, Tensor] {
    const [out, [h]] = this.run(input, hx ? [hx] : null);
    return [out, h];
  }
}
