// A process group (the default world, or one made by newGroup) and the handle of one issued
// collective (PyTorch's Work: wait(), isCompleted()).
import type { NativeGroup, NativeWork } from "./addon.js";
import { DistributedError } from "./errors.js";

export class ProcessGroup {
  /** @internal */
  native: NativeGroup | null;
  /** The global ranks of the members, in group-rank order. */
  readonly ranks: readonly number[];
  private readonly groupRank: number;
  /** @internal The name of the backend ("gloo"). */
  readonly backend = "gloo";
  /** @internal Collective timeout, milliseconds. */
  readonly timeout: number;

  /** @internal */
  constructor(native: NativeGroup | null, ranks: readonly number[], groupRank: number, timeout: number) {
    this.native = native;
    this.ranks = ranks;
    this.groupRank = groupRank;
    this.timeout = timeout;
  }
  /** This process's rank in the group (-1 when it is not a member). */
  rank(): number {
    return this.groupRank;
  }
  size(): number {
    return this.ranks.length;
  }
  /** @internal */
  get isMember(): boolean {
    return this.groupRank >= 0;
  }
  /** @internal The group rank of a global rank; throws when it is not a member. */
  groupRankOf(op: string, globalRank: number): number {
    const r = this.ranks.indexOf(globalRank);
    if (r < 0)
      throw new DistributedError(`${op}: rank ${globalRank} is not part of the group (ranks ${this.ranks.join(", ")})`);
    return r;
  }
  /** @internal */
  nativeFor(op: string): NativeGroup {
    if (this.native === null) throw new DistributedError(`${op}: the process group has been destroyed`);
    return this.native;
  }
}

/**
 * A collective in flight (asyncOp: true): wait() blocks until it has run on the group's Gloo
 * thread and finishes its effect on the tensors (write-back, AVG division). A failure (a peer
 * exited, the timeout passed) is thrown from wait().
 */
export class Work {
  private finished = false;
  private readonly natives: readonly NativeWork[];
  private readonly after: () => void;
  private readonly describe: string;

  /** @internal */
  constructor(natives: readonly NativeWork[], after: () => void, describe: string) {
    this.natives = natives;
    this.after = after;
    this.describe = describe;
  }
  isCompleted(): boolean {
    return this.finished || this.natives.every((w) => w.isCompleted());
  }
  wait(): boolean {
    if (this.finished) return true;
    this.finished = true;
    for (const w of this.natives) {
      try {
        w.wait();
      } catch (e) {
        throw new DistributedError(
          `${this.describe} failed: ${(e as Error).message}. ` +
            "Another rank may have exited or stopped issuing collectives (every rank must call the same collectives in the same order).",
        );
      }
    }
    this.after();
    return true;
  }
}
