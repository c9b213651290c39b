// torch.distributions' Distribution base: batch/event shapes, sample shapes, argument checks.
import { Tensor } from "../tensor.js";
import { ValueError } from "../errors.js";
import { broadcastShapes } from "../shape.js";
import { tensor } from "../ops/creation.js";
import { expand } from "../ops/view.js";
import { noGrad } from "../autograd/grad-mode.js";

export type SampleShape = number[] | readonly number[];
export type TensorOrNumber = Tensor | number;

/** broadcast_all: numbers become tensors (of the first tensor's dtype, else float32), all expanded together. */
export function broadcastAll(...vals: TensorOrNumber[]): Tensor[] {
  const first = vals.find((v): v is Tensor => v instanceof Tensor);
  const dtype = first?.dtype === "float64" ? "float64" : "float32";
  const ts = vals.map((v) => (v instanceof Tensor ? v : tensor(v, { dtype })));
  const shape = ts.reduce<number[]>((s, t) => broadcastShapes(s, t.shape, "broadcast_all"), []);
  return ts.map((t) =>
    t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i]) ? t : expand(t, shape),
  );
}

export abstract class Distribution {
  readonly batchShape: number[];
  readonly eventShape: number[];
  constructor(batchShape: readonly number[], eventShape: readonly number[] = []) {
    this.batchShape = [...batchShape];
    this.eventShape = [...eventShape];
  }
  /** sample_shape + batch_shape + event_shape. */
  extendedShape(sampleShape: SampleShape = []): number[] {
    return [...sampleShape, ...this.batchShape, ...this.eventShape];
  }
  abstract get mean(): Tensor;
  abstract get variance(): Tensor;
  get stddev(): Tensor {
    return this.variance.sqrt();
  }
  /** A sample without gradient (PyTorch's sample runs rsample, or its own draw, under no_grad). */
  sample(sampleShape: SampleShape = []): Tensor {
    return noGrad(() => this.rsample(sampleShape));
  }
  rsample(_sampleShape: SampleShape = []): Tensor {
    throw new ValueError(
      `${this.constructor.name}: rsample is not available (the distribution is not reparameterizable)`,
    );
  }
  abstract logProb(value: Tensor): Tensor;
  abstract entropy(): Tensor;
  get hasRsample(): boolean {
    return false;
  }
}
