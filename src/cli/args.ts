// A small, strict command-line parser: every command declares its flags once (name, type,
// default, help), and the same declaration drives parsing, validation and `--help`. Wrong flags
// and impossible values are UsageErrors whose message says what was wrong and what would work.
import { FlintError } from "../errors.js";

export class UsageError extends FlintError {
  override name = "UsageError";
  constructor(
    message: string,
    /** The command whose `--help` to point at ("" for the top level). */
    readonly command = "",
  ) {
    super(message);
  }
}

export type FlagType = "string" | "int" | "number" | "boolean" | "choice";
export type FlagValue = string | number | boolean;

export interface FlagSpec {
  name: string;
  type: FlagType;
  help: string;
  /** Placeholder in --help, e.g. DIR, N. */
  metavar?: string;
  default?: FlagValue;
  choices?: readonly string[];
  /** Inclusive lower bound for int/number flags. */
  min?: number;
  /** Exclusive lower bound for number flags (e.g. lr > 0). */
  gt?: number;
  max?: number;
  /** A string flag that may also appear bare (`--resume` or `--resume FILE`); bare gives "". */
  optionalValue?: boolean;
  /** Must be given. */
  required?: boolean;
}

export interface CommandSpec {
  name: string;
  summary: string;
  /** The part after `flint NAME` in the usage line, e.g. "[options] IMAGE...". */
  usage: string;
  flags: FlagSpec[];
  /** Positional arguments: how many are allowed. */
  positionals?: { name: string; min: number; max: number; help: string };
  /** Extra lines shown at the end of --help (examples). */
  epilog?: string[];
}

export class ParsedArgs {
  constructor(
    readonly values: ReadonlyMap<string, FlagValue>,
    /** Flags the user typed (as opposed to defaults). */
    readonly given: ReadonlySet<string>,
    readonly positionals: readonly string[],
    readonly help: boolean,
  ) {}

  has(name: string): boolean {
    return this.values.has(name);
  }

  str(name: string): string {
    const v = this.values.get(name);
    if (typeof v !== "string") throw new Error(`internal: flag --${name} is not a string (${String(v)})`);
    return v;
  }

  optStr(name: string): string | null {
    const v = this.values.get(name);
    return typeof v === "string" ? v : null;
  }

  num(name: string): number {
    const v = this.values.get(name);
    if (typeof v !== "number") throw new Error(`internal: flag --${name} is not a number (${String(v)})`);
    return v;
  }

  optNum(name: string): number | null {
    const v = this.values.get(name);
    return typeof v === "number" ? v : null;
  }

  bool(name: string): boolean {
    return this.values.get(name) === true;
  }
}

/** Edit distance, to suggest the flag the user probably meant. */
function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

/** The closest name within a small edit distance, or null. */
export function suggest(word: string, names: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const n of names) {
    const d = distance(word, n);
    if (d < bestD) {
      bestD = d;
      best = n;
    }
  }
  return best !== null && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : null;
}

function convert(spec: FlagSpec, raw: string, command: string): FlagValue {
  const flag = `--${spec.name}`;
  switch (spec.type) {
    case "string":
      return raw;
    case "boolean": {
      if (/^(true|yes|1|on)$/i.test(raw)) return true;
      if (/^(false|no|0|off)$/i.test(raw)) return false;
      throw new UsageError(`${flag} takes no value or one of true/false, got "${raw}"`, command);
    }
    case "choice": {
      const choices = spec.choices ?? [];
      const v = raw.toLowerCase();
      if (!choices.includes(v)) {
        const s = suggest(v, choices);
        throw new UsageError(
          `${flag} must be one of ${choices.join(", ")}; got "${raw}"${s !== null ? ` (did you mean ${s}?)` : ""}`,
          command,
        );
      }
      return v;
    }
    case "int":
    case "number": {
      const n = raw.trim() === "" ? NaN : Number(raw);
      if (!Number.isFinite(n)) throw new UsageError(`${flag} expects a number, got "${raw}"`, command);
      if (spec.type === "int" && !Number.isInteger(n))
        throw new UsageError(`${flag} expects a whole number, got "${raw}"`, command);
      if (spec.min !== undefined && n < spec.min)
        throw new UsageError(`${flag} must be at least ${spec.min}, got ${raw}`, command);
      if (spec.gt !== undefined && n <= spec.gt)
        throw new UsageError(`${flag} must be greater than ${spec.gt}, got ${raw}`, command);
      if (spec.max !== undefined && n > spec.max)
        throw new UsageError(`${flag} must be at most ${spec.max}, got ${raw}`, command);
      return n;
    }
  }
}

/**
 * Parses argv (without the command name). Accepts `--flag value`, `--flag=value`, bare boolean
 * flags, `--no-flag` for booleans, `-h`/`--help`, and `--` to end the options.
 */
export function parseArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const byName = new Map(spec.flags.map((f) => [f.name, f]));
  const values = new Map<string, FlagValue>();
  const given = new Set<string>();
  const positionals: string[] = [];
  let help = false;
  let onlyPositionals = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (onlyPositionals || !arg.startsWith("-") || arg === "-" || /^-\d/.test(arg)) {
      positionals.push(arg);
      continue;
    }
    if (arg === "--") {
      onlyPositionals = true;
      continue;
    }
    if (arg === "-h" || arg === "--help") {
      help = true;
      continue;
    }
    if (!arg.startsWith("--")) {
      throw new UsageError(`unknown option ${arg}: options are spelled with two dashes, e.g. --epochs 5`, spec.name);
    }
    const eq = arg.indexOf("=");
    let name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    let inline: string | null = eq >= 0 ? arg.slice(eq + 1) : null;
    let f = byName.get(name);
    if (f === undefined && name.startsWith("no-") && byName.get(name.slice(3))?.type === "boolean") {
      if (inline !== null) throw new UsageError(`--${name} takes no value`, spec.name);
      name = name.slice(3);
      f = byName.get(name);
      inline = "false";
    }
    if (f === undefined) {
      const s = suggest(name, [...byName.keys()]);
      throw new UsageError(
        `unknown option --${name} for "flint ${spec.name}"${s !== null ? ` (did you mean --${s}?)` : ""}`,
        spec.name,
      );
    }
    if (given.has(f.name)) throw new UsageError(`--${f.name} is given twice`, spec.name);
    given.add(f.name);
    if (f.type === "boolean") {
      values.set(f.name, inline === null ? true : convert(f, inline, spec.name));
      continue;
    }
    let raw = inline;
    if (raw === null) {
      const next = argv[i + 1];
      const nextIsValue = next !== undefined && (!next.startsWith("--") || /^-\d/.test(next)) && next !== "-h";
      if (nextIsValue) {
        raw = next;
        i++;
      } else if (f.optionalValue === true) {
        raw = "";
      } else {
        throw new UsageError(`--${f.name} needs a value${f.metavar !== undefined ? ` (${f.metavar})` : ""}`, spec.name);
      }
    }
    values.set(f.name, convert(f, raw, spec.name));
  }
  if (!help) {
    for (const f of spec.flags) {
      if (!values.has(f.name) && f.default !== undefined) values.set(f.name, f.default);
      if (f.required === true && !values.has(f.name)) throw new UsageError(`--${f.name} is required`, spec.name);
    }
    const p = spec.positionals;
    const min = p?.min ?? 0;
    const max = p?.max ?? 0;
    if (positionals.length > max) {
      const extra = positionals[max];
      throw new UsageError(
        max === 0
          ? `unexpected argument "${extra}": "flint ${spec.name}" takes no positional arguments`
          : `too many arguments (at most ${max})`,
        spec.name,
      );
    }
    if (positionals.length < min) throw new UsageError(`missing ${p?.name ?? "argument"}`, spec.name);
  }
  return new ParsedArgs(values, given, positionals, help);
}

/** The --help text of a command, built from its spec. */
export function helpText(spec: CommandSpec): string {
  const lines = [`Usage: flint ${spec.name} ${spec.usage}`, "", spec.summary, ""];
  if (spec.positionals !== undefined)
    lines.push("Arguments:", `  ${spec.positionals.name.padEnd(26)}${spec.positionals.help}`, "");
  lines.push("Options:");
  for (const f of spec.flags) {
    let left = `--${f.name}`;
    if (f.type === "choice") left += ` ${(f.choices ?? []).join("|")}`;
    else if (f.type === "boolean") left = f.default === true ? `--[no-]${f.name}` : left;
    else left += f.optionalValue === true ? ` [${f.metavar ?? "VALUE"}]` : ` ${f.metavar ?? "VALUE"}`;
    const def = f.default !== undefined && f.type !== "boolean" ? ` (default: ${String(f.default)})` : "";
    const req = f.required === true ? " (required)" : "";
    const pad = left.length < 25 ? left.padEnd(26) : `${left}\n${" ".repeat(28)}`;
    lines.push(`  ${pad}${f.help}${def}${req}`);
  }
  lines.push(`  ${"-h, --help".padEnd(26)}Show this help`);
  if (spec.epilog !== undefined) lines.push("", ...spec.epilog);
  return lines.join("\n") + "\n";
}
