// Helpers for the CLI tests: a generated CIFAR-10 folder in the official binary layout, and a
// way to run `flint` as a child process (through tsx, as `npx tsx src/cli/main.ts` does).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("..", import.meta.url));
export const MAIN = join(REPO, "src", "cli", "main.ts");
export const CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

export function tempDir(prefix = "flint-cli-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * A CIFAR-10 folder (cifar-10-batches-bin/data_batch_1..5.bin, test_batch.bin,
 * batches.meta.txt). Files have the official size (10,000 records of 1 + 3,072 bytes; the
 * dataset checks it); the CLI's --train-size/--test-size then use only the first few hundred.
 * Images are learnable: noise plus a bright band whose row and color depend on the label.
 */
export function writeCifar(root: string, records = 10000): void {
  const dir = join(root, "cifar-10-batches-bin");
  mkdirSync(dir, { recursive: true });
  const make = (seed: number): Buffer => {
    const rec = 3073;
    const buf = Buffer.alloc(records * rec);
    let s = seed >>> 0;
    for (let i = 0; i < records; i++) {
      const label = (i * 7 + seed) % 10;
      const o = i * rec;
      buf[o] = label;
      for (let j = 1; j < rec; j++) {
        s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
        buf[o + j] = (s >>> 25) + 32; // noise in [32, 160)
      }
      // Band: rows 3*label..3*label+2, in channel label % 3.
      const ch = label % 3;
      for (let y = 3 * label; y < 3 * label + 3; y++)
        for (let x = 0; x < 32; x++) buf[o + 1 + ch * 1024 + y * 32 + x] = 250;
    }
    return buf;
  };
  const train = make(1);
  for (let k = 1; k <= 5; k++) writeFileSync(join(dir, `data_batch_${k}.bin`), train);
  writeFileSync(join(dir, "test_batch.bin"), make(2));
  writeFileSync(join(dir, "batches.meta.txt"), CLASSES.join("\n") + "\n\n");
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts `flint ARGS` (tsx on the sources); the caller may watch stdout and send signals. */
export function startFlint(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", MAIN, ...args], {
    cwd: REPO,
    env: { ...process.env, FLINT_QUIET: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

export function collect(child: ChildProcess): Promise<RunResult> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })));
}

export function runFlint(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  return collect(startFlint(args, env));
}

/** Resolves with the first match of `re` in the child's stdout (rejects after `ms`). */
export function waitForOutput(child: ChildProcess, re: RegExp, ms = 120000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re} in:\n${text}`)), ms);
    const onData = (d: Buffer): void => {
      text += d.toString();
      const m = text.match(re);
      if (m !== null) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        resolve(m);
      }
    };
    child.stdout?.on("data", onData);
    child.on("close", () => {
      clearTimeout(timer);
      reject(new Error(`flint exited before printing ${re}:\n${text}`));
    });
  });
}
