// One error hierarchy: every error class Flint exports extends FlintError (so one catch clause
// tells Flint's failures from others), keeps its own name, and transforms throw Flint errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../src/index.js";
import { utils, vision } from "../src/index.js";

const classes: [string, new (message: string) => Error][] = [
  ["SerializationError", torch.SerializationError],
  ["GeneratorStateError", torch.GeneratorStateError],
  ["RandomArgumentError", torch.RandomArgumentError],
  ["ArgumentError", torch.ArgumentError],
  ["ImageDecodeError", vision.ImageDecodeError],
  ["DatasetNotFoundError", vision.datasets.DatasetNotFoundError],
  ["DownloadError", vision.datasets.DownloadError],
  ["ChecksumError", vision.datasets.ChecksumError],
  ["IdxFormatError", vision.datasets.IdxFormatError],
  ["ArchiveError", vision.datasets.ArchiveError],
  ["CifarFormatError", vision.datasets.CifarFormatError],
  ["WorkerSendError", utils.data.WorkerSendError],
  ["CollateError", utils.data.CollateError],
  ["DataLoaderWorkerError", utils.data.DataLoaderWorkerError],
];

test("every exported error class extends FlintError and keeps its name", () => {
  for (const [name, Cls] of classes) {
    const e = new Cls("boom");
    assert.ok(e instanceof torch.FlintError, name);
    assert.equal(e.name, name);
    assert.equal(e.message, "boom");
  }
});

test("transforms throw Flint errors naming the transform", () => {
  const { transforms } = vision;
  assert.throws(
    () => new transforms.ToTensor().forward(torch.zeros(3) as never),
    (e: Error) => e instanceof torch.ValueError && /^ToTensor: pic should be an Image/.test(e.message),
  );
  assert.throws(
    () => new transforms.Normalize([0.5], [0.5]).forward(torch.zeros([3, 2, 2], { dtype: "int64" })),
    (e: Error) => e instanceof torch.DTypeError && /Normalize: Input tensor should be a float tensor/.test(e.message),
  );
  assert.throws(
    () => new transforms.Normalize([0.5], [0.5]).forward(torch.zeros([2, 2])),
    (e: Error) => e instanceof torch.ShapeError && /Normalize: Expected tensor to be a tensor image/.test(e.message),
  );
  assert.throws(
    () => new transforms.Resize(4, "nearest" as never),
    (e: Error) => e instanceof torch.ArgumentError && /Resize: only bilinear/.test(e.message),
  );
  assert.throws(
    () => new transforms.CenterCrop([1, 2, 3]),
    (e: Error) => e instanceof torch.ValueError && /CenterCrop: Please provide only two dimensions/.test(e.message),
  );
});
