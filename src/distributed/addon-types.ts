// The flint_gloo addon's interface (no Node imports: the browser build shares it).
/** Element codes of the addon: int64 travels as float64 (Flint keeps it in a Float64Array). */
export const enum WireType {
  Float32 = 0,
  Float64 = 1,
  Int32 = 2,
  Uint8 = 3,
}
export const enum WireOp {
  Sum = 0,
  Product = 1,
  Min = 2,
  Max = 3,
}

type Bytes = Uint8Array | string;
export type Wire = Float32Array | Float64Array | Int32Array | Uint8Array;

export interface NativeStore {
  set(key: string, value: Bytes): void;
  get(key: string): Uint8Array;
  add(key: string, delta: number): number;
  wait(keys: readonly string[], timeoutMs?: number): void;
  check(keys: readonly string[]): boolean;
  deleteKey(key: string): boolean;
  numKeys(): number;
  compareSet(key: string, expected: Bytes, desired: Bytes): Uint8Array;
  setTimeout(ms: number): void;
  /** The port the server listens on (master only), else -1. */
  port(): number;
  withPrefix(prefix: string): NativeStore;
  close(): void;
}

export interface NativeWork {
  /** Blocks until the collective has run; throws its error. */
  wait(): void;
  isCompleted(): boolean;
}

export interface NativeGroup {
  allreduce(buf: Wire, type: WireType, op: WireOp): NativeWork;
  reduce(buf: Wire, type: WireType, op: WireOp, root: number): NativeWork;
  broadcast(buf: Wire, type: WireType, root: number): NativeWork;
  allgather(input: Wire, output: Wire, type: WireType): NativeWork;
  gather(input: Wire, output: Wire | null, type: WireType, root: number): NativeWork;
  scatter(inputs: readonly Wire[] | null, output: Wire, type: WireType, root: number): NativeWork;
  alltoall(input: Wire, output: Wire, type: WireType): NativeWork;
  barrier(): NativeWork;
  shutdown(): void;
  /**
   * Sets up a SUM all-reduce of one fixed float32/float64 buffer, kept as long as the group
   * (collective: every rank in the same order; blocks until set up); returns its id. Optional:
   * an addon built before it lacks it.
   */
  allreducePlan?(buf: Wire, type: WireType): number;
  /** allreducePlan whose runs also multiply the sum by `scale` (absent from addons built before it). */
  allreducePlanScaled?(buf: Wire, type: WireType, scale: number): number;
  /** Runs a planned all-reduce (queued after the collectives issued before it). */
  allreduceRun?(plan: number): NativeWork;
}

export interface GlooAddon {
  tcpStore(host: string, port: number, isMaster: boolean, timeoutMs: number, waitForWorkers: number): NativeStore;
  fileStore(path: string, timeoutMs: number): NativeStore;
  /** CPU time of the calling thread, ms (for profiling). */
  threadCpuMs(): number;
  ProcessGroup: new (
    store: NativeStore,
    prefix: string,
    rank: number,
    size: number,
    timeoutMs: number,
    hostname: string,
    iface: string,
  ) => NativeGroup;
}
