// torch.webgpu.isAvailable() and deviceCount() without a prior init(), as PyTorch's
// torch.cuda.is_available(): a fresh process (no device opened) asks, with SwiftShader's ICD and
// with a Vulkan loader pointed at nothing.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { noGpu } from "./webgpu-helpers.js";

const INDEX = fileURLToPath(new URL("../src/index.ts", import.meta.url));
const script = `import * as torch from ${JSON.stringify(INDEX)};
let err = "";
try { torch.ones(1).to("webgpu"); } catch (e) { err = e.message; }
console.log(JSON.stringify({ available: torch.webgpu.isAvailable(), count: torch.webgpu.deviceCount(), err }));`;

function ask(env: Record<string, string>): { available: boolean; count: number; err: string } {
  const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  return JSON.parse(out.trim().split("\n").pop() as string) as { available: boolean; count: number; err: string };
}

test("isAvailable() and deviceCount() answer without init()", { skip: noGpu }, () => {
  const yes = ask({ VK_ICD_FILENAMES: process.env.VK_ICD_FILENAMES ?? "" });
  assert.deepEqual([yes.available, yes.count], [true, 1]);
  // Moving a tensor still needs the awaited init(), and the error says so.
  assert.match(yes.err, /await torch\.webgpu\.init\(\)/);
  const no = ask({ VK_ICD_FILENAMES: "/nonexistent/icd.json" });
  assert.deepEqual([no.available, no.count], [false, 0]);
});
