// torch.hub's checkpoint cache: loadStateDictFromUrl downloads a checkpoint once into
// $TORCH_HOME/hub/checkpoints (default ~/.cache/torch, or $XDG_CACHE_HOME/torch), checks the
// SHA-256 prefix that torchvision's file names carry (resnet18-f37072fd.pth), and loads it.
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { basename, join } from "node:path";
import { ChecksumError, DownloadError, downloadUrl, type DownloadOptions } from "../internal/download.js";
import { registerBridgeError, runSync, siblingModule } from "../internal/sync-bridge.js";
import { load } from "../serialization/save-load.js";
import type { Loaded } from "../serialization/save-load.js";

registerBridgeError("DownloadError", DownloadError);
registerBridgeError("ChecksumError", ChecksumError);

/** torch.hub.get_dir(): $TORCH_HOME/hub, TORCH_HOME defaulting to $XDG_CACHE_HOME/torch or ~/.cache/torch. */
export function getDir(): string {
  const torchHome = process.env.TORCH_HOME ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "torch");
  return join(torchHome, "hub");
}

/** The hash prefix in a torchvision-style file name (`name-<hex>.ext`), as torch.hub's HASH_REGEX. */
export function hashPrefix(fileName: string): string | null {
  const m = /-([a-f0-9]*)\./.exec(fileName);
  return m !== null && m[1] !== "" ? m[1] : null;
}

export interface LoadStateDictOptions {
  /** Folder of the cache (default getDir()/checkpoints). */
  modelDir?: string | null;
  /** Show a progress bar while downloading (default true). */
  progress?: boolean;
  /** Check the SHA-256 prefix in the file name (default false, as torch.hub; torchvision passes true). */
  checkHash?: boolean;
  /** Name of the cached file (default: the URL's). */
  fileName?: string | null;
}

/** Downloads `url` into the cache unless it is there; returns the file's path (runs in a worker). */
export async function downloadCheckpoint(
  url: string,
  dir: string,
  fileName: string,
  checkHash: boolean,
  options: DownloadOptions,
): Promise<string> {
  const sha256Prefix = checkHash ? hashPrefix(fileName) : null;
  try {
    return await downloadUrl(url, dir, fileName, null, { ...options, sha256Prefix });
  } catch (e) {
    if (e instanceof DownloadError) {
      throw new DownloadError(
        `${e.message}\nOffline? Place the file at ${join(dir, fileName)} (torch.hub's cache; set TORCH_HOME to move it) and run again.`,
      );
    }
    throw e;
  }
}

/**
 * torch.hub.load_state_dict_from_url: the object saved at `url` (a state dict, usually), downloaded
 * once into the cache, atomically (a partial or corrupt download never stays in the cache).
 */
export function loadStateDictFromUrl(url: string, opts: LoadStateDictOptions = {}): Loaded {
  const dir = opts.modelDir ?? join(getDir(), "checkpoints");
  const fileName = opts.fileName ?? basename(new URL(url).pathname);
  const cached = join(dir, fileName);
  if (!existsSync(cached)) {
    const progress = opts.progress ?? true;
    const options: DownloadOptions = { quiet: !progress, tty: process.stderr.isTTY === true };
    runSync<string>(siblingModule(import.meta.url, "index"), "downloadCheckpoint", [
      url,
      dir,
      fileName,
      opts.checkHash === true,
      options,
    ]);
  }
  return load(cached);
}
