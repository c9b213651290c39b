// F.pad: constant, reflect, replicate and circular padding. `pad` lists (before, after) pairs
// starting from the LAST dim, as PyTorch's. Negative constant pads crop.
import { Tensor } from "../tensor.js";
import { ShapeError, ValueError, fmtShape } from "../errors.js";
import { backend } from "../backend/backend.js";
import { record } from "../autograd/record.js";
import { full } from "./creation.js";
import { narrow } from "./view.js";
import { indexSelect } from "./indexing.js";
import { wrap } from "./util.js";

export type PadMode = "constant" | "reflect" | "replicate" | "circular";

export function pad(input: Tensor, padding: readonly number[], mode: PadMode = "constant", value = 0): Tensor {
  if (padding.length % 2 !== 0)
    throw new ValueError(`pad: padding length must be divisible by 2, got ${padding.length}`);
  const k = padding.length / 2;
  if (k > input.dim())
    throw new ShapeError(`pad: padding length ${padding.length} is too large for input ${fmtShape(input.shape)}`);
  if (mode === "constant") return constantPad(input, padding, value);
  if (k > 3 || input.dim() < k + 1) {
    throw new ValueError(
      `pad: ${mode} padding of ${k} dims needs a ${k + 1}-D or ${k + 2}-D input, got ${fmtShape(input.shape)}`,
    );
  }
  let x = input;
  for (let i = 0; i < k; i++) {
    const dim = input.dim() - 1 - i;
    const [l, r] = [padding[2 * i], padding[2 * i + 1]];
    const n = x.shape[dim];
    if (mode === "reflect" && (l >= n || r >= n)) {
      throw new ValueError(
        `pad: padding size should be less than the corresponding input dimension, but got padding (${l}, ${r}) at dimension ${dim} of input ${fmtShape(input.shape)}`,
      );
    }
    if (mode === "circular" && (l > n || r > n)) {
      throw new ValueError(
        `pad: padding value causes wrapping around more than once (padding (${l}, ${r}), dimension ${dim} of ${fmtShape(input.shape)})`,
      );
    }
    const idx = new Float64Array(n + l + r);
    for (let o = 0; o < idx.length; o++) {
      const j = o - l;
      if (mode === "reflect") idx[o] = j < 0 ? -j : j >= n ? 2 * (n - 1) - j : j;
      else if (mode === "replicate") idx[o] = Math.min(Math.max(j, 0), n - 1);
      else idx[o] = ((j % n) + n) % n;
    }
    x = indexSelect(x, dim, wrap(idx, [idx.length], "int64").to(x.device));
  }
  return x;
}

function constantPad(input: Tensor, padding: readonly number[], value: number): Tensor {
  let x = input;
  const shape = [...input.shape];
  const k = padding.length / 2;
  // Crop first (negative pads), so the rest only grows.
  for (let i = 0; i < k; i++) {
    const dim = input.dim() - 1 - i;
    const l = padding[2 * i],
      r = padding[2 * i + 1];
    const start = Math.max(-l, 0),
      end = x.shape[dim] - Math.max(-r, 0);
    if (end - start < 0 || shape[dim] + l + r < 0)
      throw new ShapeError(
        `pad: the input size ${shape[dim]} plus negative padding (${l}, ${r}) gives a negative size at dimension ${dim}`,
      );
    if (start > 0 || end < x.shape[dim]) x = narrow(x, dim, start, end - start);
    shape[dim] += l + r;
  }
  const out = full(shape, value, { dtype: input.dtype, device: input.storage.device });
  const region = (t: Tensor): Tensor => {
    let v = t;
    for (let i = 0; i < k; i++) {
      const dim = input.dim() - 1 - i;
      v = narrow(v, dim, Math.max(padding[2 * i], 0), x.shape[dim]);
    }
    return v;
  };
  backend().assign(region(out), x);
  return record("ConstantPadNdBackward", [x], out, ([g]) => [region(g)]);
}
