// torch.distributed stores (TCPStore, FileStore, PrefixStore): the key-value rendezvous through
// which ranks find each other. TCPStore is served by rank 0 from a C++ thread of the flint_gloo
// addon (native/gloo/tcp_store.h says why not from JS); FileStore is Gloo's own.
import { parseArgs } from "../ops/util.js";
import { glooAddon, type NativeStore } from "./addon.js";
import { DistributedError } from "./errors.js";

/** PyTorch's default store timeout (timedelta(seconds=300)), in milliseconds. */
export const DEFAULT_STORE_TIMEOUT_MS = 300_000;

const wrap = <T>(op: string, f: () => T): T => {
  try {
    return f();
  } catch (e) {
    throw e instanceof DistributedError ? e : new DistributedError(`${op}: ${(e as Error).message}`);
  }
};

/** The common interface (torch.distributed.Store). Timeouts are in milliseconds. */
export abstract class Store {
  /** @internal */
  readonly native: NativeStore;
  protected constructor(native: NativeStore) {
    this.native = native;
  }
  set(key: string, value: string | Uint8Array): void {
    wrap(`Store.set(${key})`, () => this.native.set(key, value));
  }
  /** Waits for the key (up to the store's timeout) and returns its bytes. */
  get(key: string): Uint8Array {
    return wrap(`Store.get(${key})`, () => new Uint8Array(this.native.get(key)));
  }
  /** Adds `amount` to the integer stored at key (0 when missing); returns the new value. */
  add(key: string, amount: number): number {
    return wrap(`Store.add(${key})`, () => this.native.add(key, amount));
  }
  wait(keys: readonly string[], timeout?: number): void {
    wrap(`Store.wait([${keys.join(", ")}])`, () => this.native.wait(keys, timeout));
  }
  check(keys: readonly string[]): boolean {
    return wrap("Store.check", () => this.native.check(keys));
  }
  deleteKey(key: string): boolean {
    return wrap(`Store.deleteKey(${key})`, () => this.native.deleteKey(key));
  }
  numKeys(): number {
    return wrap("Store.numKeys", () => this.native.numKeys());
  }
  compareSet(key: string, expectedValue: string | Uint8Array, desiredValue: string | Uint8Array): Uint8Array {
    return wrap(
      `Store.compareSet(${key})`,
      () => new Uint8Array(this.native.compareSet(key, expectedValue, desiredValue)),
    );
  }
  setTimeout(timeout: number): void {
    this.native.setTimeout(timeout);
  }
}

export interface TCPStoreOptions {
  hostName?: string;
  port?: number;
  worldSize?: number | null;
  isMaster?: boolean;
  timeout?: number;
  waitForWorkers?: boolean;
}

/**
 * torch.distributed.TCPStore(hostName, port, worldSize, isMaster, timeout, waitForWorkers).
 * The master serves the store (port 0 picks a free one: read it back from `.port`).
 */
export class TCPStore extends Store {
  readonly host: string;
  readonly port: number;
  constructor(...args: [string, number, ...unknown[]] | [TCPStoreOptions]) {
    const o = parseArgs<Required<TCPStoreOptions> & Record<string, unknown>>(
      "TCPStore",
      args,
      ["hostName", "port", "worldSize", "isMaster", "timeout", "waitForWorkers"],
      { worldSize: null, isMaster: false, timeout: DEFAULT_STORE_TIMEOUT_MS, waitForWorkers: true },
    );
    if (typeof o.hostName !== "string" || !Number.isInteger(o.port))
      throw new DistributedError("TCPStore: hostName and port are required");
    const waitFor = o.waitForWorkers && o.worldSize !== null ? o.worldSize : 0;
    const native = wrap(`TCPStore(${o.hostName}:${o.port})`, () =>
      glooAddon("TCPStore").tcpStore(o.hostName, o.port, o.isMaster, o.timeout, waitFor),
    );
    super(native);
    this.host = o.hostName;
    this.port = o.isMaster ? native.port() : o.port;
  }
  /** Stops the server (master only); clients then fail with a clear error. */
  close(): void {
    this.native.close();
  }
}

/**
 * torch.distributed.FileStore(fileName, worldSize): Gloo's FileStore, which keeps one file per key
 * in a directory; `fileName` names that directory (created when missing). Use a fresh path per
 * job: keys left by an earlier job would be read as this one's.
 */
export class FileStore extends Store {
  readonly path: string;
  constructor(fileName: string, worldSize = -1, options: { timeout?: number } = {}) {
    void worldSize;
    super(
      wrap(`FileStore(${fileName})`, () =>
        glooAddon("FileStore").fileStore(fileName, options.timeout ?? DEFAULT_STORE_TIMEOUT_MS),
      ),
    );
    this.path = fileName;
  }
}

/** torch.distributed.PrefixStore(prefix, store): every key becomes `${prefix}/${key}`. */
export class PrefixStore extends Store {
  readonly underlyingStore: Store;
  constructor(prefix: string, store: Store) {
    super(store.native.withPrefix(prefix));
    this.underlyingStore = store;
  }
}
