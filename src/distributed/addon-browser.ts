// The browser build's stand-in for ./addon.ts (package.json "browser" map): there is no Gloo in a
// page, so torch.distributed says so when it is first used; the rest of Flint is unaffected.
import { DistributedError } from "./errors.js";
import type { GlooAddon } from "./addon-types.js";

export function glooAddon(op: string): GlooAddon {
  throw new DistributedError(
    `${op}: torch.distributed (Gloo) needs Node with the flint_gloo addon; it is not available in the browser`,
  );
}

export const localHostname = (): string => "localhost";
