// A synchronous answer to "is there a WebGPU adapter?" before init(), for torch.webgpu.isAvailable()
// (PyTorch's is_available() is synchronous; a WebGPU adapter request is not). In Node a short
// child process loads the `webgpu` package and asks Dawn for an adapter (about a second, once
// per process, cached); the answer is the real one, found the same way init() finds it. A page
// cannot block on a promise, so in a browser the answer before init() has finished is false.

interface NodeProcess {
  execPath: string;
  env: Record<string, string | undefined>;
  versions?: { node?: string };
  getBuiltinModule?: (id: string) => unknown;
}
interface ChildProcessModule {
  execFileSync(file: string, args: string[], opts: Record<string, unknown>): string;
}
interface ModuleModule {
  createRequire(from: string): { resolve(id: string): string };
}
interface UrlModule {
  pathToFileURL(path: string): { href: string };
}

let cached: boolean | null = null;

/** Whether Node's `webgpu` package finds an adapter (a child process), or null outside Node. */
export function probeAdapterSync(): boolean | null {
  if (cached !== null) return cached;
  const proc = (globalThis as { process?: NodeProcess }).process;
  // getBuiltinModule (Node >= 20.16) keeps node: imports out of browser bundles.
  if (proc?.versions?.node === undefined || proc.getBuiltinModule === undefined) return null;
  const cp = proc.getBuiltinModule("node:child_process") as ChildProcessModule;
  const mod = proc.getBuiltinModule("node:module") as ModuleModule;
  const url = proc.getBuiltinModule("node:url") as UrlModule;
  let entry: string;
  try {
    entry = url.pathToFileURL(mod.createRequire(import.meta.url).resolve("webgpu")).href;
  } catch {
    return (cached = false); // the optional package is not installed
  }
  const script =
    `const { create } = await import(${JSON.stringify(entry)});` +
    `const a = await create([]).requestAdapter({ powerPreference: "high-performance" });` +
    `process.stdout.write(a ? "1" : "0"); process.exit(0);`;
  try {
    const out = cp.execFileSync(proc.execPath, ["--input-type=module", "-e", script], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 60_000,
      env: proc.env,
    });
    cached = out.trim().endsWith("1");
  } catch {
    cached = false;
  }
  return cached;
}
