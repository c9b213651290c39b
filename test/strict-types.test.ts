// Flint's types under `tsc --strict` as an app would write them: `total += loss.item()`,
// `x.type(dtype)` is a Tensor, reductions take torch's positional arguments, `shape` is read-only.
// The TypeScript compiler runs in process on a small file beside this one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const APP = `
import * as torch from "../src/index.js";
import { nn } from "../src/index.js";
const model = new nn.Linear(4, 2);
const lossFn = new nn.CrossEntropyLoss();
let total = 0;
const x = torch.randn(8, 4);
const loss = lossFn(model(x), torch.zeros([8], { dtype: "int64" }));
total += loss.item();
const y: torch.Tensor = x.type("float64");
const name: string = x.type();
const s: torch.Tensor = x.sum(1, true).mean({ dim: 0 }).prod();
const v = x.var(0, false, true).std(false).argmax(0).argmin({ dim: 0, keepdim: true });
const n: number = x.shape[0];
export { total, y, name, s, v, n };
`;
// Each of these must be a type error.
const BAD = [
  `x.shape[0] = 3;`,
  `x.shape.push(3);`,
  `const t: string = x.type("float64");`,
  `x.sum({ keepDim: true });`,
  `x.argmax(0, true, 1);`,
];

/** Type errors per source, all compiled as one program (one pass over src/). */
function diagnostics(sources: string[]): string[][] {
  const files = sources.map((_, i) => fileURLToPath(new URL(`./.strict-app-${process.pid}-${i}.ts`, import.meta.url)));
  sources.forEach((src, i) => writeFileSync(files[i], src));
  try {
    const program = ts.createProgram(files, {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      types: ["node"],
      skipLibCheck: true,
    });
    const all = ts.getPreEmitDiagnostics(program);
    return files.map((f) =>
      all.filter((d) => d.file?.fileName === f).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")),
    );
  } finally {
    for (const f of files) rmSync(f, { force: true });
  }
}

test("an app's common lines type-check under --strict; misuses do not", () => {
  const base = APP.trimEnd().split("\n").slice(0, -1).join("\n");
  const [ok, ...bad] = diagnostics([APP, ...BAD.map((b) => `${base}\n${b}\nexport {};\n`)]);
  assert.deepEqual(ok, []);
  bad.forEach((d, i) => assert.ok(d.length > 0, `expected a type error: ${BAD[i]}`));
});
