// The random op chains of scripts/fixtures/ops_fixtures.py (chain_apply), in Flint.
import * as torch from "../../src/index.js";
import type { Tensor } from "../../src/index.js";

/** The steps of the random chains in scripts/fixtures/ops_fixtures.py (chain_apply), in Flint. */
export function chainApply(op: string, a: Tensor, b: Tensor): Tensor {
  switch (op) {
    case "tanh":
      return a.tanh();
    case "sigmoid":
      return a.sigmoid();
    case "sin":
      return a.sin();
    case "cos":
      return a.cos();
    case "neg":
      return a.neg();
    case "exp_tanh":
      return a.tanh().exp();
    case "sqrt1p":
      return a.mul(a).add(1).sqrt();
    case "relu":
      return a.relu();
    case "abs":
      return a.abs();
    case "square":
      return a.square();
    case "softmax1":
      return a.softmax(1);
    case "logSoftmax0":
      return a.logSoftmax(0);
    case "t_matmul":
      return a.t().matmul(a).matmul(a.t()).t().div(4);
    case "clamp":
      return a.clamp(-0.5, 0.7);
    case "add":
      return a.add(b);
    case "sub":
      return a.sub(b);
    case "mul":
      return a.mul(b);
    case "div_safe":
      return a.div(b.mul(b).add(1));
    case "maximum":
      return torch.maximum(a, b);
    case "where_gt":
      return torch.where(a.gt(b), a, b.mul(0.5));
    case "cat_narrow":
      return torch.cat([a, b], 1).narrow(1, 2, 4);
    case "stack_sum":
      return torch.stack([a, b], 0).sum(0);
    case "matmul_t":
      return a.matmul(b.t()).matmul(b).div(4);
    case "pow_abs":
      return a.abs().add(0.5).pow(b.tanh());
    case "add_":
      return a.mul(1).add_(b);
    case "mul_":
      return a.add(0).mul_(b);
    case "view_mul_": {
      const c = a.mul(1);
      c.select(0, 1).mul_(b.select(0, 2));
      return c;
    }
    case "view_fill_": {
      const c = a.add(0);
      c.select(1, 1).fill_(0.25);
      return c;
    }
    case "clamp_":
      return a.mul(1).clamp_(-0.3, 0.4);
  }
  throw new Error(`unknown chain op ${op}`);
}
