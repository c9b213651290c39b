// Fails when the runtime import graph of src/ has a cycle (run by `npm run lint`). Type-only
// imports (`import type`, `export type`) are erased by TypeScript and do not count; every
// other relative import does, including `import { type A, b }`.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import process from "node:process";
import console from "node:console";

const root = resolve(process.argv[2] ?? "src");

function filesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : p.endsWith(".ts") && !p.endsWith(".d.ts") ? [p] : [];
  });
}

const IMPORT =
  /^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*["'](\.[^"']+)["']|^\s*import\s*["'](\.[^"']+)["']/gm;

function runtimeImports(file) {
  const text = readFileSync(file, "utf8");
  const out = [];
  for (const m of text.matchAll(IMPORT)) {
    if (m[2]) continue; // import type / export type
    const spec = m[4] ?? m[5];
    // `import { type A, type B } from` imports nothing at run time either.
    const names = m[3] ?? "";
    const braces = /^\{([^}]*)\}$/.exec(names.trim());
    if (
      braces &&
      braces[1]
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
        .every((s) => s.startsWith("type "))
    )
      continue;
    out.push(resolve(dirname(file), spec.replace(/\.js$/, ".ts")));
  }
  return out;
}

const files = filesUnder(root);
const graph = new Map(files.map((f) => [f, runtimeImports(f).filter((g) => g !== f)]));

// Tarjan's strongly connected components: every component with more than one file is a cycle.
let index = 0;
const idx = new Map(),
  low = new Map(),
  onStack = new Set(),
  stack = [],
  cycles = [];
function visit(v) {
  idx.set(v, index);
  low.set(v, index);
  index++;
  stack.push(v);
  onStack.add(v);
  for (const w of graph.get(v) ?? []) {
    if (!graph.has(w)) continue;
    if (!idx.has(w)) {
      visit(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
  }
  if (low.get(v) === idx.get(v)) {
    const comp = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      comp.push(w);
    } while (w !== v);
    if (comp.length > 1) cycles.push(comp);
  }
}
for (const f of files) if (!idx.has(f)) visit(f);

if (cycles.length > 0) {
  for (const c of cycles) {
    console.error(
      `import cycle among ${c.length} files:\n  ${c
        .map((f) => relative(process.cwd(), f))
        .sort()
        .join("\n  ")}`,
    );
  }
  process.exit(1);
}
console.log(`no import cycles among ${files.length} files in ${relative(process.cwd(), root) || "."}`);
