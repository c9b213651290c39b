// vision.datasets
export { CIFAR10, CIFAR100, type CIFAROptions, type FileEntry } from "./cifar.js";
export { MNIST, FashionMNIST, type MNISTOptions } from "./mnist.js";
export {
  ImageFolder,
  DatasetFolder,
  IMG_EXTENSIONS,
  defaultLoader,
  findClasses,
  makeDataset,
  type ImageFolderOptions,
  type DatasetFolderOptions,
} from "./folder.js";
export { VisionDataset, type Transform, type VisionDatasetOptions } from "./vision.js";
export {
  DatasetNotFoundError,
  ChecksumError,
  DownloadError,
  ArchiveError,
  checkIntegrity,
  downloadUrl,
  downloadAndExtractArchive,
  extractArchive,
} from "./utils.js";
export { CifarFormatError, readCifarBatches } from "./cifar-format.js";
export { IdxFormatError, readIdx, parseIdx } from "./idx.js";
