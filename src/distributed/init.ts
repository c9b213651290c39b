// initProcessGroup and the world's state: rendezvous (env://, tcp://, file://, or a given
// store), the default group, newGroup, and the queries (getRank, getWorldSize …).
import { parseArgs } from "../ops/util.js";
import { ValueError } from "../errors.js";
import { glooAddon, localHostname } from "./addon.js";
import { DistributedError } from "./errors.js";
import { ProcessGroup } from "./group.js";
import { FileStore, TCPStore, type Store } from "./store.js";

/** PyTorch's default_pg_timeout (30 minutes), in milliseconds. */
export const DEFAULT_PG_TIMEOUT_MS = 30 * 60 * 1000;

interface World {
  group: ProcessGroup;
  store: Store;
  rank: number;
  worldSize: number;
  /** Host name Gloo binds its sockets to, and the interface when GLOO_SOCKET_IFNAME is set. */
  host: string;
  iface: string;
  groupCount: number;
  groups: ProcessGroup[];
}

let world: World | null = null;

export interface InitProcessGroupOptions {
  initMethod?: string | null;
  /** Milliseconds before a collective (or the rendezvous) gives up. */
  timeout?: number;
  worldSize?: number;
  rank?: number;
  store?: Store | null;
  groupName?: string;
}

function envInt(name: string, op: string): number {
  const v = process.env[name];
  if (v === undefined || v === "")
    throw new DistributedError(
      `${op}: environment variable ${name} expected, but not set (env:// rendezvous; the launcher \`flint run\` sets it)`,
    );
  const n = Number(v);
  if (!Number.isInteger(n))
    throw new DistributedError(`${op}: environment variable ${name} must be an integer, got "${v}"`);
  return n;
}

const isLoopback = (h: string): boolean => h === "localhost" || h.startsWith("127.") || h === "::1";

/** The address Gloo listens on: loopback when the job is local, else this machine's host name (as PyTorch). */
function glooHost(masterAddr: string | null): { host: string; iface: string } {
  const iface = process.env.GLOO_SOCKET_IFNAME ?? "";
  if (iface !== "") return { host: "", iface: iface.split(",")[0] };
  if (masterAddr === null || isLoopback(masterAddr)) return { host: "127.0.0.1", iface: "" };
  return { host: localHostname(), iface: "" };
}

/**
 * torch.distributed.init_process_group(backend, initMethod, timeout, worldSize, rank, store,
 * groupName). Only "gloo" is a backend here. Blocks until all worldSize ranks have joined.
 */
export function initProcessGroup(...args: unknown[]): void {
  const op = "initProcessGroup";
  const o = parseArgs<Required<InitProcessGroupOptions> & { backend: string } & Record<string, unknown>>(
    op,
    args,
    ["backend", "initMethod", "timeout", "worldSize", "rank", "store", "groupName"],
    {
      backend: "gloo",
      initMethod: null,
      timeout: DEFAULT_PG_TIMEOUT_MS,
      worldSize: -1,
      rank: -1,
      store: null,
      groupName: "",
    },
  );
  if (world !== null) throw new DistributedError(`${op}: trying to initialize the default process group twice!`);
  if (o.backend !== "gloo")
    throw new ValueError(`${op}: backend "${String(o.backend)}" is not available; Flint has "gloo" (CPU)`);
  glooAddon(op);
  if (!(typeof o.timeout === "number" && o.timeout > 0))
    throw new ValueError(`${op}: timeout must be a positive number of milliseconds, got ${String(o.timeout)}`);
  let rank = o.rank,
    worldSize = o.worldSize;
  let store: Store;
  let masterAddr: string | null = null;
  if (o.store !== null) {
    if (o.initMethod !== null) throw new ValueError(`${op}: cannot specify both initMethod and store`);
    if (rank < 0 || worldSize <= 0)
      throw new ValueError(`${op}: worldSize and rank are required when a store is given`);
    store = o.store;
  } else {
    const url = o.initMethod ?? "env://";
    const parsed = parseUrl(op, url);
    if (parsed.query.rank !== undefined && rank < 0) rank = Number(parsed.query.rank);
    if (parsed.query.world_size !== undefined && worldSize < 0) worldSize = Number(parsed.query.world_size);
    if (parsed.scheme === "env") {
      if (rank < 0) rank = envInt("RANK", op);
      if (worldSize < 0) worldSize = envInt("WORLD_SIZE", op);
      masterAddr = process.env.MASTER_ADDR ?? "";
      if (masterAddr === "")
        throw new DistributedError(`${op}: environment variable MASTER_ADDR expected, but not set (env:// rendezvous)`);
      parsed.host = masterAddr;
      parsed.port = envInt("MASTER_PORT", op);
    }
    if (rank < 0 || worldSize <= 0) throw new ValueError(`${op}: rank and worldSize are required with ${url}`);
    if (rank >= worldSize) throw new ValueError(`${op}: rank ${rank} is out of range for worldSize ${worldSize}`);
    if (parsed.scheme === "file") {
      store = new FileStore(parsed.path, worldSize, { timeout: o.timeout });
    } else {
      masterAddr ??= parsed.host;
      store = new TCPStore(parsed.host, parsed.port, {
        worldSize,
        isMaster: rank === 0,
        timeout: o.timeout,
        waitForWorkers: true,
      });
    }
  }
  if (!Number.isInteger(rank) || !Number.isInteger(worldSize) || rank < 0 || rank >= worldSize) {
    throw new ValueError(`${op}: invalid rank ${rank} for worldSize ${worldSize}`);
  }
  const { host, iface } = glooHost(masterAddr);
  const ranks = Array.from({ length: worldSize }, (_, i) => i);
  const native = connect(op, store, "default_pg", rank, worldSize, o.timeout, host, iface);
  world = {
    group: new ProcessGroup(native, ranks, rank, o.timeout),
    store,
    rank,
    worldSize,
    host,
    iface,
    groupCount: 0,
    groups: [],
  };
}

function connect(
  op: string,
  store: Store,
  prefix: string,
  rank: number,
  size: number,
  timeout: number,
  host: string,
  iface: string,
) {
  const addon = glooAddon(op);
  try {
    return new addon.ProcessGroup(store.native, prefix, rank, size, timeout, host, iface);
  } catch (e) {
    const where =
      iface !== "" ? `interface ${iface}` : `${host} (set GLOO_SOCKET_IFNAME to choose a network interface)`;
    throw new DistributedError(`${op}: ${(e as Error).message} [rank ${rank} of ${size}; Gloo listens on ${where}]`);
  }
}

interface ParsedUrl {
  scheme: "env" | "tcp" | "file";
  host: string;
  port: number;
  path: string;
  query: Record<string, string>;
}

function parseUrl(op: string, url: string): ParsedUrl {
  const m = /^(env|tcp|file):\/\/([^?]*)(?:\?(.*))?$/.exec(url);
  if (m === null)
    throw new ValueError(`${op}: initMethod must be env://, tcp://host:port or file:///path, got "${url}"`);
  const query: Record<string, string> = {};
  for (const kv of (m[3] ?? "").split("&")) {
    if (kv === "") continue;
    const [k, v = ""] = kv.split("=");
    query[k] = decodeURIComponent(v);
  }
  const scheme = m[1] as ParsedUrl["scheme"];
  const rest = m[2];
  if (scheme === "tcp") {
    const hp = /^\[?([^\]]+?)\]?:(\d+)$/.exec(rest);
    if (hp === null) throw new ValueError(`${op}: tcp:// initMethod needs host:port, got "${url}"`);
    return { scheme, host: hp[1], port: Number(hp[2]), path: "", query };
  }
  if (scheme === "file" && rest === "") throw new ValueError(`${op}: file:// initMethod needs a path, got "${url}"`);
  return { scheme, host: "", port: 0, path: decodeURIComponent(rest), query };
}

/** @internal The world, or an error naming `op` when initProcessGroup has not run. */
export function requireWorld(op: string): World {
  if (world === null)
    throw new DistributedError(
      `${op}: Default process group has not been initialized, please make sure to call initProcessGroup.`,
    );
  return world;
}

/** @internal The group a collective runs on. */
export function resolveGroup(op: string, group: ProcessGroup | null | undefined): ProcessGroup {
  return group ?? requireWorld(op).group;
}

export function isInitialized(): boolean {
  return world !== null;
}
export function isAvailable(): boolean {
  return true;
}
export function isGlooAvailable(): boolean {
  try {
    glooAddon("isGlooAvailable");
    return true;
  } catch {
    return false;
  }
}

/** This process's rank in `group` (the world by default); -1 outside the group. */
export function getRank(group?: ProcessGroup | null): number {
  const w = requireWorld("getRank");
  return group ? group.rank() : w.rank;
}
export function getWorldSize(group?: ProcessGroup | null): number {
  const w = requireWorld("getWorldSize");
  return group ? group.size() : w.worldSize;
}
export function getBackend(group?: ProcessGroup | null): string {
  requireWorld("getBackend");
  return (group ?? (world as World).group).backend;
}

/**
 * torch.distributed.new_group(ranks, timeout): every rank of the world must call it, in the same
 * order; ranks outside `ranks` get a group they are not a member of (rank() is -1).
 */
export function newGroup(...args: unknown[]): ProcessGroup {
  const op = "newGroup";
  const w = requireWorld(op);
  const o = parseArgs<
    { ranks: number[] | null; timeout: number | null; backend: string | null; pgOptions: unknown } & Record<
      string,
      unknown
    >
  >(op, args, ["ranks", "timeout", "backend", "pgOptions"], {
    ranks: null,
    timeout: null,
    backend: null,
    pgOptions: null,
  });
  if (o.backend !== null && o.backend !== "gloo")
    throw new ValueError(`${op}: backend "${o.backend}" is not available; Flint has "gloo"`);
  const ranks =
    o.ranks === null ? Array.from({ length: w.worldSize }, (_, i) => i) : [...o.ranks].sort((a, b) => a - b);
  for (const r of ranks) {
    if (!Number.isInteger(r) || r < 0 || r >= w.worldSize)
      throw new ValueError(`${op}: rank ${r} is out of range for worldSize ${w.worldSize}`);
  }
  if (new Set(ranks).size !== ranks.length)
    throw new ValueError(`${op}: ranks contain duplicates: ${ranks.join(", ")}`);
  const timeout = o.timeout ?? w.group.timeout;
  const id = ++w.groupCount;
  const me = ranks.indexOf(w.rank);
  const native = me >= 0 ? connect(op, w.store, `group_${id}`, me, ranks.length, timeout, w.host, w.iface) : null;
  const g = new ProcessGroup(native, ranks, me, timeout);
  w.groups.push(g);
  return g;
}

/** Tears down `group` (the world, with every group, by default). */
export function destroyProcessGroup(group?: ProcessGroup | null): void {
  const w = requireWorld("destroyProcessGroup");
  const shut = (g: ProcessGroup) => {
    g.native?.shutdown();
    g.native = null;
  };
  if (group && group !== w.group) {
    shut(group);
    w.groups = w.groups.filter((g) => g !== group);
    return;
  }
  for (const g of w.groups) shut(g);
  shut(w.group);
  world = null;
}
