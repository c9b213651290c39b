// The collectives of torch.distributed on tensors: allReduce, broadcast, reduce, allGather,
// gather, scatter, reduceScatter, allToAll, barrier. Each one issues one Gloo operation on the
// group's thread (see native/gloo/process_group.h); asyncOp: true returns the Work at once,
// otherwise it is waited for before returning (PyTorch then returns None: here null).
import type { Tensor } from "../tensor.js";
import { parseArgs } from "../ops/util.js";
import { DTypeError, ValueError } from "../errors.js";
import { WireOp, type Wire } from "./addon-types.js";
import { ProcessGroup, Work } from "./group.js";
import { resolveGroup } from "./init.js";
import { bufferLike, checkAlike, lend, wireType, writeInto } from "./wire.js";

/** torch.distributed.ReduceOp. AVG divides the sum by the group size (truncating for integer dtypes). */
export const ReduceOp = { SUM: "sum", PRODUCT: "product", MIN: "min", MAX: "max", AVG: "avg" } as const;
export type ReduceOpName = (typeof ReduceOp)[keyof typeof ReduceOp];

interface Common {
  group: ProcessGroup | null;
  asyncOp: boolean;
}
const COMMON: Common = { group: null, asyncOp: false };

function reduceCode(op: string, r: unknown, t: Tensor): { code: WireOp; avg: boolean } {
  if (t.dtype === "bool") throw new DTypeError(`${op}: reductions are not supported for dtype bool`);
  switch (r) {
    case "sum":
      return { code: WireOp.Sum, avg: false };
    case "product":
      return { code: WireOp.Product, avg: false };
    case "min":
      return { code: WireOp.Min, avg: false };
    case "max":
      return { code: WireOp.Max, avg: false };
    case "avg":
      return { code: WireOp.Sum, avg: true };
    default:
      throw new ValueError(
        `${op}: unknown reduce op ${String(r)} (use distributed.ReduceOp.SUM, PRODUCT, MIN, MAX or AVG)`,
      );
  }
}

function divideBy(buf: Wire, n: number, integral: boolean): void {
  if (integral) for (let i = 0; i < buf.length; i++) buf[i] = Math.trunc(buf[i] / n);
  else for (let i = 0; i < buf.length; i++) buf[i] /= n;
}
const integral = (t: Tensor): boolean => !t.isFloatingPoint();

function finish(w: Work, asyncOp: boolean): Work | null {
  if (asyncOp) return w;
  w.wait();
  return null;
}

const describe = (op: string, g: ProcessGroup): string => `distributed.${op} (rank ${g.rank()} of ${g.size()})`;

/** all_reduce(tensor, op=SUM, group=None, async_op=False): in place on every rank. */
export function allReduce(tensor: Tensor, ...args: unknown[]): Work | null {
  const name = "allReduce";
  const o = parseArgs<Common & { op: ReduceOpName } & Record<string, unknown>>(name, args, ["op", "group", "asyncOp"], {
    ...COMMON,
    op: "sum",
  });
  const g = resolveGroup(name, o.group);
  if (!g.isMember) return null;
  const { code, avg } = reduceCode(name, o.op, tensor);
  const lent = lend(tensor);
  const w = g.nativeFor(name).allreduce(lent.buf, wireType(tensor), code);
  return finish(
    new Work(
      [w],
      () => {
        if (avg) divideBy(lent.buf, g.size(), integral(tensor));
        lent.commit();
      },
      describe(name, g),
    ),
    o.asyncOp,
  );
}

/** broadcast(tensor, src, group=None, async_op=False): src's tensor into every rank's. */
export function broadcast(tensor: Tensor, ...args: unknown[]): Work | null {
  const name = "broadcast";
  const o = parseArgs<Common & { src: number } & Record<string, unknown>>(name, args, ["src", "group", "asyncOp"], {
    ...COMMON,
  });
  if (!Number.isInteger(o.src)) throw new ValueError(`${name}: src (a global rank) is required`);
  const g = resolveGroup(name, o.group);
  if (!g.isMember) return null;
  const root = g.groupRankOf(name, o.src);
  const lent = lend(tensor);
  const w = g.nativeFor(name).broadcast(lent.buf, wireType(tensor), root);
  return finish(new Work([w], lent.commit, describe(name, g)), o.asyncOp);
}

/** reduce(tensor, dst, op=SUM, group=None, async_op=False): the result lands in dst's tensor only. */
export function reduce(tensor: Tensor, ...args: unknown[]): Work | null {
  const name = "reduce";
  const o = parseArgs<Common & { dst: number; op: ReduceOpName } & Record<string, unknown>>(
    name,
    args,
    ["dst", "op", "group", "asyncOp"],
    { ...COMMON, op: "sum" },
  );
  if (!Number.isInteger(o.dst)) throw new ValueError(`${name}: dst (a global rank) is required`);
  const g = resolveGroup(name, o.group);
  if (!g.isMember) return null;
  const root = g.groupRankOf(name, o.dst);
  const { code, avg } = reduceCode(name, o.op, tensor);
  // Gloo uses every rank's buffer as scratch; only the root's tensor is written.
  const isRoot = g.rank() === root;
  const lent = isRoot ? lend(tensor) : { buf: tensor.typedArray() as Wire, commit: () => undefined };
  const w = g.nativeFor(name).reduce(lent.buf, wireType(tensor), code, root);
  return finish(
    new Work(
      [w],
      () => {
        if (!isRoot) return;
        if (avg) divideBy(lent.buf, g.size(), integral(tensor));
        lent.commit();
      },
      describe(name, g),
    ),
    o.asyncOp,
  );
}

/** all_gather(tensor_list, tensor, group=None, async_op=False): tensorList[i] = rank i's tensor. */
export function allGather(tensorList: Tensor[], tensor: Tensor, ...args: unknown[]): Work | null {
  const name = "allGather";
  const o = parseArgs<Common & Record<string, unknown>>(name, args, ["group", "asyncOp"], { ...COMMON });
  const g = resolveGroup(name, o.group);
  if (!g.isMember) return null;
  if (tensorList.length !== g.size())
    throw new ValueError(`${name}: tensorList has ${tensorList.length} tensors, expected the group size ${g.size()}`);
  tensorList.forEach((t, i) => checkAlike(name, tensor, t, `tensorList[${i}]`));
  const n = tensor.numel();
  const out = bufferLike(tensor, n * g.size());
  const w = g.nativeFor(name).allgather(tensor.typedArray() as Wire, out, wireType(tensor));
  return finish(
    new Work(
      [w],
      () => tensorList.forEach((t, i) => writeInto(t, out.subarray(i * n, (i + 1) * n))),
      describe(name, g),
    ),
    o.asyncOp,
  );
}

/** gather(tensor, gather_list=None, dst=0, group=None, async_op=False): the list is filled on dst only. */
export function gather(tensor: Tensor, ...args: unknown[]): Work | null {
  const name = "gather";
  const o = parseArgs<Common & { gatherList: Tensor[] | null; dst: number } & Record<string, unknown>>(
    name,
    args,
    ["gatherList", "dst", "group", "asyncOp"],
    { ...COMMON, gatherList: null, dst: 0 },
  );
  const g = resolveGroup(name, o.group);
  if (!g.isMember) return null;
  const root = g.groupRankOf(name, o.dst);
  const isRoot = g.rank() === root;
  const list = o.gatherList;
  if (isRoot) {
    if (list === null || list.length !== g.size())
      throw new ValueError(`${name}: on the destination rank, gatherList must hold ${g.size()} tensors`);
    list.forEach((t, i) => checkAlike(name, tensor, t, `gatherList[${i}]`));
  } else if (list !== null && list.length > 0) {
    throw new ValueError(`${name}: gatherList must be given on the destination rank only`);
  }
  const n = tensor.numel();
  const out = isRoot ? bufferLike(tensor, n * g.size()) : null;
  const w = g.nativeFor(name).gather(tensor.typedArray() as Wire, out, wireType(tensor), root);
  return finish(
    new Work(
      [w],
      () => {
        if (out !== null && list !== null) list.forEach((t, i) => writeInto(t, out.subarray(i * n, (i + 1) * n)));
      },
      describe(name, g),
    ),
    o.asyncOp,
  );
}

/** scatter(tensor, scatter_list=None, src=0, group=None, async_op=False): rank i gets scatterList[i] of src. */
export function scatter(tensor: Tensor, ...args: unknown[]): Work | null {
  const name = "scatter";
  const o = parseArgs<Common & { scatterList: Tensor[] | null; src: number } & Record<string, unknown>>(
    name,
    args,
    ["scatterList", "src", "group", "asyncOp"],
    { ...COMMON, scatterList: null, src: 0 },
  );
  const g = resolveGroup(name, o.group);
  if (!g.isMember) return null;
  const root = g.groupRankOf(name, o.src);
  const isRoot = g.rank() === root;
  const list = o.scatterList;
  let inputs: Wire[] | null = null;
  if (isRoot) {
    if (list === null || list.length !== g.size())
      throw new ValueError(`${name}: on the source rank, scatterList must hold ${g.size()} tensors`);
    list.forEach((t, i) => checkAlike(name, tensor, t, `scatterList[${i}]`));
    inputs = list.map((t) => t.typedArray() as Wire);
  } else if (list !== null && list.length > 0) {
    throw new ValueError(`${name}: scatterList must be given on the source rank only`);
  }
  const lent = lend(tensor);
  const w = g.nativeFor(name).scatter(inputs, lent.buf, wireType(tensor), root);
  return finish(new Work([w], lent.commit, describe(name, g)), o.asyncOp);
}

/**
 * reduce_scatter(output, input_list, op=SUM, group=None, async_op=False): output on rank i is
 * the reduction of every rank's inputList[i]. PyTorch 1.13's Gloo backend has no reduce-scatter;
 * this one is an allreduce of the concatenated inputs of which each rank keeps its block (more
 * traffic than a dedicated algorithm, same result).
 */
export function reduceScatter(output: Tensor, inputList: Tensor[], ...args: unknown[]): Work | null {
  const name = "reduceScatter";
  const o = parseArgs<Common & { op: ReduceOpName } & Record<string, unknown>>(name, args, ["op", "group", "asyncOp"], {
    ...COMMON,
    op: "sum",
  });
  const g = resolveGroup(name, o.group);
  if (!g.isMember) return null;
  if (inputList.length !== g.size())
    throw new ValueError(`${name}: inputList has ${inputList.length} tensors, expected the group size ${g.size()}`);
  inputList.forEach((t, i) => checkAlike(name, output, t, `inputList[${i}]`));
  const { code, avg } = reduceCode(name, o.op, output);
  const n = output.numel();
  const buf = bufferLike(output, n * g.size());
  inputList.forEach((t, i) => buf.set(t.typedArray(), i * n));
  const w = g.nativeFor(name).allreduce(buf, wireType(output), code);
  return finish(
    new Work(
      [w],
      () => {
        const mine = buf.subarray(g.rank() * n, (g.rank() + 1) * n);
        if (avg) divideBy(mine, g.size(), integral(output));
        writeInto(output, mine);
      },
      describe(name, g),
    ),
    o.asyncOp,
  );
}

/** all_to_all(output_tensor_list, input_tensor_list, group=None, async_op=False): outputList[j] = rank j's inputList[me]. */
export function allToAll(outputTensorList: Tensor[], inputTensorList: Tensor[], ...args: unknown[]): Work | null {
  const name = "allToAll";
  const o = parseArgs<Common & Record<string, unknown>>(name, args, ["group", "asyncOp"], { ...COMMON });
  const g = resolveGroup(name, o.group);
  if (!g.isMember) return null;
  const size = g.size();
  if (outputTensorList.length !== size || inputTensorList.length !== size) {
    throw new ValueError(
      `${name}: expected ${size} input and output tensors, got ${inputTensorList.length} and ${outputTensorList.length}`,
    );
  }
  const ref = inputTensorList[0];
  inputTensorList.forEach((t, i) =>
    checkAlike(name, ref, t, `inputTensorList[${i}] (not implemented: tensors of different shapes)`),
  );
  outputTensorList.forEach((t, i) => checkAlike(name, ref, t, `outputTensorList[${i}]`));
  const n = ref.numel();
  const input = bufferLike(ref, n * size);
  inputTensorList.forEach((t, i) => input.set(t.typedArray(), i * n));
  const out = bufferLike(ref, n * size);
  const w = g.nativeFor(name).alltoall(input, out, wireType(ref));
  return finish(
    new Work(
      [w],
      () => outputTensorList.forEach((t, i) => writeInto(t, out.subarray(i * n, (i + 1) * n))),
      describe(name, g),
    ),
    o.asyncOp,
  );
}

/** barrier(group=None, async_op=False): returns when every rank of the group has entered it. */
export function barrier(...args: unknown[]): Work | null {
  const name = "barrier";
  const o = parseArgs<Common & { deviceIds: unknown } & Record<string, unknown>>(
    name,
    args,
    ["group", "asyncOp", "deviceIds"],
    { ...COMMON, deviceIds: null },
  );
  const g = resolveGroup(name, o.group);
  if (!g.isMember) return null;
  return finish(new Work([g.nativeFor(name).barrier()], () => undefined, describe(name, g)), o.asyncOp);
}
