// torchvision.datasets.utils: download, verify and unpack dataset archives, atomically.
import { randomBytes } from "node:crypto";
import { lstatSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import {
  ChecksumError,
  DownloadError,
  checkIntegrity,
  downloadUrl,
  log,
  md5File,
  type DownloadOptions,
} from "../../internal/download.js";
import { defaultQuiet } from "../../internal/progress.js";
import { registerBridgeError, runSync, siblingModule } from "../../internal/sync-bridge.js";
import { ArchiveError, extractTar } from "./tar.js";
import { FlintError } from "../../errors.js";

export { ChecksumError, DownloadError, checkIntegrity, downloadUrl, ArchiveError };

registerBridgeError("ChecksumError", ChecksumError);
registerBridgeError("DownloadError", DownloadError);
registerBridgeError("ArchiveError", ArchiveError);

/** Missing or corrupt dataset files (torchvision raises RuntimeError with the same words). */
export class DatasetNotFoundError extends FlintError {
  constructor(message: string) {
    super(message);
    this.name = "DatasetNotFoundError";
  }
}
registerBridgeError("DatasetNotFoundError", DatasetNotFoundError);

/**
 * Unpacks a .tar/.tar.gz into `to`, merging as torchvision's tarfile.extractall does: the whole
 * archive goes to a fresh temporary folder inside `to` first; only when it was read completely
 * are the regular files it brought moved into place, one by one, each replacing only the file
 * of the same path. Nothing the archive did not bring is deleted (a re-download that carries one
 * batch file leaves the user's other files alone), and an archive file whose path is a folder
 * in `to` is an error rather than a deletion. On failure the temporary folder is removed.
 */
export async function extractArchive(from: string, to: string): Promise<string[]> {
  mkdirSync(to, { recursive: true });
  const tmp = join(to, `.extract-${process.pid}-${randomBytes(4).toString("hex")}`);
  try {
    const files = await extractTar(from, tmp);
    for (const rel of files) {
      const dest = join(to, rel);
      const existing = lstatOrNull(dest);
      if (existing?.isDirectory())
        throw new ArchiveError(`extract: ${from} holds a file '${rel}' where ${dest} is a folder; not replacing it`);
      try {
        mkdirSync(dirname(dest), { recursive: true });
        renameSync(join(tmp, rel), dest);
      } catch (e) {
        throw new ArchiveError(`extract: cannot place '${rel}' from ${from} at ${dest}: ${(e as Error).message}`);
      }
    }
    return files;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function lstatOrNull(path: string): ReturnType<typeof lstatSync> | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

export interface DownloadAndExtractOptions extends DownloadOptions {
  extractRoot?: string | null;
  filename?: string | null;
  md5?: string | null;
  removeFinished?: boolean;
}

/**
 * torchvision's download_and_extract_archive: fetch `url` into `downloadRoot` (skipped when a
 * verified copy is there), verify its MD5, unpack into `extractRoot` (default: downloadRoot).
 */
export async function downloadAndExtractArchive(
  url: string,
  downloadRoot: string,
  options: DownloadAndExtractOptions = {},
): Promise<void> {
  const extractRoot = options.extractRoot ?? downloadRoot;
  const filename = options.filename ?? basename(new URL(url).pathname);
  const md5 = options.md5 ?? null;
  const archive = await downloadUrl(url, downloadRoot, filename, md5, options);
  // downloadUrl verified the bytes it fetched; re-check a pre-existing file it skipped too.
  if (md5 !== null && (await md5File(archive)) !== md5) {
    throw new ChecksumError(`download: MD5 checksum failed for ${archive}: expected ${md5}`);
  }
  if (!(options.quiet ?? defaultQuiet())) log(`Extracting ${archive} to ${extractRoot}`);
  await extractArchive(archive, extractRoot);
  if (options.removeFinished === true) rmSync(archive, { force: true });
}

/** downloadAndExtractArchive, blocking the calling thread until done (see util/sync-bridge). */
export function downloadAndExtractArchiveSync(
  url: string,
  downloadRoot: string,
  options: DownloadAndExtractOptions = {},
): void {
  const opts = { ...options, tty: options.tty ?? process.stderr.isTTY === true };
  runSync<void>(siblingModule(import.meta.url, "utils"), "downloadAndExtractArchive", [url, downloadRoot, opts]);
}

/** downloadUrl, blocking the calling thread until done. Returns the file's path. */
export function downloadUrlSync(
  url: string,
  root: string,
  filename: string | null,
  md5: string | null,
  options: DownloadOptions = {},
): string {
  const opts = { ...options, tty: options.tty ?? process.stderr.isTTY === true };
  return runSync<string>(siblingModule(import.meta.url, "utils"), "downloadUrl", [url, root, filename, md5, opts]);
}
