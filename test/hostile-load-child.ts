// Child-process half of hostile-files.test.ts: loads each hostile file given (torch.load, or the
// image loader for .png/.jpg) and prints one JSON line per file: the outcome, the error, the time
// and the memory. A line "start" precedes each load, so when a load crashes or hangs the parent
// knows which file did it.
import { load } from "../src/serialization/save-load.js";
import { loadImage } from "../src/vision/image-io.js";

for (const path of process.argv.slice(2)) {
  process.stdout.write(JSON.stringify({ start: path }) + "\n");
  const t0 = performance.now();
  let result: Record<string, unknown>;
  try {
    const v = /\.(png|jpe?g)$/i.test(path) ? loadImage(path) : load(path);
    result = { path, outcome: "loads", kind: Array.isArray(v) ? "list" : typeof v };
  } catch (e) {
    const err = e as Error;
    result = { path, outcome: "rejects", name: err.name, message: err.message };
  }
  result.ms = Math.round(performance.now() - t0);
  result.rssMB = Math.round(process.memoryUsage().rss / 2 ** 20);
  process.stdout.write(JSON.stringify(result) + "\n");
}
