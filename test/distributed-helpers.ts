// Runs a worker script as N ranks on localhost (one node process each, PyTorch's env contract),
// bounded in time; collects each rank's exit code and output.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

export const REPO = fileURLToPath(new URL("..", import.meta.url));
export const worker = (name: string): string => join(REPO, "test", "distributed", name);

export interface RankResult {
  rank: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Milliseconds from start to exit. */
  ms: number;
}

/** A port that was free a moment ago (bind to 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      const port = typeof a === "object" && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface RunOptions {
  env?: Record<string, string>;
  /** Kills every rank still running after this many ms (the test then fails on the result). */
  limitMs?: number;
  /** Ranks to start (default all); lets a test leave one out. */
  only?: number[];
}

export async function runRanks(
  script: string,
  worldSize: number,
  args: string[] = [],
  opts: RunOptions = {},
): Promise<RankResult[]> {
  const port = await freePort();
  const start = Date.now();
  const ranks = opts.only ?? Array.from({ length: worldSize }, (_, i) => i);
  const runs = ranks.map(
    (rank) =>
      new Promise<RankResult>((resolve) => {
        const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
          cwd: REPO,
          env: {
            ...process.env,
            RANK: String(rank),
            LOCAL_RANK: String(rank),
            WORLD_SIZE: String(worldSize),
            MASTER_ADDR: "127.0.0.1",
            MASTER_PORT: String(port),
            FLINT_NUM_THREADS: "1",
            ...opts.env,
          },
          stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "",
          stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        const timer = setTimeout(() => child.kill("SIGKILL"), opts.limitMs ?? 120_000);
        child.on("exit", (code, signal) => {
          clearTimeout(timer);
          resolve({ rank, code, signal, stdout, stderr, ms: Date.now() - start });
        });
      }),
  );
  return Promise.all(runs);
}

/** The JSON lines a worker printed (one object per line starting with '{'). */
export function jsonLines<T>(r: RankResult): T[] {
  return r.stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as T);
}

export const summary = (rs: RankResult[]): string =>
  rs.map((r) => `rank ${r.rank}: code ${r.code} signal ${r.signal}\n${r.stderr.slice(-2000)}`).join("\n");
