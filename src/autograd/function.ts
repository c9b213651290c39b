// torch.autograd.Function: user-defined ops with a custom backward, on the same machinery as
// the built-in ops (record()).
import { Tensor } from "../tensor.js";
import { AutogradError } from "../errors.js";
import { noGrad } from "./grad-mode.js";
import { record } from "./record.js";
import { toDType } from "../ops/cast.js";

export class FunctionCtx {
  savedTensors: Tensor[] = [];
  needsInputGrad: boolean[] = [];
  /** Free-form values saved by forward for backward (torch lets ctx carry attributes). */
  [key: string]: unknown;
  saveForBackward(...tensors: Tensor[]): void {
    this.savedTensors = tensors;
  }
}

type Grads = Tensor | null | undefined | readonly (Tensor | null | undefined)[];

export class Function {
  static forward(_ctx: FunctionCtx, ..._args: unknown[]): Tensor | Tensor[] {
    throw new AutogradError("autograd.Function: subclasses must implement static forward(ctx, ...args)");
  }
  static backward(_ctx: FunctionCtx, ..._grads: Tensor[]): Grads {
    throw new AutogradError("autograd.Function: subclasses must implement static backward(ctx, ...grads)");
  }
  /** Runs forward without recording, then records one node whose backward is the class's. */
  static apply(...args: unknown[]): Tensor | Tensor[] {
    const ctx = new FunctionCtx();
    const tensorArgs = args.filter((a): a is Tensor => a instanceof Tensor);
    ctx.needsInputGrad = args.map((a) => a instanceof Tensor && a.requiresGrad);
    const out = noGrad(() => this.forward(ctx, ...args));
    const outs = Array.isArray(out) ? out : [out];
    // Outputs that alias inputs get fresh tensor objects so the input's history is untouched.
    const fresh = outs.map((o) =>
      tensorArgs.includes(o) ? new Tensor(o.storage, o.shape, o.strides, o.offset, o.dtype) : o,
    );
    const result = Array.isArray(out) ? fresh : fresh[0];
    const recorded = record(
      this.name + "Backward",
      tensorArgs,
      result,
      (grads) => {
        const r = this.backward(ctx, ...grads);
        const list = Array.isArray(r) ? r : [r];
        // backward returns one value per forward argument; keep the tensor arguments' ones,
        // checked like PyTorch's validate_outputs: the input's shape, cast to the input's dtype.
        return args.flatMap((a, i) => {
          if (!(a instanceof Tensor)) return [];
          const g = list[i] ?? null;
          if (g === null) return [null];
          if (!(g instanceof Tensor))
            throw new AutogradError(
              `${this.name}Backward: backward returned a ${typeof g} at index ${i}, expected a Tensor or null`,
            );
          if (g.shape.length !== a.shape.length || g.shape.some((s, k) => s !== a.shape[k])) {
            throw new AutogradError(
              `Function ${this.name}Backward returned an invalid gradient at index ${i} - got [${g.shape.join(", ")}] but expected shape compatible with [${a.shape.join(", ")}]`,
            );
          }
          return [g.dtype === a.dtype ? g : toDType(g, a.dtype)];
        });
      },
      ctx.savedTensors,
    );
    const node = (Array.isArray(recorded) ? recorded[0] : recorded)?.gradFn;
    if (node) node.custom = true;
    return recorded;
  }
}
