/**
 * A restricted unpickler for PyTorch checkpoints. It never executes anything: GLOBAL only
 * resolves names from the allow-list of PyTorch's own weights_only unpickler (torch 1.13), and
 * REDUCE/NEWOBJ/BUILD only interpret the handful of those callables a checkpoint needs. Every
 * read is bounds-checked and every opcode consumes input, so run time is linear in the input.
 */
import { SerializationError, check } from "./errors.js";
import { type RawStorage, type RawTensor, type StoredDType, PyFloat, isRawTensor } from "./types.js";
import { checkView } from "./raw.js";
import { ALLOWED_GLOBALS, STORAGE_DTYPES } from "./pickle-globals.js";

/** A resolved global (class or function) on the unpickler's stack. */
export class Global {
  constructor(readonly path: string) {}
}
/** A storage returned by the persistent loader, before a tensor wraps it. */
export class StorageRef {
  constructor(readonly storage: RawStorage) {}
}
export class PTuple {
  constructor(readonly items: Val[]) {}
}
export type DictKey = string | number;
export class PDict {
  readonly map = new Map<DictKey, Val>();
  state: Val = null;
  constructor(readonly ordered: boolean) {}
}
export type Val =
  number | bigint | string | boolean | null | PyFloat | PTuple | Val[] | PDict | RawTensor | Global | StorageRef;

export type PersistentLoad = (key: string, dtype: StoredDType, numel: number) => RawStorage;

const utf8 = new TextDecoder("utf-8", { fatal: true });
const MAX_LONG_BYTES = 4096;

function typeName(v: Val | undefined): string {
  if (v === null) return "None";
  if (Array.isArray(v)) return "list";
  if (v instanceof PTuple) return "tuple";
  if (v instanceof PDict) return v.ordered ? "OrderedDict" : "dict";
  if (v instanceof PyFloat) return "float";
  if (v instanceof Global) return `global ${v.path}`;
  if (v instanceof StorageRef) return "storage";
  if (typeof v === "object") return "tensor";
  if (typeof v === "number" || typeof v === "bigint") return "int";
  return typeof v === "string" ? "str" : typeof v === "boolean" ? "bool" : String(v);
}

function isTensor(v: Val): v is RawTensor {
  return isRawTensor(v) && !(v instanceof StorageRef);
}

/** ISO-8859-1 proper (TextDecoder's "latin1" is windows-1252, which remaps 0x80-0x9f). */
function latin1(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i += 4096) s += String.fromCharCode(...b.subarray(i, i + 4096));
  return s;
}

function decodeLong(b: Uint8Array): number | bigint {
  if (b.length === 0) return 0;
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  if (b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function asInt(v: Val | undefined, what: string): number {
  check(
    typeof v !== "bigint" && !(typeof v === "number" && Number.isInteger(v) && !Number.isSafeInteger(v)),
    () => `pickle: ${what} ${String(v)} is out of range (beyond 2^53)`,
  );
  check(typeof v === "number" && Number.isSafeInteger(v), () => `pickle: ${what} must be an int, got ${typeName(v)}`);
  return v;
}

function intTuple(v: Val | undefined, what: string): number[] {
  const items = v instanceof PTuple ? v.items : Array.isArray(v) ? v : null;
  check(items, () => `pickle: ${what} must be a tuple of ints, got ${typeName(v)}`);
  return items.map((x, i) => asInt(x, `${what}[${i}]`));
}

/** Unpickles `data`; `load` resolves ("storage", type, key, location, numel) persistent ids. */
export function unpickle(data: Uint8Array, load: PersistentLoad): Val {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let pos = 0;
  // MARK pushes the current stack onto the metastack and starts an empty one, as CPython does.
  let stack: Val[] = [];
  const metastack: Val[][] = [];
  const memo = new Map<number, Val>();
  const storages = new Map<string, RawStorage>();

  const need = (n: number, what: string): number => {
    check(
      n >= 0 && pos + n <= data.length,
      () => `pickle: truncated ${what} at byte ${pos} (needs ${n} bytes, ${data.length - pos} left)`,
    );
    const p = pos;
    pos += n;
    return p;
  };
  const readLine = (what: string): string => {
    const end = data.indexOf(0x0a, pos);
    check(end >= 0, () => `pickle: unterminated ${what} at byte ${pos}`);
    const s = latin1(data.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = (op: string): Val => {
    check(stack.length > 0, () => `pickle: stack underflow in ${op} at byte ${pos - 1}`);
    return stack.pop() as Val;
  };
  const top = (op: string): Val => {
    check(stack.length > 0, () => `pickle: empty stack in ${op} at byte ${pos - 1}`);
    return stack[stack.length - 1];
  };
  const popMark = (op: string): Val[] => {
    const items = stack;
    const prev = metastack.pop();
    check(prev, () => `pickle: ${op} without MARK at byte ${pos - 1}`);
    stack = prev;
    return items;
  };
  const memoGet = (i: number): Val => {
    check(memo.has(i), () => `pickle: memo index ${i} is not defined (byte ${pos})`);
    return memo.get(i) as Val;
  };
  const setItem = (d: Val, k: Val, v: Val): void => {
    check(d instanceof PDict, () => `pickle: SETITEM on a ${typeName(d)}`);
    check(
      typeof k === "string" || (typeof k === "number" && Number.isSafeInteger(k)),
      () => `pickle: unsupported dict key of type ${typeName(k)}`,
    );
    d.map.set(k, v);
  };
  const persistent = (pid: Val): Val => {
    check(
      pid instanceof PTuple && pid.items.length === 5 && pid.items[0] === "storage",
      () => "pickle: persistent id must be a ('storage', type, key, location, numel) tuple",
    );
    const [, type, key, , numelV] = pid.items;
    check(type instanceof Global, () => `pickle: storage type must be a storage class, got ${typeName(type)}`);
    const dtype = STORAGE_DTYPES.get(type.path);
    check(dtype, () => `pickle: storage type ${type.path} is not supported`);
    check(typeof key === "string", () => `pickle: storage key must be a str, got ${typeName(key)}`);
    const numel = asInt(numelV, "storage numel");
    check(numel >= 0, () => `pickle: negative storage numel ${numel}`);
    let s = storages.get(key);
    if (!s) {
      s = load(key, dtype, numel);
      storages.set(key, s);
    }
    check(s.dtype === dtype, () => `pickle: storage '${key}' loaded both as ${s.dtype} and ${dtype}`);
    return new StorageRef(s);
  };

  for (;;) {
    const op = data[need(1, "opcode")];
    switch (op) {
      case 0x80: {
        // PROTO
        const v = data[need(1, "protocol")];
        check(v >= 2 && v <= 5, () => `pickle: unsupported protocol ${v}`);
        break;
      }
      case 0x95:
        need(8, "frame length");
        break; // FRAME: framing is irrelevant with the whole buffer in memory
      case 0x2e: {
        // STOP
        const result = pop("STOP");
        return result;
      }
      case 0x28:
        metastack.push(stack);
        stack = [];
        break; // MARK
      case 0x30:
        if (stack.length) pop("POP");
        else popMark("POP");
        break;
      case 0x31:
        popMark("POP_MARK");
        break;
      case 0x32:
        stack.push(top("DUP"));
        break;
      case 0x4e:
        stack.push(null);
        break; // NONE
      case 0x88:
        stack.push(true);
        break;
      case 0x89:
        stack.push(false);
        break;
      case 0x4b:
        stack.push(data[need(1, "BININT1")]);
        break;
      case 0x4d:
        stack.push(dv.getUint16(need(2, "BININT2"), true));
        break;
      case 0x4a:
        stack.push(dv.getInt32(need(4, "BININT"), true));
        break;
      case 0x8a: {
        // LONG1
        const n = data[need(1, "LONG1 length")];
        stack.push(decodeLong(data.subarray(need(n, "LONG1"), pos)));
        break;
      }
      case 0x8b: {
        // LONG4
        const n = dv.getInt32(need(4, "LONG4 length"), true);
        check(n >= 0 && n <= MAX_LONG_BYTES, () => `pickle: LONG4 of ${n} bytes`);
        stack.push(decodeLong(data.subarray(need(n, "LONG4"), pos)));
        break;
      }
      case 0x47:
        stack.push(new PyFloat(dv.getFloat64(need(8, "BINFLOAT"), false)));
        break;
      case 0x58:
      case 0x8c:
      case 0x8d: {
        // BINUNICODE, SHORT_BINUNICODE, BINUNICODE8
        const n =
          op === 0x8c
            ? data[need(1, "string length")]
            : op === 0x58
              ? dv.getUint32(need(4, "string length"), true)
              : Number(dv.getBigUint64(need(8, "string length"), true));
        const p = need(n, "string");
        try {
          stack.push(utf8.decode(data.subarray(p, p + n)));
        } catch {
          throw new SerializationError(`pickle: invalid UTF-8 in string at byte ${p}`);
        }
        break;
      }
      case 0x55:
      case 0x54: {
        // SHORT_BINSTRING, BINSTRING (Python 2 str): read as latin-1 like torch does
        const n = op === 0x55 ? data[need(1, "string length")] : dv.getInt32(need(4, "string length"), true);
        const p = need(n, "string");
        stack.push(latin1(data.subarray(p, p + n)));
        break;
      }
      case 0x29:
        stack.push(new PTuple([]));
        break; // EMPTY_TUPLE
      case 0x74: {
        const items = popMark("TUPLE");
        stack.push(new PTuple(items));
        break;
      } // (popMark swaps `stack`)
      case 0x85:
        stack.push(new PTuple([pop("TUPLE1")]));
        break;
      case 0x86: {
        const b = pop("TUPLE2");
        const a = pop("TUPLE2");
        stack.push(new PTuple([a, b]));
        break;
      }
      case 0x87: {
        const c = pop("TUPLE3");
        const b = pop("TUPLE3");
        const a = pop("TUPLE3");
        stack.push(new PTuple([a, b, c]));
        break;
      }
      case 0x5d:
        stack.push([]);
        break; // EMPTY_LIST
      case 0x6c: {
        const items = popMark("LIST");
        stack.push(items);
        break;
      }
      case 0x61: {
        // APPEND
        const v = pop("APPEND");
        const l = top("APPEND");
        check(Array.isArray(l), () => `pickle: APPEND to a ${typeName(l)}`);
        l.push(v);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark("APPENDS");
        const l = top("APPENDS");
        check(Array.isArray(l), () => `pickle: APPENDS to a ${typeName(l)}`);
        for (const v of items) l.push(v);
        break;
      }
      case 0x7d:
        stack.push(new PDict(false));
        break; // EMPTY_DICT
      case 0x64: {
        // DICT
        const items = popMark("DICT");
        check(items.length % 2 === 0, "pickle: DICT with an odd number of items");
        const d = new PDict(false);
        for (let i = 0; i < items.length; i += 2) setItem(d, items[i], items[i + 1]);
        stack.push(d);
        break;
      }
      case 0x73: {
        const v = pop("SETITEM");
        const k = pop("SETITEM");
        setItem(top("SETITEM"), k, v);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark("SETITEMS");
        check(items.length % 2 === 0, "pickle: SETITEMS with an odd number of items");
        const d = top("SETITEMS");
        for (let i = 0; i < items.length; i += 2) setItem(d, items[i], items[i + 1]);
        break;
      }
      case 0x63: {
        // GLOBAL
        const mod = readLine("GLOBAL module");
        const name = readLine("GLOBAL name");
        stack.push(resolveGlobal(mod, name));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop("STACK_GLOBAL");
        const mod = pop("STACK_GLOBAL");
        check(typeof mod === "string" && typeof name === "string", "pickle: STACK_GLOBAL needs two strings");
        stack.push(resolveGlobal(mod, name));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop("REDUCE");
        const fn = pop("REDUCE");
        stack.push(reduce(fn, args));
        break;
      }
      case 0x81: {
        // NEWOBJ: only nn.Parameter(data, requires_grad), as PyTorch allows
        const args = pop("NEWOBJ");
        const cls = pop("NEWOBJ");
        check(
          cls instanceof Global && cls.path === "torch.nn.parameter.Parameter",
          () => `pickle: NEWOBJ of ${typeName(cls)} is not allowed`,
        );
        stack.push(reduce(new Global("torch._utils._rebuild_parameter"), args));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop("BUILD");
        const inst = top("BUILD");
        if (inst instanceof PDict && inst.ordered) inst.state = state;
        else check(isTensor(inst), () => `pickle: BUILD on a ${typeName(inst)} is not allowed`);
        break;
      }
      case 0x51:
        stack.push(persistent(pop("BINPERSID")));
        break;
      case 0x68:
        stack.push(memoGet(data[need(1, "BINGET")]));
        break;
      case 0x6a:
        stack.push(memoGet(dv.getUint32(need(4, "LONG_BINGET"), true)));
        break;
      case 0x71:
        memo.set(data[need(1, "BINPUT")], top("BINPUT"));
        break;
      case 0x72:
        memo.set(dv.getUint32(need(4, "LONG_BINPUT"), true), top("LONG_BINPUT"));
        break;
      case 0x94:
        memo.set(memo.size, top("MEMOIZE"));
        break;
      default:
        throw new SerializationError(
          `pickle: unsupported opcode 0x${op.toString(16).padStart(2, "0")}` +
            `${op >= 0x20 && op < 0x7f ? ` ('${String.fromCharCode(op)}')` : ""} at byte ${pos - 1}`,
        );
    }
  }
}

function resolveGlobal(mod: string, name: string): Global {
  const path = `${mod}.${name}`;
  if (!ALLOWED_GLOBALS.has(path)) {
    throw new SerializationError(
      `pickle: global '${path}' is not allowed (only the globals of PyTorch's weights_only loader are)`,
    );
  }
  return new Global(path);
}

function tupleArgs(args: Val, fn: string): Val[] {
  check(args instanceof PTuple, () => `pickle: arguments of ${fn} must be a tuple, got ${typeName(args)}`);
  return args.items;
}

function reduce(fn: Val, argsV: Val): Val {
  check(fn instanceof Global, () => `pickle: REDUCE on a ${typeName(fn)} (only allowed globals can be called)`);
  const args = tupleArgs(argsV, fn.path);
  switch (fn.path) {
    case "collections.OrderedDict": {
      const d = new PDict(true);
      if (args.length === 0) return d;
      const pairs = args[0];
      check(args.length === 1 && Array.isArray(pairs), "pickle: OrderedDict() takes one list of pairs");
      for (const p of pairs) {
        const kv = p instanceof PTuple ? p.items : p;
        check(Array.isArray(kv) && kv.length === 2, "pickle: OrderedDict() items must be pairs");
        const [k, v] = kv;
        check(
          typeof k === "string" || (typeof k === "number" && Number.isSafeInteger(k)),
          () => `pickle: unsupported dict key of type ${typeName(k)}`,
        );
        d.map.set(k, v);
      }
      return d;
    }
    case "torch._utils._rebuild_tensor":
    case "torch._utils._rebuild_tensor_v2": {
      const v2 = fn.path.endsWith("v2");
      check(
        v2 ? args.length >= 6 && args.length <= 7 : args.length === 4,
        () => `pickle: ${fn.path} called with ${args.length} arguments`,
      );
      const [s, offset, size, stride, requiresGrad] = args;
      check(s instanceof StorageRef, () => `pickle: ${fn.path} needs a storage, got ${typeName(s)}`);
      const t: RawTensor = {
        dtype: s.storage.dtype,
        shape: intTuple(size, "tensor size"),
        strides: intTuple(stride, "tensor stride"),
        storageOffset: asInt(offset, "storage offset"),
        storage: s.storage,
      };
      if (v2) {
        check(
          typeof requiresGrad === "boolean",
          () => `pickle: requires_grad must be a bool, got ${typeName(requiresGrad)}`,
        );
        if (requiresGrad) t.requiresGrad = true;
      }
      checkView(t, `pickle: ${fn.path}`);
      return t;
    }
    case "torch._utils._rebuild_parameter": {
      check(args.length === 2 || args.length === 3, () => `pickle: Parameter rebuilt with ${args.length} arguments`);
      const [data, requiresGrad] = args;
      check(isTensor(data), () => `pickle: Parameter data must be a tensor, got ${typeName(data)}`);
      check(
        typeof requiresGrad === "boolean",
        () => `pickle: requires_grad must be a bool, got ${typeName(requiresGrad)}`,
      );
      return { ...data, requiresGrad, isParameter: true };
    }
    case "torch.Size":
      check(args.length === 1, "pickle: torch.Size takes one tuple");
      return new PTuple(intTuple(args[0], "torch.Size"));
    default:
      throw new SerializationError(
        `pickle: ${fn.path} is allowed by PyTorch's weights_only loader but not supported by Flint`,
      );
  }
}
