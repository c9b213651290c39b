// A terminal progress bar for long transfers (the dataset downloads; the CLI's training loop has
// its own, src/cli/progress.ts).
// It writes with fs.writeSync on a file descriptor rather than through process.stderr, because
// it also runs inside the synchronous download bridge's worker thread, whose process.stderr is
// relayed through the main thread — and the main thread is blocked in Atomics.wait meanwhile.
import { writeSync } from "node:fs";

export interface ProgressBarOptions {
  /** Expected total (bytes or items); unknown totals show a counter without a bar. */
  total?: number | null;
  /** Label shown before the bar. */
  desc?: string;
  /** "bytes" formats counts as kB/MB; "items" as plain numbers. */
  unit?: "bytes" | "items";
  /** File descriptor to draw on (default 2, stderr). */
  fd?: number;
  /** Whether fd is a terminal: redraw in place. Default: process.stderr.isTTY. */
  tty?: boolean;
  /** Print nothing. Default: true under node's test runner (NODE_TEST_CONTEXT) or FLINT_QUIET=1. */
  quiet?: boolean;
  /** Bar width in characters. */
  width?: number;
}

/** True when output should stay silent by default (tests, or FLINT_QUIET set). */
export function defaultQuiet(): boolean {
  return process.env.NODE_TEST_CONTEXT !== undefined || (process.env.FLINT_QUIET ?? "") !== "";
}

function formatCount(n: number, unit: "bytes" | "items"): string {
  if (unit === "items") return String(n);
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} kB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

/**
 * Progress display. On a TTY it redraws one line in place (at most ~10 times a second);
 * otherwise it prints a plain line at every 10% (or every 10 MB when the total is unknown),
 * so logs stay readable.
 */
export class ProgressBar {
  readonly total: number | null;
  readonly desc: string;
  readonly unit: "bytes" | "items";
  private readonly fd: number;
  private readonly tty: boolean;
  private readonly quiet: boolean;
  private readonly width: number;
  private n = 0;
  private readonly start = Date.now();
  private lastDraw = 0;
  private lastPlainStep = -1;
  private closed = false;

  constructor(options: ProgressBarOptions = {}) {
    this.total = options.total !== undefined && options.total !== null && options.total > 0 ? options.total : null;
    this.desc = options.desc ?? "";
    this.unit = options.unit ?? "items";
    this.fd = options.fd ?? 2;
    this.tty = options.tty ?? process.stderr.isTTY === true;
    this.quiet = options.quiet ?? defaultQuiet();
    this.width = options.width ?? 30;
  }

  get count(): number {
    return this.n;
  }

  /** Advances by `delta`. */
  update(delta: number): void {
    this.n += delta;
    if (this.quiet || this.closed) return;
    if (this.tty) {
      const now = Date.now();
      if (now - this.lastDraw >= 100) {
        this.lastDraw = now;
        this.write(`\r${this.render()}\x1b[K`);
      }
      return;
    }
    const step = this.total !== null ? Math.floor((10 * this.n) / this.total) : Math.floor(this.n / (10 * 1024 * 1024));
    if (step !== this.lastPlainStep) {
      this.lastPlainStep = step;
      this.write(`${this.render()}\n`);
    }
  }

  /** Draws the final state and ends the line. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.quiet) return;
    if (this.tty) this.write(`\r${this.render()}\x1b[K\n`);
    else if (this.lastPlainStep !== (this.total !== null ? 10 : -2)) this.write(`${this.render()}\n`);
  }

  /** The text of the current state, e.g. "cifar.tar.gz  42% |############        | 71.2 MB/170.5 MB 9.1 MB/s". */
  render(): string {
    const seconds = Math.max((Date.now() - this.start) / 1000, 1e-3);
    const rate = `${formatCount(Math.round(this.n / seconds), this.unit)}/s`;
    const head = this.desc === "" ? "" : `${this.desc} `;
    if (this.total === null) return `${head}${formatCount(this.n, this.unit)} ${rate}`;
    const frac = Math.min(this.n / this.total, 1);
    const filled = Math.round(frac * this.width);
    const bar = "#".repeat(filled) + " ".repeat(this.width - filled);
    const pct = `${Math.floor(frac * 100)}`.padStart(3);
    return `${head}${pct}% |${bar}| ${formatCount(this.n, this.unit)}/${formatCount(this.total, this.unit)} ${rate}`;
  }

  private write(text: string): void {
    try {
      writeSync(this.fd, text);
    } catch {
      // A closed or broken stream must not abort a download.
    }
  }
}
