// torch.nn.parallel
export { DistributedDataParallel } from "./distributed-data-parallel.js";
export type { DistributedDataParallelOptions } from "./distributed-data-parallel.js";
