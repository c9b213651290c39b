// Shared helpers of the nn/optim tests: decoding PyTorch fixtures and comparing within tolerance.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as torch from "../src/index.js";

export interface Enc {
  shape: number[];
  dtype: "float32" | "float64" | "int64";
  b64?: string;
  ints?: number[];
}
export interface Summary {
  shape: number[];
  sum: number;
  sumsq: number;
  step: number;
  sample: Enc;
}

export function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(fileURLToPath(new URL(`./fixtures/nn/${name}`, import.meta.url)), "utf8")) as T;
}
export function fixtureBytes(name: string): Buffer {
  return readFileSync(fileURLToPath(new URL(`./fixtures/nn/${name}`, import.meta.url)));
}

export function dec(e: Enc): torch.Tensor {
  if (e.ints) return torch.tensor(e.ints, { dtype: "int64" }).reshape(e.shape);
  const buf = Buffer.from(e.b64 as string, "base64");
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  const arr = e.dtype === "float64" ? new Float64Array(ab) : new Float32Array(ab);
  return torch.fromTypedArray(arr, e.shape, e.dtype);
}

/** Elementwise |a - b| <= atol + rtol * |b|, with a message naming the worst element. */
export function assertClose(
  actual: torch.Tensor | ArrayLike<number>,
  expected: torch.Tensor | ArrayLike<number>,
  what: string,
  rtol = 1e-4,
  atol = 1e-6,
): void {
  const a = actual instanceof torch.Tensor ? Array.from(actual.typedArray() as ArrayLike<number>) : Array.from(actual);
  const b =
    expected instanceof torch.Tensor ? Array.from(expected.typedArray() as ArrayLike<number>) : Array.from(expected);
  if (actual instanceof torch.Tensor && expected instanceof torch.Tensor) {
    assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  }
  assert.equal(a.length, b.length, `${what}: length`);
  let worst = -1,
    worstErr = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(b[i]) && Number.isNaN(a[i])) continue;
    if (a[i] === b[i]) continue;
    const err = Math.abs(a[i] - b[i]) - (atol + rtol * Math.abs(b[i]));
    if (!(err <= 0) && (worst < 0 || err > worstErr)) {
      worst = i;
      worstErr = Number.isNaN(err) ? Infinity : err;
    }
  }
  if (worst >= 0) assert.fail(`${what}: element ${worst} is ${a[worst]}, expected ${b[worst]}`);
}

/** Compares a big tensor with a fixture summary (sample elements, sum, sum of squares). */
export function assertSummary(t: torch.Tensor, s: Summary, what: string, rtol = 1e-4): void {
  assert.deepEqual(t.shape, s.shape, `${what}: shape`);
  const flat = t.typedArray() as Float32Array;
  const sample = dec(s.sample).typedArray() as Float32Array;
  const scale = Math.max(...Array.from(sample, Math.abs), 1e-12);
  const picked = Array.from(sample, (_, i) => flat[i * s.step]);
  assertClose(picked, sample, `${what} (sampled elements)`, rtol, rtol * scale);
  let sum = 0,
    sumsq = 0;
  for (const v of flat) {
    sum += v;
    sumsq += v * v;
  }
  assertClose([sumsq], [s.sumsq], `${what} (sum of squares)`, rtol * 10);
  const absScale = Math.sqrt(s.sumsq);
  assert.ok(Math.abs(sum - s.sum) <= rtol * 10 * absScale + 1e-6, `${what} (sum): ${sum} vs ${s.sum}`);
}

/** Module / optimizer constructors by name, for table-driven tests. */
export type Ctor<T> = new (...args: unknown[]) => T;
export const ctorOf = <T>(ns: object, name: string): Ctor<T> => {
  const c = (ns as Record<string, unknown>)[name];
  if (typeof c !== "function") throw new Error(`no constructor ${name}`);
  return c as Ctor<T>;
};
