/**
 * The globals a checkpoint may name: exactly the allow-list of torch 1.13's
 * torch/_weights_only_unpickler.py (_get_allowed_globals). Anything else is refused by name.
 */
import type { StoredDType } from "./types.js";

/** Storage classes as PyTorch pickles them (torch.FloatStorage …) and the dtype each holds. */
export const STORAGE_DTYPES: ReadonlyMap<string, StoredDType> = new Map<string, StoredDType>([
  ["torch.FloatStorage", "float32"],
  ["torch.DoubleStorage", "float64"],
  ["torch.LongStorage", "int64"],
  ["torch.IntStorage", "int32"],
  ["torch.ByteStorage", "uint8"],
  ["torch.BoolStorage", "bool"],
  ["torch.HalfStorage", "float16"],
  ["torch.BFloat16Storage", "bfloat16"],
  ["torch.ShortStorage", "int16"],
  ["torch.CharStorage", "int8"],
]);

/** The storage class name the writer uses for each dtype. */
export const STORAGE_CLASS: Readonly<Record<StoredDType, string>> = {
  float32: "FloatStorage",
  float64: "DoubleStorage",
  int64: "LongStorage",
  int32: "IntStorage",
  uint8: "ByteStorage",
  bool: "BoolStorage",
  float16: "HalfStorage",
  bfloat16: "BFloat16Storage",
  int16: "ShortStorage",
  int8: "CharStorage",
};

const TENSOR_KINDS = ["BFloat16", "Bool", "Byte", "Char", "Double", "Float", "Half", "Int", "Long", "Short"];
const STORAGE_ONLY = ["ComplexDouble", "ComplexFloat"];
const QUANTIZED = ["QInt32", "QInt8", "QUInt2x4", "QUInt4x2", "QUInt8"];

export const ALLOWED_GLOBALS: ReadonlySet<string> = new Set<string>([
  "collections.OrderedDict",
  "torch.nn.parameter.Parameter",
  "torch.serialization._get_layout",
  "torch.Size",
  "torch.Tensor",
  "torch.storage.TypedStorage",
  "torch.storage.UntypedStorage",
  ...["complex32", "complex64", "complex128", "float16", "float32", "float64", "int8", "int16", "int32", "int64"].map(
    (d) => `torch.${d}`,
  ),
  ...TENSOR_KINDS.flatMap((k) => [`torch.${k}Tensor`, `torch.cuda.${k}Tensor`]),
  ...TENSOR_KINDS.filter((k) => k !== "Bool").flatMap((k) => [
    `torch.sparse.${k}Tensor`,
    `torch.cuda.sparse.${k}Tensor`,
  ]),
  ...[...TENSOR_KINDS, ...STORAGE_ONLY].flatMap((k) => [`torch.${k}Storage`, `torch.cuda.${k}Storage`]),
  ...QUANTIZED.map((k) => `torch.${k}Storage`),
  ...[
    "_rebuild_parameter",
    "_rebuild_tensor",
    "_rebuild_tensor_v2",
    "_rebuild_sparse_tensor",
    "_rebuild_meta_tensor_no_storage",
    "_rebuild_sparse_csr_tensor",
  ].map((f) => `torch._utils.${f}`),
]);
