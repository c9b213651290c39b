// Child-process half of hostile-native.test.ts: calls the native addon's entry points with hostile
// sizes (products that wrap int64, huge strides, unallocatable work buffers) and prints one JSON
// line per case with the error it raised. Run in a child so a crash fails the test instead of
// killing the test runner. Plain JavaScript: the parent caps this process's address space, which
// leaves no room for tsx's WebAssembly.
import { createRequire } from "node:module";
import { join } from "node:path";
import process from "node:process";

const require = createRequire(import.meta.url);
const addon = require(join(process.cwd(), "build", "Release", "flint_native.node"));

const f = (n) => new Float32Array(n);
const big = 2 ** 32;
const cases = {
  // B * 4 * H wraps to 0 in int64 (2^31 * 4 * 2^31 = 2^64).
  lstmForwardWrap: () => addon.lstmCellForward(f(4), f(4), f(4), f(4), f(4), 2 ** 31, 2 ** 31),
  lstmBackwardWrap: () => addon.lstmCellBackward(f(4), f(4), f(4), f(4), f(4), f(4), big, big),
  // (shape - 1) * stride wraps: 2^62 * 4 = 2^64 = 0.
  copyStridedHugeStride: () => addon.copyStrided(f(8), 0, [2 ** 50 * 4], f(8), 0, [1], [2 ** 12 + 1]),
  copyStridedFarStride: () => addon.copyStrided(f(8), 0, [2 ** 40], f(8), 0, [1], [2]),
  copyStridedNaNStride: () => addon.copyStrided(f(8), 0, [NaN], f(8), 0, [1], [2]),
  binaryStridedShapeWrap: () => addon.binaryStrided(0, f(8), 0, [0, 0], f(8), 0, [0, 0], f(8), [big, big]),
  conv2dProductWrap: () => addon.conv2dForward(f(16), f(16), null, f(16), big, big, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1),
  conv2dPaddingWrap: () =>
    addon.conv2dForward(f(1), f(1), null, f(1), 1, 1, 1, 1, 1, 1, 1, 2 ** 52, 2 ** 52, 2 ** 52, 2 ** 52, 1, 1, 1),
  conv2dHugePadding: () =>
    addon.conv2dForward(f(1), f(1), null, f(1), 1, 1, 1, 1, 1, 1, 1, 2 ** 45, 2 ** 45, 2 ** 42, 2 ** 42, 1, 1, 1),
  // A padded image past the kernels' cap (4 GiB): refused before any allocation.
  conv2dHugeWorkBuffer: () =>
    addon.conv2dForward(f(1), f(1), null, f(1), 1, 1, 1, 1, 1, 1, 1, 2 ** 20, 2 ** 20, 2 ** 18, 2 ** 18, 1, 1, 1),
  // A 4 GB padded image (under the cap): the parent runs this process under `ulimit -v 3000000`,
  // so the work buffer allocation fails (std::bad_alloc), which must become a JS error.
  conv2dScratchFails: () =>
    addon.conv2dForward(f(1), f(1), null, f(1), 1, 1, 1, 1, 1, 1, 1, 2 ** 20, 2 ** 20, 16000, 16000, 1, 1, 1),
  // Two images: one task runs on a pool worker, whose bad_alloc must reach JS, not std::terminate.
  conv2dScratchFailsOnWorker: () =>
    addon.conv2dForward(f(2), f(1), null, f(2), 2, 1, 1, 1, 1, 1, 1, 2 ** 20, 2 ** 20, 16000, 16000, 1, 1, 1),
  maxPoolProductWrap: () =>
    addon.maxPool2dForward(f(4), f(4), new Int32Array(4), big, big, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1),
  avgPoolProductWrap: () => addon.avgPool2dForward(f(4), f(4), 1, 1, big, big, 1, 1, 1, 1, 0, 0, big, big, true, null),
  sgemmExtentWrap: () => addon.sgemm(false, false, 2 ** 33, 1, 1, 1, f(4), 0, 2 ** 31, f(4), 0, 1, 0, f(4), 0, 1),
  sgemmBatchedStrideWrap: () =>
    addon.sgemmBatched(false, false, 1, 1, 1, 1, f(4), 0, 1, 2 ** 40, f(4), 0, 1, 0, 0, f(4), 0, 1, 0, 2 ** 30),
  sumRowsWrap: () => addon.sumRows(f(4), 0, f(4), 0, big, big, 1),
  softmaxRowsWrap: () => addon.softmaxRows(f(4), 0, f(4), 0, big, big),
  crossEntropyWrap: () => addon.crossEntropyForwardBackward(f(4), new Float64Array(4), null, big, big, 0, -100),
  biasGradWrap: () => addon.biasGradNCHW(f(4), f(4), big, 1, big),
  unaryOffsetPastEnd: () => addon.unary(0, f(4), 2 ** 53, f(4), 0, 1),
  unaryHugeCount: () => addon.unary(0, f(4), 0, f(4), 0, 1e300),
};

addon.setNumThreads(2);
for (const [name, run] of Object.entries(cases)) {
  try {
    run();
    process.stdout.write(JSON.stringify({ name, ok: true }) + "\n");
  } catch (e) {
    const err = e;
    process.stdout.write(JSON.stringify({ name, ok: false, type: err.constructor.name, message: err.message }) + "\n");
  }
}
