// Serves the browser demo on 127.0.0.1: the page, its script (examples/browser/page.js and the
// Flint sources bundled for the browser by esbuild, in memory), the WebAssembly kernels, and the
// CIFAR-10 binary batch files of a local folder under data/ (never copied into the repository).
//   npm run example:browser -- [--data DIR] [--port 8080] [--no-isolate]
// DIR holds data_batch_1.bin … and test_batch.bin (e.g. cifar-10-batches-bin unpacked from the
// official cifar-10-binary.tar.gz); without it, the page asks for the files. The page is served
// cross-origin isolated (COOP/COEP headers), which it needs for SharedArrayBuffer and so for the
// kernels' worker threads; --no-isolate leaves the headers out (one thread).
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");

export interface DemoServerOptions {
  port?: number;
  data?: string | null;
  isolate?: boolean;
}

export async function bundleDemo(entry = "page.js"): Promise<string> {
  const r = await build({
    entryPoints: [join(here, entry)],
    bundle: true,
    platform: "browser",
    format: "esm",
    write: false,
    logLevel: "silent",
  });
  return r.outputFiles[0].text;
}

export async function startDemoServer(
  o: DemoServerOptions = {},
): Promise<{ url: string; server: Server; close: () => Promise<void> }> {
  const script = await bundleDemo();
  const files: Record<string, { body: Buffer | string; type: string; etag?: string }> = {
    "/": { body: readFileSync(join(here, "index.html")), type: "text/html; charset=utf-8" },
    "/demo.js": { body: script, type: "text/javascript; charset=utf-8" },
    "/worker.js": { body: await bundleDemo("worker.js"), type: "text/javascript; charset=utf-8" },
  };
  // The kernels: flint.wasm, the threaded build the page loads instead when it is cross-origin
  // isolated, and the relaxed-SIMD builds of both, loaded where the engine has it. They are
  // cacheable with an ETag (revalidated on every load), so that Chromium keeps the compiled code
  // of a module it streamed (compileStreaming) and a reload starts on optimised code.
  for (const name of ["flint.wasm", "flint-mt.wasm", "flint-relaxed.wasm", "flint-mt-relaxed.wasm"]) {
    const body = readFileSync(join(root, "native", "wasm", name));
    const etag = `"${createHash("sha256").update(body).digest("hex").slice(0, 32)}"`;
    files[`/${name}`] = { body, type: "application/wasm", etag };
  }
  const dataDir = o.data && existsSync(o.data) ? o.data : null;
  const dataFiles = dataDir ? readdirSync(dataDir).filter((f) => /^(data_batch_\d|test_batch)\.bin$/.test(f)) : [];
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const headers: Record<string, string> = o.isolate
      ? { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" }
      : {};
    const send = (status: number, type: string, body: Buffer | string, etag?: string): void => {
      const caching = etag ? { "Cache-Control": "no-cache", ETag: etag } : { "Cache-Control": "no-store" };
      res.writeHead(status, { "Content-Type": type, ...caching, ...headers });
      res.end(body);
    };
    const file = files[path === "/index.html" ? "/" : path];
    if (file?.etag && req.headers["if-none-match"] === file.etag) return send(304, file.type, "", file.etag);
    if (file) return send(200, file.type, file.body, file.etag);
    if (path === "/data/") return send(200, "application/json", JSON.stringify(dataFiles));
    const name = path.startsWith("/data/") ? path.slice(6) : "";
    if (dataDir && dataFiles.includes(name))
      return send(200, "application/octet-stream", readFileSync(join(dataDir, name)));
    send(404, "text/plain", `not found: ${path}`);
  });
  await new Promise<void>((resolve) => server.listen(o.port ?? 8080, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : o.port;
  return { url: `http://127.0.0.1:${port}/`, server, close: () => new Promise((r) => server.close(() => r())) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name: string): string | null => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : null;
  };
  const data = arg("data") ?? process.env.FLINT_CIFAR_DIR ?? null;
  const { url } = await startDemoServer({
    port: Number(arg("port") ?? 8080),
    data,
    isolate: !process.argv.includes("--no-isolate"),
  });
  console.log(
    `Flint browser demo: ${url}${data ? ` (CIFAR-10 batch files from ${data})` : " (no --data DIR: the page asks for the batch files)"}`,
  );
}
