// torch.utils.data.random_split and TensorDataset.
import { Tensor } from "../../tensor.js";
import { Dataset, Subset, checkIndex, type MapDataset } from "./dataset.js";
import { randperm, type GeneratorLike } from "./rng.js";

/**
 * Splits a dataset into non-overlapping random subsets of the given lengths, or of the given
 * fractions of its length (summing to 1; the remainder is spread round-robin), as PyTorch 1.13.
 */
export function randomSplit<T>(
  dataset: MapDataset<T>,
  lengths: number[],
  options: { generator?: GeneratorLike | null } = {},
): Subset<T>[] {
  let sizes = lengths;
  const sum = lengths.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) <= 1e-9 && sum <= 1) {
    sizes = lengths.map((frac, i) => {
      if (frac < 0 || frac > 1) throw new Error(`randomSplit: Fraction at index ${i} is not between 0 and 1`);
      return Math.floor(dataset.length * frac);
    });
    const remainder = dataset.length - sizes.reduce((a, b) => a + b, 0);
    for (let i = 0; i < remainder; i++) sizes[i % sizes.length] += 1;
    sizes.forEach((n, i) => {
      if (n === 0)
        process.emitWarning(`randomSplit: Length of split at index ${i} is 0. This might result in an empty dataset.`);
    });
  }
  if (sizes.reduce((a, b) => a + b, 0) !== dataset.length) {
    throw new Error(
      `randomSplit: Sum of input lengths does not equal the length of the input dataset! (lengths [${lengths.join(", ")}], dataset length ${dataset.length})`,
    );
  }
  const indices = randperm(dataset.length, options.generator ?? null);
  const out: Subset<T>[] = [];
  let offset = 0;
  for (const n of sizes) {
    out.push(new Subset(dataset, indices.slice(offset, offset + n)));
    offset += n;
  }
  return out;
}

/** Item i is [t0[i], t1[i], ...]: the tensors sliced along their first dimension. */
export class TensorDataset extends Dataset<Tensor[]> {
  readonly tensors: Tensor[];

  constructor(...tensors: Tensor[]) {
    super();
    if (tensors.length === 0) throw new Error("TensorDataset: needs at least one tensor");
    const n = tensors[0].shape[0];
    for (const t of tensors) {
      if (!(t instanceof Tensor) || t.dim() === 0 || t.shape[0] !== n) {
        throw new Error(
          `TensorDataset: Size mismatch between tensors (first dimensions ${tensors.map((x) => (x instanceof Tensor ? x.shape[0] : typeof x)).join(", ")})`,
        );
      }
    }
    this.tensors = tensors;
  }

  get length(): number {
    return this.tensors[0].shape[0];
  }

  getItem(index: number): Tensor[] {
    const i = checkIndex("TensorDataset", index, this.length);
    return this.tensors.map((t) => t.select(0, i));
  }

  workerSpec(): { module: string; export: string; args: unknown[] } {
    return { module: import.meta.url, export: "TensorDataset", args: this.tensors };
  }
}
