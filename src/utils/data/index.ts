// flint/utils/data: torch.utils.data for Flint.
import "../../setup.js";
export { Dataset, IterableDataset, Subset, ConcatDataset, type MapDataset } from "./dataset.js";
export { TensorDataset, randomSplit } from "./split.js";
export {
  Sampler,
  SequentialSampler,
  RandomSampler,
  SubsetRandomSampler,
  WeightedRandomSampler,
  BatchSampler,
  type SamplerLike,
  type RandomSamplerOptions,
} from "./sampler.js";
export { DistributedSampler, type DistributedSamplerOptions } from "./distributed-sampler.js";
export { defaultCollate, defaultConvert, CollateError, type Collated } from "./collate.js";
export { DataLoader, type DataLoaderOptions } from "./dataloader.js";
export { DataLoaderWorkerError } from "./worker-error.js";
export { getWorkerInfo, type WorkerInfo } from "./worker-info.js";
export { WorkerSendError, type WorkerSpec, type WorkerSendable } from "./worker-spec.js";
export type { GeneratorLike } from "./rng.js";
