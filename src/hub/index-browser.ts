// The browser build's torch.hub (package.json "browser" map over ./index.ts): a page has no file
// cache, so loading by URL is refused with the way to do it there (fetch, then torch.load(bytes)).
import { NotImplementedError } from "../errors.js";

export function getDir(): string {
  throw new NotImplementedError("hub.getDir: a page has no torch.hub cache folder");
}

export function hashPrefix(fileName: string): string | null {
  const m = /-([a-f0-9]*)\./.exec(fileName);
  return m !== null && m[1] !== "" ? m[1] : null;
}

export function loadStateDictFromUrl(url: string): never {
  throw new NotImplementedError(
    `hub.loadStateDictFromUrl(${url}): not available in the browser; fetch the file and pass its bytes to torch.load`,
  );
}
