// The compiled kernels (native/wasm/flint.wasm, built by `npm run build:wasm` from the same C++
// sources as the native addon): its exports, and instantiation from bytes. No Node imports, so
// the browser build uses this file as it is; ./load-node.ts finds the file on disk for Node.

/**
 * The part of the WebAssembly JavaScript API used here. The project compiles against ES2022 and
 * Node's types, which do not declare the WebAssembly namespace (lib.dom does), so it is typed locally.
 */
interface WasmInstance {
  readonly exports: object;
}
interface WasmApi {
  Module: new (bytes: Bytes) => object;
  Instance: new (module: object, imports: object) => WasmInstance;
  Memory: new (desc: { initial: number; maximum: number; shared: boolean }) => { readonly buffer: ArrayBuffer };
  instantiate(bytes: Bytes, imports: object): Promise<{ instance: WasmInstance }>;
  instantiate(module: object, imports: object): Promise<WasmInstance>;
  compile(bytes: Bytes): Promise<object>;
}
type Bytes = ArrayBuffer | ArrayBufferView;
const wasmApi = (): WasmApi => {
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (!api) throw new Error("flint: this JavaScript engine has no WebAssembly");
  return api;
};

/** The C ABI of native/wasm/exports.cc: pointers are byte offsets into `memory`. */
export interface KernelExports {
  readonly memory: { readonly buffer: ArrayBuffer };
  /** Added on the JavaScript side for the threaded build (flint-mt.wasm): its worker pool. */
  readonly threads?: { set(n: number): void };
  _initialize(): void;
  flint_alloc(bytes: number): number;
  flint_free(ptr: number): void;
  flint_unary_op_count(): number;
  flint_unary_op_name(i: number): number;
  flint_binary_op_count(): number;
  flint_binary_op_name(i: number): number;
  flint_num_threads(): number;
  flint_isa_is_simd128(): number;
  flint_set_isa(simd128: number): number;
  /** The SIMD128 micro-kernel's variant (0 "a", 1 "b": the same floats; ./gemm-variant.ts). */
  flint_set_gemm_variant(variant: number): number;
  /** The implicit-GEMM convolution on (1, the default) or off (0: im2col + GEMM; native/conv_direct.cc). */
  flint_set_direct_conv?(on: number): void;
  flint_sgemm(
    tA: number,
    tB: number,
    M: number,
    N: number,
    K: number,
    alpha: number,
    A: number,
    lda: number,
    B: number,
    ldb: number,
    beta: number,
    C: number,
    ldc: number,
  ): void;
  flint_conv2d_forward(x: number, w: number, bias: number, out: number, geometry: number): void;
  flint_conv2d_backward_input(gradOut: number, w: number, gradIn: number, geometry: number): void;
  flint_conv2d_backward_weight(x: number, gradOut: number, gradW: number, gradBias: number, geometry: number): void;
  flint_max_pool2d_forward(x: number, out: number, indices: number, geometry: number): void;
  flint_max_pool2d_backward(gradOut: number, indices: number, gradIn: number, geometry: number): void;
  flint_avg_pool2d_forward(x: number, out: number, geometry: number, countIncludePad: number, divisor: number): void;
  flint_avg_pool2d_backward(
    gradOut: number,
    gradIn: number,
    geometry: number,
    countIncludePad: number,
    divisor: number,
  ): void;
  flint_copy_strided(src: number, srcStrides: number, dst: number, dstStrides: number, shape: number, nd: number): void;
  flint_binary_strided(
    op: number,
    a: number,
    aStrides: number,
    b: number,
    bStrides: number,
    out: number,
    shape: number,
    nd: number,
  ): void;
  flint_unary(op: number, x: number, out: number, n: number): void;
  flint_binary(op: number, a: number, b: number, out: number, n: number): void;
  flint_binary_scalar(op: number, a: number, s: number, out: number, n: number): void;
  flint_add_scaled(a: number, b: number, alpha: number, out: number, n: number): void;
  flint_lstm_cell_forward(gates: number, c: number, hy: number, cy: number, act: number, B: number, H: number): void;
  flint_lstm_cell_backward(
    act: number,
    c: number,
    dhy: number,
    dcy: number,
    dgates: number,
    dc: number,
    B: number,
    H: number,
  ): void;
  flint_sum_rows(x: number, out: number, outer: number, n: number, inner: number): void;
  flint_bias_grad_nchw(g: number, out: number, N: number, C: number, HW: number): void;
  flint_log_softmax_rows(x: number, out: number, rows: number, cols: number): void;
  flint_softmax_rows(x: number, out: number, rows: number, cols: number): void;
  flint_log_softmax_backward_rows(gradOut: number, y: number, gradIn: number, rows: number, cols: number): void;
  flint_softmax_backward_rows(gradOut: number, y: number, gradIn: number, rows: number, cols: number): void;
  flint_cross_entropy(
    logits: number,
    targets: number,
    grad: number,
    rows: number,
    cols: number,
    labelSmoothing: number,
    ignoreIndex: number,
    badRow: number,
  ): number;
  flint_sgd_step(
    param: number,
    grad: number,
    buf: number,
    n: number,
    lr: number,
    momentum: number,
    dampening: number,
    weightDecay: number,
    nesterov: number,
    maximize: number,
    firstStep: number,
  ): void;
  flint_adam_step(
    param: number,
    grad: number,
    expAvg: number,
    expAvgSq: number,
    maxExpAvgSq: number,
    n: number,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    weightDecay: number,
    step: number,
    amsgrad: number,
    maximize: number,
    decoupled: number,
  ): void;
}

function ready(instance: WasmInstance): KernelExports {
  const ex = instance.exports as unknown as KernelExports;
  ex._initialize(); // runs the C++ static constructors once
  return ex;
}

/** The exports the threaded build (flint-mt.wasm, native/wasm/threadpool_workers.cc) adds. */
export interface ThreadExports {
  flint_configure_threads(n: number, callerMayWait: number): void;
  flint_tls_size(): number;
  flint_tls_align(): number;
}

/**
 * The threaded build's imports: its shared memory, and the three WASI calls that libc's unused
 * stdio paths name (never called by the kernels; they answer ENOSYS).
 */
export function threadedImports(memory: object): object {
  const enosys = (): number => 52;
  return { env: { memory }, wasi_snapshot_preview1: { fd_close: enosys, fd_seek: enosys, fd_write: enosys } };
}

/** A shared memory for the threaded build: 16 MiB to start (as the build's --initial-memory), up to 4 GiB. */
export const sharedMemory = (): { readonly buffer: ArrayBuffer } =>
  new (wasmApi().Memory)({ initial: 256, maximum: 65536, shared: true });

/**
 * The threaded build instantiated on `memory` for the calling thread, with `threads` attached
 * (made from the exports by the platform's worker pool, ./threads.ts).
 */
export function readyThreaded(
  instance: WasmInstance,
  memory: { readonly buffer: ArrayBuffer },
  threads: (ex: KernelExports & ThreadExports) => { set(n: number): void },
): KernelExports {
  const ex = { ...(instance.exports as object), memory } as KernelExports & ThreadExports;
  ex._initialize();
  return Object.assign(ex, { threads: threads(ex) });
}

export const compileModule = (bytes: Bytes): object => new (wasmApi().Module)(bytes);
export const compileModuleAsync = (bytes: Bytes): Promise<object> => wasmApi().compile(bytes);
export const instantiateSync = (module: object, imports: object): WasmInstance =>
  new (wasmApi().Instance)(module, imports);
export const instantiateAsync = (module: object, imports: object): Promise<WasmInstance> =>
  wasmApi().instantiate(module, imports);

/**
 * Instantiates the kernels synchronously (Node, or a browser worker; a browser's main thread
 * refuses to compile a module this size synchronously: use instantiateKernels there).
 */
export function instantiateKernelsSync(bytes: Bytes): KernelExports {
  const api = wasmApi();
  return ready(new api.Instance(new api.Module(bytes), {}));
}

/** Instantiates the kernels from bytes or a fetch Response (compiled off the main thread). */
export async function instantiateKernels(source: Bytes | Response | PromiseLike<Response>): Promise<KernelExports> {
  const resolved = await source;
  let bytes: Bytes;
  if (typeof Response !== "undefined" && resolved instanceof Response) {
    if (!resolved.ok)
      throw new Error(`flint: loading the WebAssembly kernels failed: HTTP ${resolved.status} for ${resolved.url}`);
    bytes = await resolved.arrayBuffer();
  } else {
    bytes = resolved as Bytes;
  }
  return ready((await wasmApi().instantiate(bytes, {})).instance);
}
