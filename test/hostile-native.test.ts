// Hostile arguments at the N-API boundary (issue 19): size products that wrap int64, strides
// whose extent wraps, work buffers that cannot be allocated (also on a pool worker thread). Each
// must raise a JS error naming the kernel, never crash. The calls run in a child process
// (hostile-native-cases.mjs) so a crash shows up as a failed test with its signal.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

const addonPath = join(process.cwd(), "build", "Release", "flint_native.node");

interface CaseResult {
  name: string;
  ok: boolean;
  type?: string;
  message?: string;
}

test(
  "native entry points reject hostile sizes with a named error (no crash)",
  { skip: !existsSync(addonPath) && "native addon not built", timeout: 60_000 },
  () => {
    // Address space capped at ~3 GB so a 4 GB work buffer cannot be allocated (nothing is touched).
    const r = spawnSync(
      "bash",
      ["-c", `ulimit -v 3000000 && exec "${process.execPath}" test/hostile-native-cases.mjs`],
      {
        encoding: "utf8",
        timeout: 50_000,
      },
    );
    assert.equal(r.signal, null, `child crashed with ${r.signal}: ${r.stderr}`);
    assert.equal(r.status, 0, r.stderr);
    const results = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as CaseResult);
    assert.ok(results.length >= 20, `only ${results.length} cases ran`);
    for (const c of results) {
      assert.equal(c.ok, false, `${c.name} was accepted`);
      const kernel = c.name.replace(
        /(Wrap|HugeStride|FarStride|NaNStride|ShapeWrap|ProductWrap|PaddingWrap|HugePadding|ScratchFails|ScratchFailsOnWorker|HugeWorkBuffer|ExtentWrap|StrideWrap|OffsetPastEnd|HugeCount)$/,
        "",
      );
      assert.match(c.message ?? "", /^[a-zA-Z0-9]+: /, `${c.name}: ${c.message}`);
      assert.ok(
        (c.message ?? "").toLowerCase().startsWith(kernel.slice(0, 4).toLowerCase()),
        `${c.name}: ${c.message}`,
      );
    }
    const by = new Map(results.map((c) => [c.name, c.message ?? ""]));
    assert.match(
      by.get("lstmForwardWrap") ?? "",
      /lstmCellForward: size calculation overflowed with sizes=\[2147483648, 4, 2147483648\]/,
    );
    assert.match(by.get("copyStridedHugeStride") ?? "", /copyStrided: size calculation overflowed/);
    assert.match(by.get("copyStridedFarStride") ?? "", /copyStrided: argument 0 needs 1099511627777 elements/);
    assert.match(by.get("conv2dScratchFails") ?? "", /conv2dForward: out of memory/);
    assert.match(
      by.get("conv2dHugeWorkBuffer") ?? "",
      /conv2dForward: padding 262144x262144 needs a work buffer of \d+ floats, too large to allocate/,
    );
    assert.match(by.get("conv2dScratchFailsOnWorker") ?? "", /conv2dForward: out of memory/);
    assert.match(by.get("sgemmExtentWrap") ?? "", /sgemm: size calculation overflowed/);
  },
);
