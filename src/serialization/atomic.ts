/**
 * Atomic file replacement: write a temporary file in the destination's directory, fsync it,
 * then rename it over the destination, so readers see the old file or the new one, never half
 * of one. The temporary file is removed if anything fails.
 */
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

function tempPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
}

/** The temporary files tempPath makes: `.<name>.<pid>.<12 hex>.tmp`. */
const TEMP_NAME = /^\..+\.(\d+)\.[0-9a-f]{12}\.tmp$/;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes the temporary files of saves into `dir` that were interrupted (the process was killed
 * between writing and renaming): those whose writing process is gone (only those of file `of`
 * when given). Returns their names.
 */
export function removeOrphanedTemps(dir: string, of?: string): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (
      !m ||
      (of !== undefined && !name.startsWith(`.${of}.`)) ||
      Number(m[1]) === process.pid ||
      processAlive(Number(m[1]))
    )
      continue;
    try {
      unlinkSync(join(dir, name));
      removed.push(name);
    } catch {
      /* gone already, or not ours to remove */
    }
  }
  return removed;
}

/** Best effort: make the rename itself durable (not possible on every platform). */
function syncDir(dir: string): void {
  let fd = -1;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // Directories cannot be opened for fsync on some systems (Windows); the data is already synced.
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const tmp = tempPath(path);
  let fd = -1;
  try {
    fd = openSync(tmp, "wx", 0o644);
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    renameSync(tmp, path);
    // Saves of this file that a killed process left half-done are garbage now.
    removeOrphanedTemps(dirname(path), basename(path));
  } catch (err) {
    if (fd >= 0) {
      try {
        closeSync(fd);
      } catch {
        /* already failing; keep the original error */
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      /* it may not exist */
    }
    throw err;
  }
  syncDir(dirname(path));
}

export async function writeFileAtomicAsync(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = tempPath(path);
  const fh = await open(tmp, "wx", 0o644);
  try {
    await fh.writeFile(bytes);
    await fh.sync();
    await fh.close();
    await rename(tmp, path);
  } catch (err) {
    await fh.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  syncDir(dirname(path));
}
