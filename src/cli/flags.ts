// Every command's flags, declared once: they drive parsing, validation and --help. This file
// imports nothing heavy, so `flint CMD --help` and usage errors answer without loading the library.
import type { CommandSpec, FlagSpec } from "./args.js";

/** Models `--model` accepts (built in models.ts). */
export const MODEL_INFO: Readonly<Record<string, string>> = {
  seed: "the seed program's CNN (3 conv 5x5 + max-pool, 2 linear; 145,578 parameters)",
  vgg: "VGG-style: 6 conv 3x3 with batch norm + ReLU, dropout, linear",
  // torchvision's architectures (vision.models) with 10 outputs, on CIFAR's 32x32 images as they are.
  resnet18: "torchvision's ResNet-18 (11.2M parameters)",
  resnet34: "torchvision's ResNet-34",
  resnet50: "torchvision's ResNet-50",
  mobilenet_v2: "torchvision's MobileNetV2",
  mobilenet_v3_small: "torchvision's MobileNetV3-Small",
  efficientnet_b0: "torchvision's EfficientNet-B0",
  shufflenet_v2_x1_0: "torchvision's ShuffleNetV2 1.0x",
  squeezenet1_1: "torchvision's SqueezeNet 1.1",
  densenet121: "torchvision's DenseNet-121",
  regnet_y_400mf: "torchvision's RegNetY-400MF",
  vgg11_bn: "torchvision's VGG-11 with batch norm",
};
/** The CLI's own small CIFAR networks (the others are torchvision's). */
export const CIFAR_MODELS = ["seed", "vgg"];
export const MODEL_NAMES = Object.keys(MODEL_INFO);

export const ROOT_FLAG: FlagSpec = {
  name: "root",
  type: "string",
  metavar: "DIR",
  default: "./data",
  help: "Folder holding cifar-10-batches-bin/ (downloaded there on first use)",
};
export const BACKEND_FLAG: FlagSpec = {
  name: "backend",
  type: "choice",
  choices: ["auto", "native", "wasm", "ref"],
  default: "auto",
  help: "Compute backend: native (C++ addon), wasm (its kernels as WebAssembly, one thread), ref (TypeScript reference), auto (native if built, else wasm)",
};
export const DEVICE_FLAG: FlagSpec = {
  name: "device",
  type: "choice",
  choices: ["cpu", "webgpu"],
  default: "cpu",
  help: "Where the model trains: cpu (the --backend), or webgpu (a GPU through WebGPU: Dawn's `webgpu` npm package in Node; no readback per step)",
};
export const THREADS_FLAG: FlagSpec = {
  name: "threads",
  type: "int",
  metavar: "N",
  min: 1,
  max: 1024,
  help: "Threads for the native backend (default: all cores)",
};

export const TRAIN_SPEC: CommandSpec = {
  name: "train",
  summary: "Train a CNN on CIFAR-10 (the seed's model and recipe by default), with checkpoints, metrics and a plot.",
  usage: "[options]",
  flags: [
    ROOT_FLAG,
    {
      name: "download",
      type: "boolean",
      default: true,
      help: "Download CIFAR-10 into --root when it is not there (--no-download: fail instead)",
    },
    {
      name: "epochs",
      type: "int",
      metavar: "N",
      default: 10,
      min: 1,
      help: "Total number of epochs (a resumed run continues up to N)",
    },
    { name: "batch-size", type: "int", metavar: "N", default: 64, min: 1, help: "Training batch size" },
    {
      name: "lr",
      type: "number",
      metavar: "LR",
      gt: 0,
      help: "Learning rate (default: 0.01 for sgd, 0.001 for adam/adamw)",
    },
    { name: "momentum", type: "number", metavar: "M", min: 0, max: 1, help: "SGD momentum (default: 0.9; sgd only)" },
    { name: "optimizer", type: "choice", choices: ["sgd", "adam", "adamw"], default: "sgd", help: "Optimizer" },
    {
      name: "weight-decay",
      type: "number",
      metavar: "WD",
      min: 0,
      help: "Weight decay (default: 0; 0.01 for adamw as in PyTorch)",
    },
    {
      name: "seed",
      type: "int",
      metavar: "N",
      min: 0,
      max: 2 ** 53 - 1,
      help: "Random seed (weights, shuffling, augmentation); default: a fresh one per run, as an unseeded PyTorch script gets, printed and saved so --seed N repeats the run",
    },
    {
      name: "model",
      type: "choice",
      choices: MODEL_NAMES,
      default: "seed",
      help: `Network: ${MODEL_NAMES.map((n) => `${n} = ${MODEL_INFO[n]}`).join("; ")}`,
    },
    {
      name: "augment",
      type: "boolean",
      default: false,
      help: "Random crop (padding 4) and horizontal flip on training images",
    },
    {
      name: "workers",
      type: "int",
      metavar: "N",
      default: 0,
      min: 0,
      max: 64,
      help: "DataLoader worker threads (0: load in the main thread)",
    },
    THREADS_FLAG,
    BACKEND_FLAG,
    DEVICE_FLAG,
    {
      name: "nproc",
      type: "int",
      metavar: "N",
      default: 1,
      min: 1,
      max: 256,
      help: "Data-parallel processes on this machine (DistributedDataParallel over Gloo; --batch-size is the global batch); 1 thread each unless --threads",
    },
    {
      name: "out",
      type: "string",
      metavar: "DIR",
      default: "./runs/cifar10",
      help: "Output folder: checkpoint.pt, model.safetensors, metrics.jsonl, plot.svg",
    },
    {
      name: "resume",
      type: "string",
      metavar: "FILE",
      optionalValue: true,
      help: "Continue a run from its checkpoint (default FILE: OUT/checkpoint.pt)",
    },
    {
      name: "train-size",
      type: "int",
      metavar: "N",
      min: 1,
      help: "Use only the first N training images (quick experiments)",
    },
    { name: "test-size", type: "int", metavar: "N", min: 1, help: "Evaluate on only the first N test images" },
    { name: "test-batch-size", type: "int", metavar: "N", default: 500, min: 1, help: "Batch size for evaluation" },
    {
      name: "dashboard",
      type: "boolean",
      default: false,
      help: "Serve live loss/accuracy curves on http://127.0.0.1:PORT/ (kept up after the run ends, until Ctrl-C)",
    },
    {
      name: "port",
      type: "int",
      metavar: "N",
      default: 8765,
      min: 0,
      max: 65535,
      help: "Dashboard port (0 picks a free port)",
    },
  ],
  epilog: [
    "Examples:",
    "  flint train --epochs 5                          # the seed's recipe: SGD lr 0.01, momentum 0.9, batch 64",
    "  flint train --root /data/cifar --no-download    # local, already unpacked CIFAR-10",
    "  flint train --optimizer adam --augment --model vgg --epochs 30 --out runs/vgg",
    "  flint train --resume --epochs 20                # continue runs/cifar10 up to epoch 20",
    "  flint train --dashboard                         # then open the printed URL",
    "",
    "Ctrl-C saves a checkpoint and exits; --resume continues exactly where it stopped.",
  ],
};

export const EVAL_SPEC: CommandSpec = {
  name: "eval",
  summary: "Evaluate a checkpoint on the CIFAR-10 test set: loss, accuracy, per-class accuracy and confusion matrix.",
  usage: "--checkpoint FILE [options]",
  flags: [
    {
      name: "checkpoint",
      type: "string",
      metavar: "FILE",
      required: true,
      help: "checkpoint.pt from flint train, a torch.save'd state dict, or .safetensors weights",
    },
    {
      name: "model",
      type: "choice",
      choices: MODEL_NAMES,
      help: "Architecture, for bare state dicts that do not name one (default: seed)",
    },
    ROOT_FLAG,
    { name: "download", type: "boolean", default: true, help: "Download CIFAR-10 into --root when it is not there" },
    { name: "batch-size", type: "int", metavar: "N", default: 500, min: 1, help: "Evaluation batch size" },
    { name: "test-size", type: "int", metavar: "N", min: 1, help: "Evaluate on only the first N test images" },
    { name: "workers", type: "int", metavar: "N", default: 0, min: 0, max: 64, help: "DataLoader worker threads" },
    {
      name: "json",
      type: "string",
      metavar: "FILE",
      help: "Also write the results (accuracy, per-class, confusion matrix) as JSON",
    },
    THREADS_FLAG,
    BACKEND_FLAG,
  ],
  epilog: ["Example:", "  flint eval --checkpoint runs/cifar10/checkpoint.pt --root ./data"],
};

export const PREDICT_SPEC: CommandSpec = {
  name: "predict",
  summary:
    "Classify image files (PNG, JPEG, PPM/PGM) with a trained checkpoint; prints the top classes and their probabilities.",
  usage: "--checkpoint FILE [options] IMAGE...  |  --model NAME --weights FILE IMAGE...",
  positionals: { name: "IMAGE...", min: 1, max: Infinity, help: "Image files; other sizes than 32x32 are resized" },
  flags: [
    {
      name: "checkpoint",
      type: "string",
      metavar: "FILE",
      help: "checkpoint.pt from flint train, a torch.save'd state dict, or .safetensors weights",
    },
    {
      name: "weights",
      type: "string",
      metavar: "FILE",
      help: "torchvision ImageNet weights for --model (e.g. resnet18-f37072fd.pth): ImageNet preprocessing and its 1000 categories",
    },
    {
      name: "model",
      type: "choice",
      choices: MODEL_NAMES,
      help: "Architecture, for bare state dicts that do not name one (default: seed)",
    },
    {
      name: "topk",
      type: "int",
      metavar: "K",
      default: 3,
      min: 1,
      max: 10,
      help: "How many classes to show per image",
    },
    { name: "json", type: "boolean", default: false, help: "Print one JSON object per image instead of text" },
    THREADS_FLAG,
    BACKEND_FLAG,
  ],
  epilog: [
    "Examples:",
    "  flint predict --checkpoint runs/cifar10/checkpoint.pt cat.png ship.jpg",
    "  flint predict --model resnet18 --weights ~/.cache/torch/hub/checkpoints/resnet18-f37072fd.pth dog.jpg",
  ],
};
