// The signature helper behind every constructor: positional prefix + one options object, and the
// errors for too many, twice-given, missing and unknown arguments. The @ts-expect-error lines are
// checked by `npm run typecheck` (tsconfig includes test/).
import { test } from "node:test";
import assert from "node:assert/strict";
import { type ArgsOf, isPlainObject, signature } from "../src/internal/args.js";
import { ArgumentError, ValueError } from "../src/errors.js";

interface LSTMParams {
  inputSize: number;
  hiddenSize: number;
  numLayers?: number;
  bias?: boolean;
  weight?: Float32Array | null;
}
const lstm = signature<LSTMParams>()("LSTM", ["inputSize", "hiddenSize", "numLayers", "bias", "weight"], {
  numLayers: 1,
  bias: true,
  weight: null,
});
const f = (...a: ArgsOf<typeof lstm>) => lstm.parse(a);

test("positional in torch's order, by name, or both; defaults fill the rest", () => {
  const want = { inputSize: 1, hiddenSize: 2, numLayers: 3, bias: false, weight: null };
  assert.deepEqual(f(1, 2, 3, false), want);
  assert.deepEqual(f(1, 2, { numLayers: 3, bias: false }), want);
  assert.deepEqual(f({ inputSize: 1, hiddenSize: 2, numLayers: 3, bias: false }), want);
  assert.deepEqual(f(1, { hiddenSize: 2, bias: false, numLayers: 3 }), want);
  assert.deepEqual(f(1, 2), { inputSize: 1, hiddenSize: 2, numLayers: 1, bias: true, weight: null });
  // undefined means "not given", positionally and by name
  assert.deepEqual(f(1, 2, undefined, false, { weight: undefined }), { ...want, numLayers: 1 });
  const w = new Float32Array(2);
  assert.equal(f(1, 2, 1, true, w).weight, w);
  // the parsed type carries the defaults' types
  const p = f(1, 2);
  const n: number = p.numLayers;
  const b: boolean = p.bias;
  assert.equal(n + Number(b), 2);
});

test("argument errors name the callee and the parameter", () => {
  assert.throws(
    () => f(1, 2, { num_layers: 2 } as never),
    (e: Error) =>
      e instanceof ArgumentError &&
      e instanceof ValueError &&
      /LSTM: unexpected option 'num_layers' \(did you mean numLayers\?\)/.test(e.message),
  );
  assert.throws(() => f(1, 2, { numlayers: 2 } as never), /did you mean numLayers\?/);
  assert.throws(
    () => f(1, 2, { depth: 2 } as never),
    /LSTM: unexpected option 'depth' \(expected one of inputSize, hiddenSize, numLayers, bias, weight\)/,
  );
  assert.throws(
    () => f(...([1, 2, 3, true, null, 6] as unknown as [number, number])),
    /LSTM: takes at most 5 positional arguments \(inputSize, hiddenSize, numLayers, bias, weight\), got 6/,
  );
  assert.throws(
    () => f(...([1, 2, { inputSize: 3 }] as unknown as [number, number])),
    /LSTM: got multiple values for argument 'inputSize'/,
  );
  assert.throws(
    () => f(...([{ inputSize: 3 }] as unknown as [number, number])),
    /LSTM: missing required argument 'hiddenSize' \(hidden_size in torch\)/,
  );
});

test("only a plain object literal is an options object", () => {
  assert.ok(isPlainObject({}));
  assert.ok(isPlainObject(Object.create(null)));
  assert.ok(!isPlainObject([]));
  assert.ok(!isPlainObject(new Float32Array(1)));
  assert.ok(!isPlainObject(new (class Dataset {})()));
  assert.ok(!isPlainObject(null));
});

// Compile-time checks: wrong calls do not type-check.
export function typeChecks(): void {
  f(1, 2);
  f({ inputSize: 1, hiddenSize: 2 });
  // @ts-expect-error a required parameter missing
  f({ inputSize: 1 });
  // @ts-expect-error an unknown (snake_case) name
  f(1, 2, { num_layers: 2 });
  // @ts-expect-error too many positional arguments
  f(1, 2, 3, true, null, 5);
  // @ts-expect-error given twice
  f(1, 2, { inputSize: 3 });
  // @ts-expect-error wrong type positionally
  f(1, "2");
}
