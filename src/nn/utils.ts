// nn.utils: gradient clipping, parameter/vector conversion, and utils.rnn (packed sequences).
import { Tensor } from "../tensor.js";
import { ValueError } from "../errors.js";
import { noGrad } from "../autograd/grad-mode.js";
import { cat } from "../ops/join.js";
import { reshape } from "../ops/view.js";
import { tensor } from "../ops/creation.js";
import { add, div } from "../ops/binary.js";
import { clamp } from "../ops/clamp.js";

type Params = Tensor | Iterable<Tensor>;
const list = (p: Params): Tensor[] => (p instanceof Tensor ? [p] : [...p]);

export interface ClipOptions {
  normType?: number;
  errorIfNonfinite?: boolean;
}

/**
 * Scales all gradients together so their total norm is at most maxNorm (in place); returns the
 * total norm (PyTorch 1.13's clip_grad_norm_: coefficient max_norm / (total + 1e-6), clamped to 1).
 */
export function clipGradNorm_(
  parameters: Params,
  maxNorm: number,
  normType: number | ClipOptions = 2,
  errorIfNonfinite = false,
): Tensor {
  const o: ClipOptions = typeof normType === "number" ? { normType, errorIfNonfinite } : normType;
  const p = o.normType ?? 2;
  const grads = list(parameters)
    .map((t) => t.grad)
    .filter((g): g is Tensor => g !== null);
  if (grads.length === 0) return tensor(0);
  return noGrad(() => {
    let total: Tensor;
    if (p === Infinity) {
      const maxes = grads.map((g) => g.abs().amax());
      total = maxes.length === 1 ? maxes[0] : cat(maxes.map((m) => reshape(m, [1]))).amax();
    } else {
      total = pNorm(cat(grads.map((g) => reshape(pNorm(g, p), [1]))), p);
    }
    const tv = total.item();
    if ((o.errorIfNonfinite ?? false) && !Number.isFinite(tv)) {
      throw new ValueError(
        `clipGradNorm_: the total norm of order ${p} for gradients from \`parameters\` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set \`errorIfNonfinite: false\``,
      );
    }
    const coef = clamp(div(maxNorm, add(total, 1e-6)), null, 1.0);
    for (const g of grads) g.mul_(coef);
    return total;
  });
}

/** The p-norm of all of x's elements, computed as PyTorch 1.13's clip_grad_norm_ does. */
function pNorm(x: Tensor, p: number): Tensor {
  return p === 2
    ? x.mul(x).sum().sqrt()
    : x
        .abs()
        .pow(p)
        .sum()
        .pow(1 / p);
}

/** Clamps every gradient element into [-clipValue, clipValue] in place. */
export function clipGradValue_(parameters: Params, clipValue: number): void {
  noGrad(() => {
    for (const t of list(parameters)) if (t.grad) t.grad.clamp_(-clipValue, clipValue);
  });
}

export function parametersToVector(parameters: Iterable<Tensor>): Tensor {
  return cat([...parameters].map((p) => reshape(p, [-1])));
}

export function vectorToParameters(vec: Tensor, parameters: Iterable<Tensor>): void {
  let at = 0;
  noGrad(() => {
    for (const p of parameters) {
      const n = p.numel();
      p.copy_(reshape(vec.narrow(0, at, n), p.shape));
      at += n;
    }
  });
}

export * as rnn from "./rnn-utils.js";
