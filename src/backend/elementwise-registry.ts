// The reference scalar functions of the declared elementwise ops, by op name. src/ops/unary.ts
// and src/ops/binary-decls.ts register them as they declare their ops; the reference backend
// reads them here (a leaf module, so the backend layer does not import the op layer), and a new
// backend can list what it must cover.
type UnaryFn = (x: number) => number;
type BinaryFn = (a: number, b: number) => number;

const unaryFns = new Map<string, UnaryFn>();
const binaryFns = new Map<string, BinaryFn>();

export function registerUnaryFn(op: string, fn: UnaryFn): void {
  if (unaryFns.has(op)) throw new Error(`registerUnaryFn: unary op '${op}' is declared twice`);
  unaryFns.set(op, fn);
}
export function registerBinaryFn(op: string, fn: BinaryFn): void {
  if (binaryFns.has(op)) throw new Error(`registerBinaryFn: binary op '${op}' is declared twice`);
  binaryFns.set(op, fn);
}

export function unaryFn(op: string): UnaryFn {
  const f = unaryFns.get(op);
  if (f === undefined) throw new Error(`unary: no declared op '${op}'`);
  return f;
}
export function binaryFn(op: string): BinaryFn {
  const f = binaryFns.get(op);
  if (f === undefined) throw new Error(`binary: no declared op '${op}'`);
  return f;
}

/** The names of every declared unary / binary op (what a complete backend covers). */
export const declaredUnaryOps = (): string[] => [...unaryFns.keys()];
export const declaredBinaryOps = (): string[] => [...binaryFns.keys()];
