// Threads for the WebAssembly kernels: the threaded build (native/wasm/flint-mt.wasm) is
// instantiated once more in each worker, on the same shared memory, and each worker's instance
// sits in flint_worker_run, claiming tasks of the parallelFor calls the calling thread makes
// (native/wasm/threadpool_workers.cc). Workers get their own stack and thread-local block from
// the shared heap. No Node imports: the platform supplies how a worker is started (./load-node.ts
// with worker_threads, ../select-browser.ts with Web Workers).
import type { KernelExports, ThreadExports } from "./module.js";

/** What a worker needs to join: the compiled module, the shared memory, its stack and TLS block. */
export interface WorkerInit {
  module: object;
  memory: object;
  stackTop: number;
  tls: number;
}

/**
 * The worker's program, as source text so that no bundler needs to know about it: `join(init)`
 * instantiates the module on the shared memory, switches to the worker's stack and TLS block,
 * and never returns (the worker ends with its process or page).
 */
export const WORKER_JOIN = `function join(init) {
  const enosys = () => 52;
  const imports = { env: { memory: init.memory }, wasi_snapshot_preview1: { fd_close: enosys, fd_seek: enosys, fd_write: enosys } };
  const ex = new WebAssembly.Instance(init.module, imports).exports;
  ex.__stack_pointer.value = init.stackTop;
  ex.flint_init_tls(init.tls);
  ex.flint_worker_run();
}`;

const STACK_BYTES = 1 << 20; // as the build's -z stack-size

/**
 * The pool behind torch.setNumThreads for the threaded build: set(n) tells the kernels to cut
 * their work for n threads and starts workers until n - 1 exist (they are never stopped; with
 * fewer threads configured, the extra ones find no tasks beyond the configured split).
 * callerMayWait: whether the calling thread may block (Node yes, a page's main thread no).
 */
export function makeThreads(
  ex: KernelExports & ThreadExports,
  module: object,
  memory: object,
  spawn: (init: WorkerInit) => void,
  callerMayWait: boolean,
  initial: number,
): { set(n: number): void } {
  let workers = 0;
  const set = (n: number): void => {
    ex.flint_configure_threads(n, callerMayWait ? 1 : 0);
    for (; workers < n - 1; workers++) {
      const stack = ex.flint_alloc(STACK_BYTES);
      const tls = ex.flint_alloc(Math.max(ex.flint_tls_size(), 1));
      if (stack === 0 || tls === 0 || ex.flint_tls_align() > 64)
        throw new RangeError("flint wasm: cannot allocate a worker's stack");
      spawn({ module, memory, stackTop: stack + STACK_BYTES, tls });
    }
  };
  set(Math.max(1, Math.floor(initial)));
  return { set };
}
