import { backend } from "../src/backend/backend.js";
import { seedStep } from "./seed-step.js";
const { step } = seedStep(64);
for (let i = 0; i < 5; i++) step();
const b = backend() as unknown as Record<string, (...a: unknown[]) => unknown>;
const v: number[] = [];
const f = b.conv2d;
b.conv2d = function (...args: unknown[]) {
  const t0 = performance.now();
  const r = f.apply(this, args);
  if ((args[0] as { shape: number[] }).shape[2] === 8) v.push(performance.now() - t0);
  return r;
};
for (let i = 0; i < 20; i++) step();
console.log(v.map((x) => x.toFixed(1)).join(" "));
