// Hostile sizes and views (issue 19): every allocation goes through the checked size helper
// (overflow, negative, NaN, fractional, above the memory limit) and every view made or assigned
// is checked against its storage, with errors naming the op and the sizes as PyTorch's do.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as torch from "../src/index.js";

const F = torch.nn.functional;

function throwsNamed(f: () => unknown, cls: new (...a: never[]) => Error, re: RegExp): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${(e as Error).name}: ${(e as Error).message}`);
    assert.match((e as Error).message, re);
    return true;
  });
}

describe("checked allocation sizes", () => {
  test("sizes whose product overflows raise as PyTorch (not an empty tensor)", () => {
    throwsNamed(
      () => torch.zeros(2 ** 32, 2 ** 32),
      torch.ShapeError,
      /^zeros: Storage size calculation overflowed with sizes=\[4294967296, 4294967296\]/,
    );
    throwsNamed(() => torch.zeros(2 ** 32, 2 ** 32, 0), torch.ShapeError, /overflowed/);
  });
  test("allocations above the memory limit name the op, bytes and sizes", () => {
    throwsNamed(
      () => torch.zeros(1e6, 1e6),
      torch.ValueError,
      /^zeros: can't allocate memory: you tried to allocate 4000000000000 bytes for sizes=\[1000000, 1000000\]/,
    );
    throwsNamed(() => torch.ones(2 ** 33), torch.ValueError, /^ones: .*34359738368 bytes/);
    throwsNamed(() => torch.eye(1e6), torch.ValueError, /^eye: .*sizes=\[1000000, 1000000\]/);
    throwsNamed(() => torch.arange(1e12), torch.ValueError, /^arange: .*8000000000000 bytes/);
    throwsNamed(() => torch.randn(1e6, 1e6), torch.ValueError, /^randn: /);
    throwsNamed(() => torch.full([1e6, 1e6], 2), torch.ValueError, /^full: /);
    throwsNamed(
      () => torch.ones(3e5, 1).matmul(torch.ones(1, 3e5)),
      torch.ValueError,
      /^matmul: can't allocate memory: .*sizes=\[300000, 300000\]/,
    );
    // Ops without their own check still fail cleanly at the allocation, with the byte count.
    throwsNamed(
      () => torch.ones(1).expand(1e6, 1e6).add(1),
      torch.ValueError,
      /can't allocate memory: you tried to allocate 4000000000000 bytes/,
    );
  });
  test("the limit is configurable", () => {
    const old = torch.getMaxAllocBytes();
    try {
      torch.setMaxAllocBytes(1000);
      throwsNamed(() => torch.zeros(300), torch.ValueError, /^zeros: .*1200 bytes .*limit of 1000 bytes/);
      assert.deepEqual(torch.zeros(250).shape, [250]);
      throwsNamed(() => torch.setMaxAllocBytes(NaN), torch.ValueError, /setMaxAllocBytes/);
    } finally {
      torch.setMaxAllocBytes(old);
    }
  });
  test("negative, fractional and NaN sizes", () => {
    throwsNamed(() => torch.zeros(-1), torch.ShapeError, /^zeros: invalid size -1 in \[-1\]/);
    throwsNamed(() => torch.ones(2.5), torch.ShapeError, /^ones: invalid size 2.5/);
    throwsNamed(() => torch.zeros(NaN), torch.ShapeError, /^zeros: invalid size NaN/);
  });
  test("arange over a NaN or infinite range is unsupported (PyTorch: 'unsupported range')", () => {
    throwsNamed(() => torch.arange(0, NaN), torch.ValueError, /^arange: unsupported range: 0 -> NaN/);
    throwsNamed(() => torch.arange(0, Infinity), torch.ValueError, /unsupported range/);
    // linspace has a bounded step count, so PyTorch accepts a NaN end (all NaN); so does Flint.
    assert.equal(torch.linspace(0, NaN, 3).shape[0], 3);
  });
  test("expand is a free view; its contiguous copy is checked", () => {
    const e = torch.ones(1).expand(1e6, 1e6);
    assert.deepEqual(e.shape, [1e6, 1e6]);
    throwsNamed(
      () => e.contiguous(),
      torch.ValueError,
      /^contiguous: can't allocate memory: .*sizes=\[1000000, 1000000\]/,
    );
  });
  test("deeply nested lists to torch.tensor: too many dimensions, no stack overflow", () => {
    let x: unknown = [1];
    for (let i = 0; i < 100_000; i++) x = [x];
    throwsNamed(() => torch.tensor(x as number[]), torch.ValueError, /^tensor: too many dimensions 'list'/);
    // PyTorch's limit: 128 dimensions load, 129 do not.
    let ok: unknown = 1.5;
    for (let i = 0; i < 128; i++) ok = [ok];
    assert.equal(torch.tensor(ok as number[]).dim(), 128);
    assert.throws(() => torch.tensor([ok] as number[]), /too many dimensions/);
  });
});

describe("conv2d edge sizes", () => {
  test("huge padding is refused with the output sizes", () => {
    throwsNamed(
      () => F.conv2d(torch.ones(1, 1, 3, 3), torch.ones(1, 1, 1, 1), null, 1, 1e9),
      torch.ShapeError,
      /^conv2d: Storage size calculation overflowed with sizes=\[1, 1, 2000000003, 2000000003\]/,
    );
    // PyTorch 1.13: "DefaultCPUAllocator: can't allocate memory: you tried to allocate 160004800036 bytes".
    throwsNamed(
      () => F.conv2d(torch.ones(1, 1, 3, 3), torch.ones(1, 1, 1, 1), null, 1, 1e5),
      torch.ValueError,
      /^conv2d: can't allocate memory: you tried to allocate 160004800036 bytes/,
    );
  });
  test("zero output channels are refused with PyTorch 1.13's message", () => {
    throwsNamed(
      () => F.conv2d(torch.ones(1, 1, 3, 3), torch.ones(0, 1, 1, 1)),
      torch.ShapeError,
      /^conv2d: Given groups=1, expected weight to be at least 1 at dimension 0, but got weight of size \[0, 1, 1, 1\] instead/,
    );
    throwsNamed(
      () => F.conv2d(torch.ones(1, 2, 3, 3), torch.ones(0, 1, 1, 1), null, 1, 0, 1, 2),
      torch.ShapeError,
      /groups=2, expected weight to be at least 2/,
    );
  });
  test("an empty batch gives an empty result and zero weight gradient, as PyTorch", () => {
    const w = torch.ones([4, 3, 3, 3], { requiresGrad: true });
    const y = F.conv2d(torch.ones(0, 3, 5, 5), w);
    assert.deepEqual(y.shape, [0, 4, 3, 3]);
    y.sum().backward();
    assert.equal((w.grad as torch.Tensor).abs().sum().item(), 0);
  });
});

describe("views are validated when made", () => {
  test("asStrided past the end of storage raises setStorage's message", () => {
    throwsNamed(
      () => torch.asStrided(torch.ones(3), [3], [1], 5),
      torch.ShapeError,
      /^as_strided: setStorage: sizes \[3\], strides \[1\], storage offset 5 requiring a storage size of 8 elements are out of bounds for storage of size 3/,
    );
    throwsNamed(() => torch.asStrided(torch.ones(3), [3], [2 ** 62]), torch.ShapeError, /^as_strided: invalid stride/);
    throwsNamed(
      () => torch.asStrided(torch.ones(6), [2, 2], [3, 3]),
      torch.ShapeError,
      /requiring a storage size of 7 elements are out of bounds for storage of size 6/,
    );
    assert.deepEqual(torch.asStrided(torch.arange(6), [2, 2], [3, 1], 1).tolist(), [
      [1, 2],
      [4, 5],
    ]);
    assert.deepEqual(torch.asStrided(torch.ones(3), [0, 5], [1e9, 1e9], 3).shape, [0, 5]);
  });
  test("assigning strides that pass the end of storage is refused (no out-of-bounds copy)", () => {
    const a = torch.ones(4, 4);
    throwsNamed(
      () => {
        a.strides = [2 ** 50, 1];
      },
      torch.ShapeError,
      /^Tensor.strides: setStorage: .*out of bounds for storage of size 16/,
    );
    throwsNamed(
      () => {
        a.strides = [1];
      },
      torch.ShapeError,
      /mismatch in length of strides and shape/,
    );
    assert.deepEqual(a.strides, [4, 1]);
    a.strides = [1, 4];
    assert.deepEqual(a.contiguous().strides, [4, 1]);
  });
});

describe("optimizer arguments and checkpoints", () => {
  // Stricter than PyTorch 1.13, which accepts lr=NaN (its check is `lr < 0`) and then turns every weight into NaN.
  test("SGD refuses a NaN learning rate or momentum", () => {
    const p = torch.ones(2, { requiresGrad: true });
    throwsNamed(() => new torch.optim.SGD([p], { lr: NaN }), torch.ValueError, /^SGD: invalid learning rate: NaN/);
    throwsNamed(
      () => new torch.optim.SGD([p], { lr: 0.1, momentum: NaN }),
      torch.ValueError,
      /^SGD: invalid momentum value: NaN/,
    );
  });
  test("a momentum buffer of the wrong shape names the parameter", () => {
    const a = torch.ones([3, 4], { requiresGrad: true }),
      b = torch.ones([5], { requiresGrad: true });
    const opt = new torch.optim.SGD([a, b], { lr: 0.1, momentum: 0.9 });
    const sd = opt.stateDict();
    sd.state[1] = { momentum_buffer: torch.zeros(6) };
    throwsNamed(
      () => opt.loadStateDict(sd),
      torch.ValueError,
      /^loadStateDict: state 'momentum_buffer' of group 0, parameter 1 \(id 1\) has shape \[6\], but the parameter has shape \[5\]/,
    );
  });
});
