/**
 * A pickler for Saved values, writing protocol 2 exactly as CPython's pickle module does for the
 * equivalent Python objects (same opcodes, same memo numbering), so a state dict pickled here is
 * byte-identical to torch.save's data.pkl. Only opcodes PyTorch's weights_only loader accepts are
 * emitted, except BINFLOAT for Python floats (which torch 1.13's weights_only loader lacks; later
 * versions accept it, and the full unpickler always does).
 */
import { SerializationError } from "./errors.js";
import { STORAGE_CLASS } from "./pickle-globals.js";
import { checkView } from "./raw.js";
import {
  ITEM_SIZE,
  type RawStorage,
  type RawTensor,
  type Saved,
  PyFloat,
  PyOrderedDict,
  PyTuple,
  isRawTensor,
} from "./types.js";

const MAX_DEPTH = 1000;
const BATCH = 1000;

class Out {
  buf = new Uint8Array(256);
  len = 0;
  ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  uint(v: number, n: number): void {
    for (let i = 0; i < n; i++) this.byte(Math.floor(v / 2 ** (8 * i)) & 0xff);
  }
}

/** A storage the pickler has referenced, with the record key it will be written under. */
export interface PickledStorage {
  key: string;
  storage: RawStorage;
}

export function pickle(obj: Saved): { data: Uint8Array; storages: PickledStorage[] } {
  const out = new Out();
  const enc = new TextEncoder();
  const memoByRef = new Map<object, number>();
  const memoByValue = new Map<string, number>(); // strings and globals, see saveStr
  const storageKeys = new Map<RawStorage, string>();
  const storages: PickledStorage[] = [];
  let memoSize = 0;

  const put = (): number => {
    const i = memoSize++;
    if (i < 256) {
      out.byte(0x71);
      out.byte(i);
    } else {
      out.byte(0x72);
      out.uint(i, 4);
    }
    return i;
  };
  const get = (i: number): void => {
    if (i < 256) {
      out.byte(0x68);
      out.byte(i);
    } else {
      out.byte(0x6a);
      out.uint(i, 4);
    }
  };
  const saveInt = (v: bigint): void => {
    if (v >= 0n && v <= 0xffn) {
      out.byte(0x4b);
      out.byte(Number(v));
      return;
    }
    if (v >= 0n && v <= 0xffffn) {
      out.byte(0x4d);
      out.uint(Number(v), 2);
      return;
    }
    if (v >= -0x80000000n && v <= 0x7fffffffn) {
      out.byte(0x4a);
      out.uint(Number(BigInt.asUintN(32, v)), 4);
      return;
    }
    // LONG1: minimal little-endian two's complement, as CPython's encode_long.
    const bytes: number[] = [];
    let x = v;
    for (;;) {
      bytes.push(Number(x & 0xffn));
      x >>= 8n;
      const signBit = bytes[bytes.length - 1] & 0x80;
      if ((x === 0n && !signBit) || (x === -1n && signBit)) break;
    }
    if (bytes.length < 256) {
      out.byte(0x8a);
      out.byte(bytes.length);
    } else {
      out.byte(0x8b);
      out.uint(bytes.length, 4);
    }
    out.bytes(Uint8Array.from(bytes));
  };
  const saveFloat = (v: number): void => {
    out.byte(0x47);
    out.ensure(8);
    new DataView(out.buf.buffer).setFloat64(out.len, v, false);
    out.len += 8;
  };
  // CPython memoizes by object identity. Equal strings in a state dict are almost always the
  // same object in Python too (literals, interned keys), so memoizing strings by value both
  // matches torch.save's bytes in practice and keeps files small.
  const saveStr = (s: string): void => {
    const m = memoByValue.get("s" + s);
    if (m !== undefined) {
      get(m);
      return;
    }
    const b = enc.encode(s);
    out.byte(0x58);
    out.uint(b.length, 4);
    out.bytes(b);
    memoByValue.set("s" + s, put());
  };
  const saveGlobal = (mod: string, name: string): void => {
    const m = memoByValue.get(`g${mod}\n${name}`);
    if (m !== undefined) {
      get(m);
      return;
    }
    out.byte(0x63);
    out.bytes(enc.encode(`${mod}\n${name}\n`));
    memoByValue.set(`g${mod}\n${name}`, put());
  };
  const saveTuple = (items: (() => void)[]): void => {
    if (items.length === 0) {
      out.byte(0x29);
      return;
    }
    if (items.length > 3) out.byte(0x28);
    for (const f of items) f();
    out.byte(items.length > 3 ? 0x74 : [0x85, 0x86, 0x87][items.length - 1]);
    put();
  };
  const batched = (n: number, item: (i: number) => void, one: number, many: number): void => {
    for (let start = 0; start < n; start += BATCH) {
      const end = Math.min(n, start + BATCH);
      if (end - start > 1) {
        out.byte(0x28);
        for (let i = start; i < end; i++) item(i);
        out.byte(many);
      } else {
        item(start);
        out.byte(one);
      }
    }
  };
  const saveEntries = (entries: [string | number, Saved][], depth: number): void => {
    batched(
      entries.length,
      (i) => {
        save(entries[i][0], depth);
        save(entries[i][1], depth);
      },
      0x73,
      0x75,
    );
  };
  const emptyOrderedDict = (): void => {
    saveGlobal("collections", "OrderedDict");
    out.byte(0x29);
    out.byte(0x52);
    put();
  };
  const saveTensor = (t: RawTensor): void => {
    checkView(t, "torch.save");
    let key = storageKeys.get(t.storage);
    if (key === undefined) {
      key = String(storageKeys.size);
      storageKeys.set(t.storage, key);
      storages.push({ key, storage: t.storage });
    }
    const k = key;
    saveGlobal("torch._utils", "_rebuild_tensor_v2");
    out.byte(0x28);
    saveTuple([
      () => saveStr("storage"),
      () => saveGlobal("torch", STORAGE_CLASS[t.dtype]),
      () => saveStr(k),
      () => saveStr("cpu"),
      () => saveInt(BigInt(t.storage.bytes.length / ITEM_SIZE[t.dtype])),
    ]);
    out.byte(0x51); // BINPERSID
    saveInt(BigInt(t.storageOffset));
    saveTuple(t.shape.map((n) => () => saveInt(BigInt(n))));
    saveTuple(t.strides.map((n) => () => saveInt(BigInt(n))));
    out.byte(t.requiresGrad ? 0x88 : 0x89);
    emptyOrderedDict(); // backward_hooks
    out.byte(0x74);
    put();
    out.byte(0x52);
  };

  function save(v: Saved, depth: number): void {
    if (depth > MAX_DEPTH) throw new SerializationError(`torch.save: object nested deeper than ${MAX_DEPTH} levels`);
    if (v === null) {
      out.byte(0x4e);
      return;
    }
    switch (typeof v) {
      case "boolean":
        out.byte(v ? 0x88 : 0x89);
        return;
      case "bigint":
        saveInt(v);
        return;
      case "string":
        saveStr(v);
        return;
      case "number":
        if (Number.isInteger(v) && !Object.is(v, -0)) saveInt(BigInt(v));
        else saveFloat(v);
        return;
      case "object":
        break;
      default:
        // nn.Module instances are callable (functions): say what to save instead.
        if (typeof v === "function" && typeof (v as { stateDict?: unknown }).stateDict === "function") {
          throw new SerializationError(
            "torch.save: cannot save a whole nn.Module (it holds code); save model.stateDict() and load it into a new model with loadStateDict, as PyTorch recommends",
          );
        }
        throw new SerializationError(`torch.save: cannot pickle a value of type ${typeof v}`);
    }
    if (v instanceof PyFloat) {
      saveFloat(v.value);
      return;
    }
    const m = memoByRef.get(v);
    if (m !== undefined) {
      get(m);
      return;
    }
    if (v instanceof PyTuple) {
      saveTuple(v.items.map((x) => () => save(x, depth + 1)));
      if (v.items.length > 0) memoByRef.set(v, memoSize - 1); // () is never memoized, as in CPython
    } else if (isRawTensor(v)) {
      if (v.isParameter) {
        // Parameter.__reduce_ex__: _rebuild_parameter(data, requires_grad, OrderedDict()).
        saveGlobal("torch._utils", "_rebuild_parameter");
        saveTuple([
          () => {
            saveTensor({ ...v, requiresGrad: false });
            put();
          },
          () => out.byte(v.requiresGrad ? 0x88 : 0x89),
          emptyOrderedDict,
        ]);
        out.byte(0x52);
      } else {
        saveTensor(v);
      }
      memoByRef.set(v, put());
    } else if (Array.isArray(v)) {
      out.byte(0x5d);
      memoByRef.set(v, put());
      batched(v.length, (i) => save(v[i], depth + 1), 0x61, 0x65);
    } else if (v instanceof PyOrderedDict) {
      saveGlobal("collections", "OrderedDict");
      out.byte(0x29);
      out.byte(0x52);
      memoByRef.set(v, put());
      saveEntries([...v.entries], depth + 1);
      if (v.state !== null) {
        save(v.state, depth + 1);
        out.byte(0x62);
      }
    } else if (v instanceof Map) {
      out.byte(0x7d);
      memoByRef.set(v, put());
      saveEntries([...v], depth + 1);
    } else if (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null) {
      out.byte(0x7d);
      memoByRef.set(v, put());
      saveEntries(Object.entries(v), depth + 1);
    } else {
      throw new SerializationError(`torch.save: cannot pickle an object of class ${v.constructor?.name ?? "unknown"}`);
    }
  }

  out.byte(0x80);
  out.byte(2);
  save(obj, 0);
  out.byte(0x2e);
  return { data: out.buf.slice(0, out.len), storages };
}
