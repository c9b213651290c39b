// nn.utils.rnn: PackedSequence and the functions that pad, pack and unpack variable-length
// sequences, composed from differentiable ops (narrow, cat, stack, index_select) so gradients
// flow back to the padded input as PyTorch's dedicated backward functions send them.
import { Tensor } from "../tensor.js";
import type { DType } from "../dtype.js";
import { ShapeError, ValueError, fmtShape } from "../errors.js";
import { formatTensor } from "../format.js";
import { full, tensor } from "../ops/creation.js";
import { cat, stack } from "../ops/join.js";
import { indexSelect } from "../ops/indexing.js";
import { narrow, reshape, select, transpose } from "../ops/view.js";
import { parseArgs } from "../ops/util.js";

/**
 * A batch of variable-length sequences packed time step by time step: `data` holds the
 * batchSizes[t] elements present at step t, one step after the other; sortedIndices (if the
 * batch was sorted by length) maps packed order to the caller's batch order. As PyTorch's
 * namedtuple it destructures: `const [data, batchSizes] = packed`.
 */
export class PackedSequence {
  readonly data: Tensor;
  readonly batchSizes: Tensor;
  readonly sortedIndices: Tensor | null;
  readonly unsortedIndices: Tensor | null;
  constructor(
    data: Tensor,
    batchSizes: Tensor,
    sortedIndices: Tensor | null = null,
    unsortedIndices: Tensor | null = null,
  ) {
    this.data = data;
    this.batchSizes = batchSizes;
    this.sortedIndices = sortedIndices;
    this.unsortedIndices = unsortedIndices ?? invertPermutation(sortedIndices);
  }
  *[Symbol.iterator](): IterableIterator<Tensor | null> {
    yield this.data;
    yield this.batchSizes;
    yield this.sortedIndices;
    yield this.unsortedIndices;
  }
  /** The same packing over data cast to dtype (PyTorch's PackedSequence.to / double / float). */
  to(dtype: DType | { dtype: DType }): PackedSequence {
    const dt = typeof dtype === "string" ? dtype : dtype.dtype;
    return dt === this.data.dtype
      ? this
      : new PackedSequence(this.data.to(dt), this.batchSizes, this.sortedIndices, this.unsortedIndices);
  }
  double(): PackedSequence {
    return this.to("float64");
  }
  float(): PackedSequence {
    return this.to("float32");
  }
  toString(): string {
    const opt = (t: Tensor | null): string => (t ? formatTensor(t) : "None");
    return `PackedSequence(data=${formatTensor(this.data)}, batch_sizes=${formatTensor(this.batchSizes)}, sorted_indices=${opt(this.sortedIndices)}, unsorted_indices=${opt(this.unsortedIndices)})`;
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** The batch sizes of a packed sequence as numbers. */
export const batchSizesOf = (p: PackedSequence): number[] => Array.from(p.batchSizes.typedArray(), Number);

export function invertPermutation(permutation: Tensor | null): Tensor | null {
  if (permutation === null) return null;
  const perm = Array.from(permutation.typedArray(), Number);
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return tensor(inv, { dtype: "int64" });
}

const lengthsOf = (lengths: Tensor | readonly number[]): number[] =>
  lengths instanceof Tensor ? Array.from(lengths.typedArray(), Number) : [...lengths];

/** packPaddedSequence(input, lengths, batchFirst = false, enforceSorted = true), or the options object. */
export function packPaddedSequence(
  input: Tensor,
  lengths: Tensor | readonly number[],
  ...args: [] | [boolean | PackOptions] | [boolean, boolean | PackOptions]
): PackedSequence {
  const o = parseArgs<PackOptions & Record<string, unknown>>(
    "packPaddedSequence",
    args,
    ["batchFirst", "enforceSorted"],
    { batchFirst: false, enforceSorted: true },
  );
  let lens = lengthsOf(lengths);
  if (input.dim() < 2)
    throw new ShapeError(
      `packPaddedSequence: expected input with at least 2 dimensions (T x B x *), got ${fmtShape(input.shape)}`,
    );
  const batchDim = o.batchFirst ? 0 : 1;
  const batch = input.shape[batchDim];
  if (lens.length !== batch)
    throw new ValueError(
      `packPaddedSequence: expected len(lengths) to be equal to batch_size, but got ${lens.length} (batch_size=${batch}, input ${fmtShape(input.shape)})`,
    );
  let sortedIndices: Tensor | null = null;
  if (!o.enforceSorted) {
    const order = sortDescending(lens);
    lens = order.map((i) => lens[i]);
    sortedIndices = tensor(order, { dtype: "int64" });
    input = indexSelect(input, batchDim, sortedIndices);
  } else if (lens.some((l, i) => i > 0 && l > lens[i - 1])) {
    throw new ValueError(
      `packPaddedSequence: \`lengths\` array must be sorted in decreasing order when \`enforceSorted\` is true, got [${lens.join(", ")}]. You can pass \`enforceSorted: false\` to packPaddedSequence and/or packSequence to sidestep this requirement if you do not need ONNX exportability.`,
    );
  }
  if (batch === 0 || lens[lens.length - 1] <= 0)
    throw new ValueError(
      "packPaddedSequence: length of all samples has to be greater than 0, but found an element in 'lengths' that is <= 0",
    );
  if (o.batchFirst) input = transpose(input, 0, 1);
  const steps = input.shape[0];
  if (lens[0] > steps)
    throw new ShapeError(
      `packPaddedSequence: the longest length ${lens[0]} exceeds the sequence dimension of the input ${fmtShape(o.batchFirst ? transpose(input, 0, 1).shape : input.shape)}`,
    );
  const rest = input.shape.slice(2);
  const pieces: Tensor[] = [];
  const batchSizes: number[] = [];
  // Runs of time steps with the same batch size go in one piece: input[t0:t1, :b] flattened.
  let t0 = 0;
  for (let b = lens.length; b > 0; b--) {
    const t1 = lens[b - 1];
    if (t1 <= t0) continue;
    pieces.push(reshape(narrow(narrow(input, 0, t0, t1 - t0), 1, 0, b), [-1, ...rest]));
    for (let t = t0; t < t1; t++) batchSizes.push(b);
    t0 = t1;
  }
  const data = pieces.length === 1 ? pieces[0] : cat(pieces, 0);
  return new PackedSequence(data, tensor(batchSizes, { dtype: "int64" }), sortedIndices, null);
}
export interface PackOptions {
  batchFirst?: boolean;
  enforceSorted?: boolean;
}

export interface PadPackedOptions {
  batchFirst?: boolean;
  paddingValue?: number;
  totalLength?: number | null;
}

/** padPackedSequence(sequence, batchFirst = false, paddingValue = 0, totalLength = null): [padded, lengths]. */
export function padPackedSequence(
  sequence: PackedSequence,
  ...args:
    | []
    | [boolean | PadPackedOptions]
    | [boolean, number | PadPackedOptions]
    | [boolean, number, number | null | PadPackedOptions]
): [Tensor, Tensor] {
  const o = parseArgs<PadPackedOptions & Record<string, unknown>>(
    "padPackedSequence",
    args,
    ["batchFirst", "paddingValue", "totalLength"],
    { batchFirst: false, paddingValue: 0, totalLength: null },
  );
  const bs = batchSizesOf(sequence);
  let steps = bs.length;
  if (o.totalLength !== null && o.totalLength !== undefined) {
    if (o.totalLength < steps)
      throw new ValueError(
        `padPackedSequence: expected totalLength to be at least the length of the longest sequence in input, but got totalLength=${o.totalLength} and max sequence length being ${steps}`,
      );
    steps = o.totalLength;
  }
  const data = sequence.data;
  const rest = data.shape.slice(1);
  const batch = bs[0];
  const pad = o.paddingValue ?? 0;
  const blank = (n: number, m: number): Tensor => full([n, m, ...rest], pad, { dtype: data.dtype });
  const pieces: Tensor[] = [];
  let off = 0;
  for (let t = 0; t < bs.length;) {
    let t1 = t;
    while (t1 < bs.length && bs[t1] === bs[t]) t1++;
    const b = bs[t],
      n = t1 - t;
    let piece = reshape(narrow(data, 0, off, n * b), [n, b, ...rest]);
    if (b < batch) piece = cat([piece, blank(n, batch - b)], 1);
    pieces.push(piece);
    off += n * b;
    t = t1;
  }
  if (steps > bs.length) pieces.push(blank(steps - bs.length, batch));
  let padded = pieces.length === 1 ? pieces[0] : cat(pieces, 0);
  const lens = Array.from({ length: batch }, (_, i) => bs.filter((b) => b > i).length);
  if (o.batchFirst) padded = transpose(padded, 0, 1);
  let lengths = tensor(lens, { dtype: "int64" });
  if (sequence.unsortedIndices) {
    padded = indexSelect(padded, o.batchFirst ? 0 : 1, sequence.unsortedIndices);
    lengths = indexSelect(lengths, 0, sequence.unsortedIndices);
  }
  return [padded, lengths];
}

export interface PadSequenceOptions {
  batchFirst?: boolean;
  paddingValue?: number;
}

/** padSequence(sequences, batchFirst = false, paddingValue = 0): [T, B, *] (or [B, T, *]). */
export function padSequence(
  sequences: readonly Tensor[] | Tensor,
  ...args: [] | [boolean | PadSequenceOptions] | [boolean, number | PadSequenceOptions]
): Tensor {
  const o = parseArgs<PadSequenceOptions & Record<string, unknown>>(
    "padSequence",
    args,
    ["batchFirst", "paddingValue"],
    { batchFirst: false, paddingValue: 0 },
  );
  const seqs =
    sequences instanceof Tensor
      ? Array.from({ length: sequences.shape[0] }, (_, i) => select(sequences, 0, i))
      : [...sequences];
  if (seqs.length === 0) throw new ValueError("padSequence: received an empty list of sequences");
  const ref = seqs[0];
  if (ref.dim() === 0)
    throw new ShapeError("padSequence: expected sequences with at least 1 dimension, got a 0-D tensor");
  const rest = ref.shape.slice(1);
  const maxLen = Math.max(...seqs.map((s) => s.shape[0]));
  const padded = seqs.map((s, i) => {
    if (s.dim() !== ref.dim() || s.shape.slice(1).some((d, j) => d !== rest[j])) {
      throw new ShapeError(
        `padSequence: all sequences must have the same trailing dimensions, got ${fmtShape(ref.shape)} for sequence 0 and ${fmtShape(s.shape)} for sequence ${i}`,
      );
    }
    return s.shape[0] === maxLen
      ? s
      : cat([s, full([maxLen - s.shape[0], ...rest], o.paddingValue ?? 0, { dtype: s.dtype })], 0);
  });
  return stack(padded, o.batchFirst ? 0 : 1);
}

/** packSequence(sequences, enforceSorted = true): padSequence then packPaddedSequence. */
export function packSequence(
  sequences: readonly Tensor[],
  enforceSorted: boolean | { enforceSorted?: boolean } = true,
): PackedSequence {
  const sorted = typeof enforceSorted === "boolean" ? enforceSorted : (enforceSorted.enforceSorted ?? true);
  return packPaddedSequence(
    padSequence(sequences),
    sequences.map((s) => s.shape[0]),
    { enforceSorted: sorted },
  );
}

/** unpadSequence(padded, lengths, batchFirst = false): the list of unpadded sequences. */
export function unpadSequence(
  padded: Tensor,
  lengths: Tensor | readonly number[],
  batchFirst: boolean | { batchFirst?: boolean } = false,
): Tensor[] {
  const bf = typeof batchFirst === "boolean" ? batchFirst : (batchFirst.batchFirst ?? false);
  return lengthsOf(lengths).map((l, i) => narrow(select(padded, bf ? 0 : 1, i), 0, 0, l));
}

/** unpackSequence(packed): the list of sequences in the caller's batch order. */
export function unpackSequence(packed: PackedSequence): Tensor[] {
  const [padded, lengths] = padPackedSequence(packed, { batchFirst: true });
  return unpadSequence(padded, lengths, true);
}

/**
 * Indices that sort `v` in decreasing order, as torch.sort(v, descending=True) orders them on the
 * CPU: PyTorch 1.13 calls std::sort (libstdc++'s introsort), which is not stable above 16
 * elements, so ties come out in its order, reproduced here step by step.
 */
export function sortDescending(v: readonly number[]): number[] {
  const a = v.map((x, i) => [x, i] as [number, number]);
  const less = (p: [number, number], q: [number, number]): boolean => p[0] > q[0];
  const swap = (i: number, j: number): void => {
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  };
  const linearInsert = (last: number): void => {
    const val = a[last];
    let next = last - 1;
    while (less(val, a[next])) {
      a[last] = a[next];
      last = next;
      next--;
    }
    a[last] = val;
  };
  const insertionSort = (first: number, last: number): void => {
    for (let i = first + 1; i < last; i++) {
      if (less(a[i], a[first])) {
        const val = a[i];
        for (let k = i; k > first; k--) a[k] = a[k - 1];
        a[first] = val;
      } else linearInsert(i);
    }
  };
  const moveMedianToFirst = (result: number, x: number, y: number, z: number): void => {
    if (less(a[x], a[y])) {
      if (less(a[y], a[z])) swap(result, y);
      else if (less(a[x], a[z])) swap(result, z);
      else swap(result, x);
    } else if (less(a[x], a[z])) swap(result, x);
    else if (less(a[y], a[z])) swap(result, z);
    else swap(result, y);
  };
  const partition = (first: number, last: number, pivot: number): number => {
    for (;;) {
      while (less(a[first], a[pivot])) first++;
      last--;
      while (less(a[pivot], a[last])) last--;
      if (!(first < last)) return first;
      swap(first, last);
      first++;
    }
  };
  const THRESHOLD = 16;
  const introsort = (first: number, last: number, depth: number): void => {
    while (last - first > THRESHOLD) {
      if (depth === 0) {
        // libstdc++ falls back to heapsort here; any correct sort gives the same values, and
        // this only happens on adversarial inputs, so ties may then differ from PyTorch's.
        const part = a.slice(first, last).sort((p, q) => q[0] - p[0]);
        a.splice(first, last - first, ...part);
        return;
      }
      depth--;
      moveMedianToFirst(first, first + 1, first + ((last - first) >> 1), last - 1);
      const cut = partition(first + 1, last, first);
      introsort(cut, last, depth);
      last = cut;
    }
  };
  const n = a.length;
  if (n > 1) {
    introsort(0, n, 2 * Math.floor(Math.log2(n)));
    if (n > THRESHOLD) {
      insertionSort(0, THRESHOLD);
      for (let i = THRESHOLD; i < n; i++) linearInsert(i);
    } else insertionSort(0, n);
  }
  return a.map((p) => p[1]);
}
