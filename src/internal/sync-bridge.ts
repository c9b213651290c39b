// Worker threads that run Flint's own modules, and a synchronous bridge over them.
//
// Two needs meet here. `new CIFAR10(root, { download: true })` must return a ready dataset,
// but Node's network I/O is asynchronous: runSync() runs an async function in a worker thread
// while this thread sleeps in Atomics.wait on a SharedArrayBuffer, then takes the result with
// receiveMessageOnPort (no event loop needed). And DataLoader workers must load Flint modules
// whether Flint runs compiled (.js) or from its TypeScript sources through tsx (.ts, as in
// tests): a worker does not inherit tsx's loader hooks, so for a .ts entry the bootstrap loads
// it through tsx's tsImport, resolved from this module.
import {
  MessageChannel,
  receiveMessageOnPort,
  Worker,
  type MessagePort,
  type WorkerOptions,
} from "node:worker_threads";

/** Shared wake-up channel between a worker and the thread that waits on it. */
export interface Bridge {
  /** signal[0] is incremented (and notified) each time the worker posts a message on `port`. */
  signal: Int32Array;
  port: MessagePort;
}

/** The URL of module `name` next to `importMetaUrl`, with the same extension (.ts or .js). */
export function siblingModule(importMetaUrl: string, name: string): string {
  const ext = importMetaUrl.endsWith(".ts") ? ".ts" : ".js";
  return new URL(`./${name}${ext}`, importMetaUrl).href;
}

/** tsx's API module when this process runs TypeScript through tsx, else null. */
function tsxApi(required: boolean): string | null {
  try {
    return import.meta.resolve("tsx/esm/api");
  } catch {
    if (required)
      throw new Error(`worker: running Flint from TypeScript sources in worker threads needs the 'tsx' package`);
    return null;
  }
}

function bootstrapSource(moduleUrl: string): string {
  let load = `import(${JSON.stringify(moduleUrl)})`;
  // Flint's own .ts sources need tsx in the worker; so do a user's .ts dataset modules when the
  // program runs under tsx (workers do not inherit its loader hooks).
  const fromTs = /\.[cm]?tsx?$/.test(moduleUrl);
  const underTsx = process.execArgv.some((a) => a.includes("tsx"));
  const api = fromTs || underTsx ? tsxApi(fromTs) : null;
  if (api !== null) {
    load = `import(${JSON.stringify(api)}).then((m) => m.tsImport(${JSON.stringify(moduleUrl)}, ${JSON.stringify(moduleUrl)}))`;
  }
  // A failure to load the module is reported through the bridge too, so a waiting thread
  // wakes up with the error instead of sleeping forever.
  return `
const { workerData } = require("node:worker_threads");
${load}.catch((err) => {
  const bridge = workerData && workerData.bridge;
  const message = { type: "error", name: (err && err.name) || "Error", message: String((err && err.message) || err), stack: err && err.stack };
  if (bridge) { bridge.port.postMessage(message); Atomics.add(bridge.signal, 0, 1); Atomics.notify(bridge.signal, 0); }
  else throw err;
});`;
}

/** Starts a worker thread whose entry is the Flint module at `moduleUrl` (.js or .ts). */
export function spawnModuleWorker(moduleUrl: string, options: WorkerOptions = {}): Worker {
  return new Worker(bootstrapSource(moduleUrl), { ...options, eval: true });
}

/** Creates a bridge: the worker gets `bridge`, the waiting side keeps `port` and `signal`. */
export function createBridge(): { bridge: Bridge; port: MessagePort; signal: Int32Array } {
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  return { bridge: { signal, port: port2 }, port: port1, signal };
}

/** Posts `message` on the bridge and wakes the waiting thread. */
export function postOnBridge(bridge: Bridge, message: unknown, transfer: ArrayBuffer[] = []): void {
  bridge.port.postMessage(message, transfer);
  Atomics.add(bridge.signal, 0, 1);
  Atomics.notify(bridge.signal, 0);
}

/** Error classes that keep their identity across the bridge (others come back as Error). */
const errorClasses = new Map<string, new (message: string) => Error>();

/** Registers an error class so errors of that name thrown in a worker are rethrown as it. */
export function registerBridgeError(name: string, cls: new (message: string) => Error): void {
  errorClasses.set(name, cls);
}

export interface BridgeErrorMessage {
  type: "error";
  name: string;
  message: string;
  stack?: string;
}

/** Rebuilds an error posted from a worker. */
export function reviveError(msg: BridgeErrorMessage): Error {
  const cls = errorClasses.get(msg.name);
  const err = cls !== undefined ? new cls(msg.message) : new Error(msg.message);
  if (cls === undefined && msg.name !== "Error") err.name = msg.name;
  return err;
}

/**
 * Runs `await module[exportName](...args)` in a worker thread and blocks this thread until it
 * settles; returns its (structured-cloned) value or rethrows its error. `moduleUrl` should come
 * from siblingModule() so it works both compiled and under tsx.
 */
export function runSync<T>(moduleUrl: string, exportName: string, args: unknown[]): T {
  const { bridge, port, signal } = createBridge();
  const worker = spawnModuleWorker(siblingModule(import.meta.url, "sync-bridge-worker"), {
    workerData: { bridge, target: moduleUrl, exportName, args },
    transferList: [bridge.port],
  });
  try {
    while (Atomics.load(signal, 0) === 0) Atomics.wait(signal, 0, 0, 1000);
    const received = receiveMessageOnPort(port);
    if (received === undefined) throw new Error(`runSync: worker for ${exportName} woke without a result`);
    const msg = received.message as { type: "result"; value: T } | BridgeErrorMessage;
    if (msg.type === "error") throw reviveError(msg);
    return msg.value;
  } finally {
    port.close();
    void worker.terminate();
  }
}
