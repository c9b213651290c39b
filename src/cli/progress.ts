// The per-epoch training display: on a terminal, one line redrawn in place (bar, batches,
// images/s, running loss, ETA); otherwise (logs, CI, pipes) a plain line every ~10% of the epoch,
// so a log file stays readable and grep-able.

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "--:--";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

export interface ProgressState {
  batch: number;
  batches: number;
  images: number;
  seconds: number;
  /** Mean training loss over the epoch so far. */
  loss: number;
  /** Training accuracy (%) over the epoch so far. */
  acc: number;
}

export interface ProgressOptions {
  label: string;
  tty: boolean;
  quiet?: boolean;
  write?: (s: string) => void;
  /** Columns available on the terminal. */
  columns?: number;
  /** Plain mode: lines per epoch. */
  lines?: number;
  /** Plain mode: also print a line when this many seconds passed since the last (slow epochs). */
  everySeconds?: number;
}

export class TrainProgress {
  private lastDraw = 0;
  private lastPlain = 0;
  private lastPlainTime = Date.now();
  private drawn = false;
  private readonly write: (s: string) => void;

  constructor(private readonly o: ProgressOptions) {
    this.write = o.write ?? ((s) => void process.stdout.write(s));
  }

  static text(label: string, s: ProgressState, width = 24): string {
    const frac = s.batches > 0 ? Math.min(s.batch / s.batches, 1) : 0;
    const filled = Math.round(frac * width);
    const bar = "█".repeat(filled) + "░".repeat(width - filled);
    const rate = s.seconds > 0 ? s.images / s.seconds : 0;
    const eta = s.batch > 0 ? (s.seconds / s.batch) * (s.batches - s.batch) : NaN;
    return (
      `${label} ${bar} ${String(s.batch).padStart(String(s.batches).length)}/${s.batches} ` +
      `| ${rate.toFixed(0)} img/s | loss ${s.loss.toFixed(4)} | acc ${s.acc.toFixed(1)}% | ETA ${formatDuration(eta)}`
    );
  }

  update(s: ProgressState): void {
    if (this.o.quiet === true) return;
    if (this.o.tty) {
      const now = Date.now();
      if (now - this.lastDraw < 100 && s.batch < s.batches) return;
      this.lastDraw = now;
      let line = TrainProgress.text(this.o.label, s);
      const cols = this.o.columns ?? 0;
      if (cols > 20 && line.length > cols - 1) line = line.slice(0, cols - 1);
      this.write(`\r${line}\x1b[K`);
      this.drawn = true;
      return;
    }
    const lines = this.o.lines ?? 10;
    const step = Math.floor((s.batch * lines) / Math.max(s.batches, 1));
    const now = Date.now();
    const late = now - this.lastPlainTime >= (this.o.everySeconds ?? 60) * 1000;
    if (step > this.lastPlain || s.batch === 1 || late) {
      this.lastPlain = Math.max(step, this.lastPlain);
      this.lastPlainTime = now;
      const rate = s.seconds > 0 ? s.images / s.seconds : 0;
      const eta = (s.seconds / Math.max(s.batch, 1)) * (s.batches - s.batch);
      this.write(
        `${this.o.label} batch ${s.batch}/${s.batches} loss ${s.loss.toFixed(4)} acc ${s.acc.toFixed(2)}% ` +
          `${rate.toFixed(0)} img/s ${(s.seconds / Math.max(s.batch, 1)).toFixed(3)} s/batch ETA ${formatDuration(eta)}\n`,
      );
    }
  }

  /** A one-line status that is not a training step (e.g. evaluation), drawn in place on a TTY. */
  status(text: string): void {
    if (this.o.quiet === true || !this.o.tty) return;
    const now = Date.now();
    if (now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.write(`\r${text}\x1b[K`);
    this.drawn = true;
  }

  /** Ends the bar's line (TTY) so the next output starts on a fresh line. */
  close(): void {
    if (this.o.tty && this.drawn && this.o.quiet !== true) this.write("\n");
    this.drawn = false;
  }

  /** Clears the bar line (TTY), e.g. before printing a message. */
  clear(): void {
    if (this.o.tty && this.drawn && this.o.quiet !== true) this.write("\r\x1b[K");
    this.drawn = false;
  }
}
