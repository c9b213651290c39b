// Hyper-parameter checks shared by the optimizers, with PyTorch's messages.
import { ValueError } from "../errors.js";

/** Python float arithmetic done in float32, where PyTorch keeps a value in a float32 tensor. */
export const f32 = Math.fround;
export function check(name: string, d: Record<string, unknown>, keys: string[]): void {
  for (const k of keys)
    if (!((d[k] as number) >= 0)) throw new ValueError(`${name}: invalid ${k} value: ${String(d[k])}`);
}
export function checkBetas(name: string, b: readonly number[]): void {
  b.forEach((v, i) => {
    if (!(v >= 0 && v < 1)) throw new ValueError(`${name}: invalid beta parameter at index ${i}: ${v}`);
  });
}
