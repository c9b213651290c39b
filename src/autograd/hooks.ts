// Small tensor helpers the engine needs (kept apart so the engine file stays about ordering).
import { Tensor } from "../tensor.js";
import { add } from "../ops/binary.js";
import { zeros } from "../ops/creation.js";
import { clone } from "../ops/cast.js";
import { noGrad } from "./grad-mode.js";

export const accumulate = (a: Tensor, b: Tensor): Tensor => add(a, b);
export const zerosFor = (meta: { shape: number[]; dtype: Tensor["dtype"] }): Tensor => zeros(meta.shape, { dtype: meta.dtype });
/** A gradient stored in .grad owns its memory: optimizers update it in place. */
export const detachedClone = (g: Tensor): Tensor => noGrad(() => clone(g));
