#!/usr/bin/env node
// The `flint` command (package.json "bin"). Runs the compiled CLI (dist/, made by `npm run build`);
// in a source checkout that has not been built yet, it runs the TypeScript sources through tsx.
/* global URL, process */
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

const compiled = fileURLToPath(new URL("../dist/src/cli/main.js", import.meta.url));
const source = fileURLToPath(new URL("../src/cli/main.ts", import.meta.url));

let entry = compiled;
if (!existsSync(compiled)) {
  let registered = false;
  if (existsSync(source)) {
    try {
      const tsx = await import("tsx/esm/api");
      tsx.register();
      registered = true;
      entry = source;
    } catch {
      // tsx is a devDependency: absent in a production install, where dist/ must exist.
    }
  }
  if (!registered) {
    process.stderr.write("flint: the compiled CLI is missing (dist/src/cli/main.js): run `npm run build` first\n");
    process.exit(1);
  }
}
const { run } = await import(pathToFileURL(entry).href);
await run();
