// A node of the autograd graph: the backward closure of one recorded op, its edges to the
// nodes (or leaves) that produced its inputs, and the tensors it saved, with their versions so
// that an in-place change after saving is an error instead of a wrong gradient.
import type { DeviceType } from "../storage.js";
import { AutogradError } from "../errors.js";
import type { Tensor } from "../tensor.js";

export type Edge = { node: Node; outputNr: number } | { leaf: Tensor } | null;
export type BackwardFn = (grads: Tensor[]) => readonly (Tensor | null | undefined)[];
/** Shape, dtype and device of one output, to make a zero gradient for an output that got none. */
export interface OutputMeta {
  shape: readonly number[];
  dtype: Tensor["dtype"];
  device: DeviceType;
}

let sequence = 0;

export class Node {
  readonly seq = sequence++;
  /** Gradient hooks of retained non-leaf outputs: output index -> tensor. */
  retained: Map<number, Tensor> | null = null;
  /** Made by a custom autograd.Function: printed without PyTorch's "0" overload suffix. */
  custom = false;
  private fn: BackwardFn | null;
  private savedVersions: number[];

  constructor(
    /** The name PyTorch gives this backward function (printed as grad_fn=<…>); ops may relabel it. */
    public name: string,
    readonly next: Edge[],
    fn: BackwardFn,
    private saved: readonly Tensor[],
    /** Shapes and dtypes of the outputs, to make zero gradients for unused outputs. */
    readonly outputs: readonly OutputMeta[],
  ) {
    this.fn = fn;
    const versions = new Array<number>(saved.length);
    for (let i = 0; i < saved.length; i++) versions[i] = saved[i].storage.version;
    this.savedVersions = versions;
  }

  /** Runs the backward closure; frees it unless the graph is retained. */
  apply(grads: Tensor[], retainGraph: boolean): readonly (Tensor | null | undefined)[] {
    if (this.fn === null) {
      throw new AutogradError(
        `${this.name}: trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). ` +
          "Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). " +
          "Specify retainGraph: true if you need to backward through the graph a second time.",
      );
    }
    for (let i = 0; i < this.saved.length; i++) {
      const t = this.saved[i];
      if (t.storage.version !== this.savedVersions[i]) {
        throw new AutogradError(
          `${this.name}: one of the variables needed for gradient computation has been modified by an inplace operation: ` +
            `[${t.dtype} [${t.shape.join(", ")}]] is at version ${t.storage.version}; expected version ${this.savedVersions[i]} instead.`,
        );
      }
    }
    const fn = this.fn;
    if (!retainGraph) {
      // Freed with the closure, as PyTorch frees saved variables: a graph still referenced after
      // backward (a loop's `loss` or model output, kept until the next step reassigns it) must not
      // keep the step's activations alive. Kept, they outlived the step's garbage collection at the
      // end of backward (src/storage-step.ts), and the storage allocator's mark-compact there
      // promoted ~95 MB of them every 3rd ResNet-20 step.
      this.fn = null;
      this.saved = [];
      this.savedVersions = [];
    }
    return fn(grads);
  }
}
