// Thin re-exports for test/random.test.ts (rand_ = torch.rand's uniform_(0, 1)).
import type { Generator } from "../src/random/generator.js";
import { uniform } from "../src/random/sample.js";

export * from "../src/random/index.js";

export function rand_(gen: Generator, out: Float32Array | Float64Array): Float32Array | Float64Array {
  return uniform(gen, out, 0, 1);
}
