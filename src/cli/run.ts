// `flint run`: torchrun for Flint. Starts --nproc-per-node copies of a script on this node with
// PyTorch's environment contract (RANK, LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE, GROUP_RANK,
// MASTER_ADDR, MASTER_PORT …), so the script's initProcessGroup("gloo") (env://) finds the others.
// Static rendezvous only: rank 0 (node 0, local rank 0) hosts the TCPStore. Nothing is restarted:
// when a rank fails, the launcher stops the others and exits non-zero, naming the failed rank.
// Ctrl-C (SIGINT) or SIGTERM stops every rank.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { UsageError } from "./args.js";
import { rankNodeFlags } from "../distributed/rank-node-flags.js";

export const RUN_HELP = `Usage: flint run [options] SCRIPT [SCRIPT_ARGS...]

Start SCRIPT (a .js or .ts file run with node) as several ranks of one distributed job, like
torchrun. Each rank gets RANK, LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE, GROUP_RANK,
MASTER_ADDR, MASTER_PORT and OMP_NUM_THREADS (1 unless set) in its environment; the script calls
distributed.initProcessGroup("gloo"). Each rank's node starts with --initial-old-space-size=128
(fewer V8 major GCs in training; FLINT_KEEP_V8_FLAGS=1 leaves it out).

Options (torchrun's; underscores work too, e.g. --nproc_per_node):
  --nproc-per-node N   ranks on this node (default 1)
  --nnodes M           nodes in the job (default 1)
  --node-rank K        this node's index, 0..M-1 (default 0)
  --master-addr A      address of node 0, where rank 0 hosts the store (default 127.0.0.1)
  --master-port P      its port (default 29500)
  --standalone         single node on a free local port (ignores --master-addr/--master-port)
  --max-restarts 0     accepted only as 0: Flint never restarts a failed rank
  -h, --help           this help

Example: flint run --nproc-per-node 2 train.ts --epochs 3
`;

export interface LaunchConfig {
  nprocPerNode: number;
  nnodes: number;
  nodeRank: number;
  masterAddr: string;
  masterPort: number;
  standalone: boolean;
  script: string;
  scriptArgs: string[];
}

const INT_FLAGS = new Set(["nproc-per-node", "nnodes", "node-rank", "master-port", "max-restarts"]);
const STRING_FLAGS = new Set(["master-addr"]);

/** Parses the launcher's flags up to the script; everything after the script is the script's. */
export function parseRunArgs(argv: readonly string[]): LaunchConfig | "help" {
  const cfg: LaunchConfig = {
    nprocPerNode: 1,
    nnodes: 1,
    nodeRank: 0,
    masterAddr: "127.0.0.1",
    masterPort: 29500,
    standalone: false,
    script: "",
    scriptArgs: [],
  };
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "-h" || arg === "--help") return "help";
    if (arg === "--") {
      i++;
      break;
    }
    if (!arg.startsWith("--")) break;
    const eq = arg.indexOf("=");
    const name = (eq >= 0 ? arg.slice(2, eq) : arg.slice(2)).replace(/_/g, "-");
    if (name === "standalone") {
      cfg.standalone = true;
      continue;
    }
    if (!INT_FLAGS.has(name) && !STRING_FLAGS.has(name)) {
      if (name.startsWith("rdzv"))
        throw new UsageError(`not implemented: --${name} (only static rendezvous: --master-addr/--master-port)`, "run");
      throw new UsageError(`unknown option --${name} for "flint run"`, "run");
    }
    const raw = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (raw === undefined) throw new UsageError(`--${name} needs a value`, "run");
    if (STRING_FLAGS.has(name)) {
      cfg.masterAddr = raw;
      continue;
    }
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) {
      const hint = name === "nnodes" && raw.includes(":") ? " (elastic ranges MIN:MAX are not implemented)" : "";
      throw new UsageError(`--${name} expects a whole number, got "${raw}"${hint}`, "run");
    }
    if (name === "nproc-per-node") cfg.nprocPerNode = n;
    else if (name === "nnodes") cfg.nnodes = n;
    else if (name === "node-rank") cfg.nodeRank = n;
    else if (name === "master-port") cfg.masterPort = n;
    else if (n !== 0)
      throw new UsageError(
        "not implemented: --max-restarts above 0 (Flint's launcher never restarts a failed rank)",
        "run",
      );
  }
  if (i >= argv.length) throw new UsageError("missing SCRIPT: the file each rank runs", "run");
  cfg.script = argv[i];
  cfg.scriptArgs = argv.slice(i + 1);
  if (cfg.nprocPerNode < 1) throw new UsageError("--nproc-per-node must be at least 1", "run");
  if (cfg.nnodes < 1) throw new UsageError("--nnodes must be at least 1", "run");
  if (cfg.nodeRank >= cfg.nnodes)
    throw new UsageError(`--node-rank ${cfg.nodeRank} must be below --nnodes ${cfg.nnodes}`, "run");
  if (cfg.masterPort > 65535) throw new UsageError(`--master-port ${cfg.masterPort} is not a port`, "run");
  if (cfg.standalone && cfg.nnodes !== 1) throw new UsageError("--standalone is for a single node (--nnodes 1)", "run");
  return cfg;
}

/** The environment of local rank `local` (PyTorch's names and values). */
export function rankEnv(cfg: LaunchConfig, local: number, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const world = cfg.nnodes * cfg.nprocPerNode;
  const rank = cfg.nodeRank * cfg.nprocPerNode + local;
  return {
    ...base,
    RANK: String(rank),
    LOCAL_RANK: String(local),
    WORLD_SIZE: String(world),
    LOCAL_WORLD_SIZE: String(cfg.nprocPerNode),
    GROUP_RANK: String(cfg.nodeRank),
    ROLE_RANK: String(rank),
    ROLE_WORLD_SIZE: String(world),
    ROLE_NAME: "default",
    MASTER_ADDR: cfg.masterAddr,
    MASTER_PORT: String(cfg.masterPort),
    TORCHELASTIC_RESTART_COUNT: "0",
    TORCHELASTIC_MAX_RESTARTS: "0",
    // As torchrun: one thread per rank unless the user says otherwise (ranks share the cores).
    OMP_NUM_THREADS: base.OMP_NUM_THREADS ?? "1",
  };
}

/** node's arguments for the script: the ranks' V8 flags (src/distributed/rank-node-flags.ts), TypeScript through tsx's loader. */
export function nodeArgs(script: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const flags = rankNodeFlags(env);
  return /\.[mc]?ts$/.test(script) ? [...flags, "--import", "tsx", script, ...args] : [...flags, script, ...args];
}

async function freeLocalPort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => resolve(typeof a === "object" && a !== null ? a.port : 0));
    });
  });
}

const GRACE_MS = 5000;

/** Runs the job; resolves to the launcher's exit code. */
export async function runCommand(argv: readonly string[]): Promise<number> {
  const parsed = parseRunArgs(argv);
  if (parsed === "help") {
    process.stdout.write(RUN_HELP);
    return 0;
  }
  const cfg = parsed;
  if (!existsSync(cfg.script)) throw new UsageError(`SCRIPT ${cfg.script} does not exist`, "run");
  if (cfg.standalone) {
    cfg.masterAddr = "127.0.0.1";
    cfg.masterPort = await freeLocalPort();
  }
  const children: { local: number; rank: number; child: ChildProcess; done: boolean }[] = [];
  let stopping: string | null = null;
  let exitCode = 0;

  const stopAll = (why: string): void => {
    if (stopping !== null) return;
    stopping = why;
    for (const c of children) if (!c.done) c.child.kill("SIGTERM");
    setTimeout(() => {
      for (const c of children) if (!c.done) c.child.kill("SIGKILL");
    }, GRACE_MS).unref();
  };
  const onSignal = (sig: NodeJS.Signals): void => {
    process.stderr.write(`flint run: received ${sig}; stopping all ranks\n`);
    exitCode = sig === "SIGINT" ? 130 : 143;
    stopAll(sig);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    await new Promise<void>((resolve) => {
      let left = cfg.nprocPerNode;
      for (let local = 0; local < cfg.nprocPerNode; local++) {
        const env = rankEnv(cfg, local);
        const child = spawn(process.execPath, nodeArgs(cfg.script, cfg.scriptArgs), { env, stdio: "inherit" });
        const entry = { local, rank: Number(env.RANK), child, done: false };
        children.push(entry);
        const finish = (code: number | null, signal: NodeJS.Signals | null, err?: Error): void => {
          if (entry.done) return;
          entry.done = true;
          if ((code !== 0 || err) && stopping === null) {
            const how = err
              ? `could not start (${err.message})`
              : signal !== null
                ? `was killed by ${signal}`
                : `exited with code ${code}`;
            process.stderr.write(
              `flint run: rank ${entry.rank} (local rank ${local}, pid ${child.pid ?? "?"}) ${how}; stopping the other ranks (no restarts)\n`,
            );
            exitCode = 1;
            stopAll(`rank ${entry.rank} failed`);
          }
          if (--left === 0) resolve();
        };
        child.on("exit", (code, signal) => finish(code, signal));
        child.on("error", (e) => finish(null, null, e));
      }
    });
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  return exitCode;
}
