// Fetching files over HTTP(S) with an MD5 check, atomically: the bytes go to a temporary name
// next to the target, are verified, and only then renamed into place, so an interrupted or
// corrupt transfer never leaves a file that looks complete.
import { createHash, randomBytes } from "node:crypto";
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  rmdirSync,
  statSync,
  writeSync,
} from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import { basename, dirname, join, resolve } from "node:path";
import { ProgressBar, defaultQuiet } from "./progress.js";
import { FlintError } from "../errors.js";

/** A download or an archive whose bytes do not match the expected MD5 checksum. */
export class ChecksumError extends FlintError {
  constructor(message: string) {
    super(message);
    this.name = "ChecksumError";
  }
}

/** A failed transfer (HTTP status, network error, too many redirects). */
export class DownloadError extends FlintError {
  constructor(message: string) {
    super(message);
    this.name = "DownloadError";
  }
}

export interface DownloadOptions {
  /** Show a progress bar (TTY) or plain progress lines; default: not under the test runner. */
  quiet?: boolean;
  /** Whether stderr is a terminal (passed in by the synchronous bridge, whose worker cannot ask). */
  tty?: boolean;
  /** Maximum HTTP redirects to follow. */
  maxRedirects?: number;
  /**
   * torch.hub's check: the file's SHA-256 must start with this hex prefix (the `-<hash>.` part of
   * the file name); checked before the file is moved into place.
   */
  sha256Prefix?: string | null;
}

/**
 * Prints a status line on stdout synchronously: inside the download bridge's worker thread,
 * process.stdout would be relayed by the (blocked) main thread and arrive out of order.
 */
export function log(line: string): void {
  try {
    writeSync(1, `${line}\n`);
  } catch {
    // A closed stdout must not abort a download.
  }
}

/** MD5 hex digest of a file, streamed. */
export async function md5File(path: string): Promise<string> {
  const hash = createHash("md5");
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** MD5 hex digest of a file, synchronously (reads it whole). */
export function md5FileSync(path: string): string {
  return createHash("md5").update(readFileSync(path)).digest("hex");
}

/** torchvision's check_integrity: the file exists and, when an MD5 is given, matches it. */
export function checkIntegrity(path: string, md5?: string | null): boolean {
  if (!existsSync(path) || !statSync(path).isFile()) return false;
  if (md5 === undefined || md5 === null) return true;
  return md5FileSync(path) === md5;
}

/** A fresh temporary name next to `path`, so the final rename stays on one file system. */
export function tempSibling(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString("hex")}.part`);
}

function get(url: string, redirectsLeft: number): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const parsed = new URL(url);
    const client = parsed.protocol === "https:" ? https : parsed.protocol === "http:" ? http : null;
    if (client === null) {
      reject(new DownloadError(`download: unsupported URL protocol '${parsed.protocol}' in ${url}`));
      return;
    }
    const req = client.get(parsed, { headers: { "User-Agent": "flint" } }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location !== undefined) {
        res.resume();
        if (redirectsLeft <= 0) {
          reject(new DownloadError(`download: too many redirects fetching ${url}`));
          return;
        }
        get(new URL(res.headers.location, url).href, redirectsLeft - 1).then(resolve, reject);
        return;
      }
      if (status !== 200) {
        res.resume();
        reject(new DownloadError(`download: HTTP ${status} ${res.statusMessage ?? ""} fetching ${url}`.trimEnd()));
        return;
      }
      resolve(res);
    });
    req.on("error", (err) => reject(new DownloadError(`download: ${err.message} fetching ${url}`)));
  });
}

/**
 * Downloads `url` to `root/filename` (torchvision's download_url). Skips the transfer when the
 * file is already there with the right MD5. Otherwise writes to a temporary sibling, hashes the
 * bytes as they arrive, and renames only after the MD5 matched; on any failure the temporary
 * file is removed and a ChecksumError or DownloadError is thrown.
 */
export async function downloadUrl(
  url: string,
  root: string,
  filename: string | null = null,
  md5: string | null = null,
  options: DownloadOptions = {},
): Promise<string> {
  const target = join(root, filename ?? basename(new URL(url).pathname));
  const quiet = options.quiet ?? defaultQuiet();
  if (checkIntegrity(target, md5)) {
    if (!quiet) log(`Using downloaded and verified file: ${target}`);
    return target;
  }
  // A file already at the target whose MD5 differs is not used; say so, and name it again if the
  // download fails, so a user who placed a copy by hand learns why it was not taken.
  const rejected =
    md5 !== null && existsSync(target) && statSync(target).isFile() ? describeRejected(target, md5) : null;
  if (rejected !== null) log(`${rejected}; downloading it again`);
  const created = mkdirSync(root, { recursive: true }) ?? null;
  const tmp = tempSibling(target);
  let ok = false;
  try {
    if (!quiet) log(`Downloading ${url} to ${target}`);
    const res = await get(url, options.maxRedirects ?? 10);
    const lengthHeader = res.headers["content-length"];
    const total = lengthHeader !== undefined ? Number(lengthHeader) : null;
    const bar = new ProgressBar({ total, desc: basename(target), unit: "bytes", quiet, tty: options.tty });
    const hash = createHash("md5");
    const sha = options.sha256Prefix ? createHash("sha256") : null;
    let received = 0;
    await new Promise<void>((resolve, reject) => {
      const out = createWriteStream(tmp);
      res.on("data", (chunk: Buffer) => {
        received += chunk.length;
        hash.update(chunk);
        sha?.update(chunk);
        bar.update(chunk.length);
      });
      res.on("error", (err) => reject(new DownloadError(`download: ${err.message} while receiving ${url}`)));
      res.on("aborted", () => reject(new DownloadError(`download: connection closed early while receiving ${url}`)));
      out.on("error", (err) => reject(err));
      out.on("finish", () => resolve());
      res.pipe(out);
    });
    bar.close();
    if (total !== null && received !== total) {
      throw new DownloadError(`download: received ${received} bytes of ${total} from ${url}`);
    }
    const digest = hash.digest("hex");
    const shaDigest = sha?.digest("hex") ?? null;
    if (shaDigest !== null && options.sha256Prefix && !shaDigest.startsWith(options.sha256Prefix)) {
      throw new ChecksumError(
        `download: invalid hash value for ${url} (expected SHA-256 prefix ${options.sha256Prefix}, got ${shaDigest}); the corrupt download was removed, try again`,
      );
    }
    if (md5 !== null && digest !== md5) {
      throw new ChecksumError(
        `download: MD5 checksum failed for ${url}: expected ${md5}, got ${digest} (${received} bytes received); ` +
          `the corrupt download was removed, try again`,
      );
    }
    renameSync(tmp, target);
    ok = true;
    return target;
  } catch (e) {
    if (e instanceof DownloadError) throw new DownloadError(`${e.message}\n${offlineHint(target, md5, rejected)}`);
    throw e;
  } finally {
    rmSync(tmp, { force: true });
    // Leave no empty folders behind after a failed first download (e.g. offline).
    if (!ok && created !== null) removeEmptyDirs(root, created);
  }
}

function describeRejected(target: string, md5: string): string {
  const size = statSync(target).size;
  return `${target} has ${size} bytes and MD5 ${md5FileSync(target)}, not the expected MD5 ${md5}`;
}

/** What to do without a network: the exact file to place, and where. */
function offlineHint(target: string, md5: string | null, rejected: string | null): string {
  const sum = md5 !== null ? ` (MD5 ${md5})` : "";
  const why = rejected !== null ? ` (the file there now was rejected: ${rejected})` : "";
  return `To work offline, copy ${basename(target)}${sum} to ${target}${why}, or point the dataset's root at a folder that already holds the extracted files and turn download off.`;
}

/** Removes `dir` and its parents up to `top` (the first folder this call created) while empty. */
function removeEmptyDirs(dir: string, top: string): void {
  let d = resolve(dir);
  const stop = resolve(top);
  for (;;) {
    try {
      if (readdirSync(d).length > 0) return;
      rmdirSync(d);
    } catch {
      return;
    }
    if (d === stop || !d.startsWith(stop)) return;
    d = dirname(d);
  }
}
