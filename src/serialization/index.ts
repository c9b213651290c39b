/** Byte-level readers and writers for safetensors and PyTorch checkpoints (torch.save / torch.load's formats). */
export { SerializationError } from "./errors.js";
export {
  type StoredDType,
  type RawStorage,
  type RawTensor,
  type Saved,
  PyFloat,
  PyTuple,
  PyOrderedDict,
  ITEM_SIZE,
  isRawTensor,
} from "./types.js";
export {
  checkView,
  contiguousBytes,
  contiguousStrides,
  isContiguous,
  rawToArray,
  rawFromArray,
  FLINT_DTYPE,
  float16ToFloat32,
  bfloat16ToFloat32,
  float32ToFloat16,
  float32ToBfloat16,
  type FlintDType,
  type FlintArray,
} from "./raw.js";
export { encodeSafetensors, decodeSafetensors, MAX_HEADER_SIZE, type SafetensorsFile } from "./safetensors.js";
export {
  encodeTorchZip,
  decodeTorchZip,
  detectFormat,
  type FileFormat,
  type EncodeTorchOptions,
  type DecodeTorchOptions,
} from "./pytorch.js";
export { decodeAny } from "./auto.js";
export { ZipReader, writeZip, type ZipEntry } from "./zip.js";
export { crc32 } from "./crc32.js";
export { writeFileAtomic, writeFileAtomicAsync } from "./atomic.js";
