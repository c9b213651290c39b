// A fresh app depending on Flint type-checks under --strict with the README's tsconfig.json: the
// package is packed as npm would publish it (dist/ from `npm run build`), installed into a new
// folder, and a training loop written as a user would is compiled with this repo's TypeScript.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, test } from "node:test";

const repo = resolve(".");
const app = mkdtempSync(join(tmpdir(), "flint-app-"));
after(() => rmSync(app, { recursive: true, force: true }));

const APP_TS = `import * as torch from "flint";
import { nn, optim } from "flint";
import { DataLoader, TensorDataset } from "flint/utils/data";
import { datasets, transforms } from "flint/vision";

class Net extends nn.Module {
  fc = new nn.Linear(4, 3);
  forward(x: torch.Tensor): torch.Tensor {
    return this.fc(x);
  }
}
const model = new Net();
const optimizer = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
const lossFn = new nn.CrossEntropyLoss();
const loader = new DataLoader(new TensorDataset(torch.rand(8, 4), torch.tensor([0, 1, 2, 0, 1, 2, 0, 1])), { batchSize: 4 });
let total = 0;
for (const [x, y] of loader) {
  const loss = lossFn(model(x), y);
  optimizer.zeroGrad();
  loss.backward();
  optimizer.step();
  total += loss.item();
}
const asDouble: torch.Tensor = torch.rand(2).type(torch.float64);
const n: number = asDouble.shape[0];
const ds = new datasets.CIFAR10("data", { train: false, transform: new transforms.ToTensor(), download: false });
console.log(total, n, ds.length);
`;

test("a fresh app type-checks against the packed package under --strict", { timeout: 240_000 }, () => {
  assert.ok(
    existsSync(join(repo, "dist/src/index.d.ts")),
    "dist/ is missing: run `npm run build` first (CI builds before testing)",
  );
  // --ignore-scripts: packing must not recompile (`prepare`); dist/ is what gets published.
  const pack = spawnSync("npm", ["pack", "--ignore-scripts", "--pack-destination", app], {
    cwd: repo,
    encoding: "utf8",
  });
  assert.equal(pack.status, 0, pack.stderr);
  const tarball = readdirSync(app).find((f) => f.endsWith(".tgz"));
  assert.ok(tarball !== undefined, "npm pack wrote no tarball");
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  writeFileSync(
    join(app, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        noEmit: true,
        types: [],
      },
      files: ["app.ts"],
    }),
  );
  writeFileSync(join(app, "app.ts"), APP_TS);
  // The dependencies come from npm's cache (npm ci filled it); no install scripts: types only.
  const install = spawnSync(
    "npm",
    ["install", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund", `./${tarball}`],
    { cwd: app, encoding: "utf8" },
  );
  assert.equal(install.status, 0, install.stderr);
  const tsc = spawnSync(process.execPath, [join(repo, "node_modules/typescript/bin/tsc"), "-p", app], {
    cwd: app,
    encoding: "utf8",
  });
  assert.equal(tsc.status, 0, `tsc --strict on a fresh app failed:\n${tsc.stdout}${tsc.stderr}`);
});
