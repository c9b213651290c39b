// The op declarations are the single source: every declared unary op is torch.X and x.X(), and
// every declared elementwise op has a reference scalar function.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as torch from "../src/index.js";
import { declaredBinaryOps, declaredUnaryOps, unaryFn } from "../src/backend/elementwise-registry.js";
import { BINARY_DECLS } from "../src/ops/binary-decls.js";

describe("op declarations", () => {
  it("every declared unary op is a torch function and a tensor method giving the same values", () => {
    const names = declaredUnaryOps();
    assert.ok(names.length >= 29, `declared: ${names.join(", ")}`);
    const x = torch.tensor([-1.5, 0, 0.25, 2], { dtype: torch.int32 }).to(torch.float32);
    const ints = torch.tensor([3, -4, 0, 7], { dtype: torch.int32 });
    type Fns = Record<string, ((t: torch.Tensor) => torch.Tensor) | undefined>;
    for (const name of names) {
      // torch.special's functions (besselJ0, ndtr, …) have no torch.X or Tensor method in PyTorch
      const top = (torch as unknown as Fns)[name];
      const fn = top ?? (torch.special as unknown as Fns)[name];
      assert.equal(typeof fn, "function", `torch.${name} or torch.special.${name}`);
      if (fn === undefined || top === undefined) continue;
      const input = name === "bitwiseNot" ? ints : x;
      const method = (input as unknown as Record<string, () => torch.Tensor>)[name];
      assert.equal(typeof method, "function", `Tensor.prototype.${name}`);
      assert.deepEqual(method.call(input).tolist(), fn(input).tolist(), name);
    }
  });
  it("a reference function per declared op; the kernel evaluates it", () => {
    assert.deepEqual(declaredBinaryOps().sort(), Object.keys(BINARY_DECLS).sort());
    assert.equal(unaryFn("expm1")(1e-10), Math.expm1(1e-10));
    assert.deepEqual(torch.expm1(torch.tensor([0.5], { dtype: torch.float64 })).tolist(), [Math.expm1(0.5)]);
  });
  it("an undeclared op name is an error naming it", () => {
    assert.throws(() => unaryFn("nope"), /no declared op 'nope'/);
  });
});
