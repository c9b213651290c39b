// The `flint` command: dispatches to train / eval / predict. Usage errors exit with 2 and point
// at --help; other failures print one line (no stack trace unless FLINT_DEBUG=1) and exit with 1.
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { UsageError, helpText, parseArgs, suggest, type CommandSpec, type ParsedArgs } from "./args.js";

interface Command {
  spec: () => Promise<CommandSpec>;
  run: (a: ParsedArgs) => Promise<number>;
}

// Commands load lazily, so `flint --help` and usage errors answer at once.
const COMMANDS: Record<string, Command> = {
  train: {
    spec: async () => (await import("./flags.js")).TRAIN_SPEC,
    run: async (a) => (await import("./train.js")).trainCommand(a),
  },
  eval: {
    spec: async () => (await import("./flags.js")).EVAL_SPEC,
    run: async (a) => (await import("./eval.js")).evalCommand(a),
  },
  predict: {
    spec: async () => (await import("./flags.js")).PREDICT_SPEC,
    run: async (a) => (await import("./predict.js")).predictCommand(a),
  },
};

const SUMMARIES: Record<string, string> = {
  train: "Train a CNN on CIFAR-10 (checkpoints, --resume, metrics, plot, --dashboard)",
  eval: "Test accuracy, per-class accuracy and confusion matrix of a checkpoint",
  predict: "Classify image files with a checkpoint",
  run: "Start a script as several ranks of a distributed job (torchrun's flags)",
};

export const MAIN_HELP = `Usage: flint <command> [options]

Flint: PyTorch's programming model in TypeScript.

Commands:
${Object.entries(SUMMARIES)
  .map(([k, v]) => `  ${k.padEnd(10)}${v}`)
  .join("\n")}

Run "flint <command> --help" for a command's options.
Example: flint train --epochs 5 --root ./data
`;

/** Runs the CLI on argv (without node and the script); returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "-h" || name === "--help" || name === "help") {
    if (name === "help" && rest[0] !== undefined && rest[0] in COMMANDS) {
      process.stdout.write(helpText(await COMMANDS[rest[0]].spec()));
      return 0;
    }
    process.stdout.write(MAIN_HELP);
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-V") {
    process.stdout.write("flint 0.1.0\n");
    return 0;
  }
  const cmd = COMMANDS[name];
  try {
    // `run` passes everything after the script to it, so it parses its own arguments.
    if (name === "run") return await (await import("./run.js")).runCommand(rest);
    if (cmd === undefined) {
      const s = suggest(name, Object.keys(COMMANDS));
      throw new UsageError(
        `unknown command "${name}"${s !== null ? ` (did you mean "${s}"?)` : ""}; commands: ${Object.keys(SUMMARIES).join(", ")}`,
      );
    }
    const spec = await cmd.spec();
    const args = parseArgs(spec, rest);
    if (args.help) {
      process.stdout.write(helpText(spec));
      return 0;
    }
    return await cmd.run(args);
  } catch (e) {
    if (e instanceof UsageError) {
      const where = e.command !== "" ? `flint ${e.command} --help` : "flint --help";
      process.stderr.write(`flint: ${e.message}\nRun "${where}" for usage.\n`);
      return 2;
    }
    const err = e instanceof Error ? e : new Error(String(e));
    process.stderr.write(`flint: error: ${err.message}\n`);
    if (process.env.FLINT_DEBUG === "1" && err.stack !== undefined) process.stderr.write(`${err.stack}\n`);
    return 1;
  }
}

/** Entry point for bin/flint.js and `tsx src/cli/main.ts`. */
export async function run(): Promise<void> {
  // `flint … | head` closes the pipe early: stop quietly instead of crashing on EPIPE.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
  const code = await main(process.argv.slice(2));
  // Exit explicitly (idle worker threads must not keep the process alive), once stdout has
  // drained: writes to a pipe are asynchronous.
  process.exitCode = code;
  process.stdout.write("", () => process.exit(code));
}

function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (invokedDirectly()) void run();
