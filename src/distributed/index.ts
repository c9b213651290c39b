// torch.distributed for Flint, on Gloo (CPU, TCP): import { distributed } from "flint".
export {
  initProcessGroup,
  destroyProcessGroup,
  isInitialized,
  isAvailable,
  isGlooAvailable,
  getRank,
  getWorldSize,
  getBackend,
  newGroup,
  DEFAULT_PG_TIMEOUT_MS,
} from "./init.js";
export type { InitProcessGroupOptions } from "./init.js";
export {
  allReduce,
  broadcast,
  reduce,
  allGather,
  gather,
  scatter,
  reduceScatter,
  allToAll,
  barrier,
  ReduceOp,
} from "./collectives.js";
export type { ReduceOpName } from "./collectives.js";
export { allGatherObject, broadcastObjectList } from "./objects.js";
export { ProcessGroup, Work } from "./group.js";
export { Store, TCPStore, FileStore, PrefixStore } from "./store.js";
export type { TCPStoreOptions } from "./store.js";
export { DistributedError } from "./errors.js";
