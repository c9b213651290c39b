// torch.tuneProcess(): the process-wide malloc and V8 settings are explicit, opt-in and
// individually switchable (importing Flint sets neither).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../src/index.js";

test("tuneProcess applies what it is asked for and says what it applied", () => {
  const native = torch.backendName() === "native";
  assert.deepEqual(torch.tuneProcess({ malloc: false, v8: false, storage: false }), {
    malloc: false,
    v8: false,
    storage: false,
  });
  const r = torch.tuneProcess({ v8: false, storage: false });
  // mallopt needs the native addon and glibc (Node on Linux is built against glibc here).
  assert.equal(r.malloc, native && process.platform === "linux");
  assert.equal(r.v8, false);
  assert.equal(torch.tuneProcess({ malloc: false }).v8, process.env.FLINT_KEEP_V8_FLAGS !== "1");
});
