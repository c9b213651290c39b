// all_gather_object and broadcast_object_list: small JS values (metrics, config) exchanged
// between ranks. PyTorch pickles; here values go through JSON (so they must be JSON-serialisable),
// as UTF-8 bytes in uint8 tensors over the ordinary collectives.
import { fromTypedArray } from "../tensor.js";
import { ValueError } from "../errors.js";
import { allGather, broadcast } from "./collectives.js";
import type { ProcessGroup } from "./group.js";
import { resolveGroup } from "./init.js";

const encode = (op: string, v: unknown): Uint8Array => {
  const text = JSON.stringify(v);
  if (text === undefined) throw new ValueError(`${op}: the object is not JSON-serialisable (${typeof v})`);
  return new TextEncoder().encode(text);
};
const decode = (b: Uint8Array): unknown => JSON.parse(new TextDecoder().decode(b));

/** all_gather_object(object_list, obj, group=None): objectList[i] = rank i's obj. */
export function allGatherObject(objectList: unknown[], obj: unknown, group: ProcessGroup | null = null): void {
  const op = "allGatherObject";
  const g = resolveGroup(op, group);
  if (!g.isMember) return;
  if (objectList.length !== g.size())
    throw new ValueError(`${op}: objectList has ${objectList.length} entries, expected the group size ${g.size()}`);
  const mine = encode(op, obj);
  const sizes = Array.from({ length: g.size() }, () => fromTypedArray(new Float64Array(1), [1], "int64"));
  allGather(sizes, fromTypedArray(Float64Array.of(mine.length), [1], "int64"), { group: g });
  const lengths = sizes.map((t) => Number(t.item()));
  const max = Math.max(...lengths);
  const padded = new Uint8Array(max);
  padded.set(mine);
  const outs = lengths.map(() => fromTypedArray(new Uint8Array(max), [max], "uint8"));
  allGather(outs, fromTypedArray(padded, [max], "uint8"), { group: g });
  outs.forEach((t, i) => (objectList[i] = decode((t.storage.data as Uint8Array).subarray(0, lengths[i]))));
}

/** broadcast_object_list(object_list, src, group=None): every rank's list becomes src's (same length). */
export function broadcastObjectList(objectList: unknown[], src = 0, group: ProcessGroup | null = null): void {
  const op = "broadcastObjectList";
  const g = resolveGroup(op, group);
  if (!g.isMember) return;
  const isSrc = g.ranks[g.rank()] === src;
  const bytes = isSrc ? encode(op, objectList) : new Uint8Array(0);
  const size = fromTypedArray(Float64Array.of(bytes.length), [1], "int64");
  broadcast(size, src, { group: g });
  const n = Number(size.item());
  const buf = fromTypedArray(isSrc ? bytes : new Uint8Array(n), [n], "uint8");
  broadcast(buf, src, { group: g });
  if (isSrc) return;
  const got = decode(buf.storage.data as Uint8Array) as unknown[];
  if (got.length !== objectList.length)
    throw new ValueError(`${op}: rank ${src} sent ${got.length} objects, this rank's list has ${objectList.length}`);
  got.forEach((v, i) => (objectList[i] = v));
}
