// `flint train --dashboard` in a real headless browser (Debian's chromium through
// playwright-core): the page loads with no network and no CSP violation, its loss curve and
// numbers update live during training, a finished epoch shows in the accuracy chart and the
// table, and Ctrl-C on the run leaves the page showing the end of the run.
import assert from "node:assert/strict";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { collect, startFlint, tempDir, waitForOutput, writeCifar } from "./cli-helpers.js";

const CHROMIUM = "/usr/bin/chromium";
// The page.waitForFunction callbacks run in the browser; this file is compiled without the DOM lib.
declare const document: {
  getElementById(
    id: string,
  ): { textContent: string | null; getBoundingClientRect(): { width: number; height: number } } | null;
};
const dir = tempDir("flint-dashboard-test-");
const root = join(dir, "data");

before(() => {
  if (existsSync(CHROMIUM)) writeCifar(root);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test(
  "dashboard page shows live training curves in headless Chromium",
  { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} not found (apt-get install chromium)` },
  async () => {
    const { chromium } = await import("playwright-core");
    const out = join(dir, "run");
    // Up to 50 epochs of 400 batches of 8 images: long enough to watch even on the native
    // backend; the test stops it with Ctrl-C once it has seen what it needs.
    const child = startFlint([
      "train",
      "--root",
      root,
      "--no-download",
      "--train-size",
      "3200",
      "--test-size",
      "64",
      "--batch-size",
      "8",
      "--epochs",
      "50",
      "--out",
      out,
      "--dashboard",
      "--port",
      "0",
      "--seed",
      "1",
    ]);
    const result = collect(child);
    // Listen for the URL before anything slow (launching Chromium): a fast run prints it at once.
    const urlLine = waitForOutput(child, /dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/);
    urlLine.catch(() => undefined); // awaited below; this only keeps an early failure from being "unhandled"
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    try {
      const url = (await urlLine)[1];
      const page = await browser.newPage({ viewport: { width: 1240, height: 1000 } });
      const problems: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") problems.push(m.text());
      });
      page.on("pageerror", (e) => problems.push(e.message));
      const external: string[] = [];
      page.on("request", (r) => {
        if (!r.url().startsWith(url)) external.push(r.url());
      });
      await page.goto(url);
      assert.match(await page.title(), /^Flint · training/);

      // Live: the status turns to training and the batch counter moves without a reload.
      await page.waitForFunction(() => document.getElementById("status")?.textContent === "training", null, {
        timeout: 120000,
      });
      await page.waitForFunction(() => /^\d+ \/ 400$/.test(document.getElementById("batch")?.textContent ?? ""), null, {
        timeout: 120000,
      });
      const first = await page.textContent("#batch");
      await page.waitForFunction((b) => document.getElementById("batch")?.textContent !== b, first, {
        timeout: 120000,
      });
      assert.ok(Number(await page.getAttribute("body", "data-updates")) >= 2, "several pushed updates");
      await page.waitForSelector("#loss-chart polyline[data-series='train (running)']", { timeout: 120000 });

      // After epoch 1: a row in the table and test-accuracy markers on the chart.
      await page.waitForSelector("#epochs tbody tr", { timeout: 300000 });
      await page.waitForSelector("#accuracy-chart circle[data-series='test']");
      const row = await page.$$eval("#epochs tbody tr:first-child td", (tds) => tds.map((td) => td.textContent ?? ""));
      assert.equal(row[0], "1");
      assert.match(row[4], /^\d+\.\d\d%$/);
      assert.match((await page.textContent("#best")) ?? "", /^\d+\.\d\d%$/);
      assert.match((await page.textContent("#epoch")) ?? "", /^\d+ \/ 50$/);
      assert.match((await page.textContent("#config")) ?? "", /model seed, SGD\(lr 0\.01, momentum 0\.9/);
      // The page redraws the charts on every update, so measure inside one animation frame.
      const box = await page
        .waitForFunction(
          () => {
            const r = document.getElementById("loss-chart")?.getBoundingClientRect();
            return r && r.width >= 500 && r.height >= 300 ? [r.width, r.height] : null;
          },
          null,
          { timeout: 20000 },
        )
        .then((h) => h.jsonValue());
      assert.ok(box && box[0] >= 500 && box[1] >= 300, `chart drawn at ${box}`);
      await page.screenshot({
        path: process.env.FLINT_DASHBOARD_SCREENSHOT ?? join(dir, "dashboard.png"),
        fullPage: true,
      });

      // Ctrl-C on the run: checkpoint saved, exit code 130, the page shows it ended.
      child.kill("SIGINT");
      const r = await result;
      assert.equal(r.code, 130, r.stderr + r.stdout);
      assert.ok(existsSync(join(out, "checkpoint.pt")));
      await page.waitForFunction(
        () => /interrupted|disconnected/.test(document.getElementById("status")?.textContent ?? ""),
        null,
        { timeout: 20000 },
      );
      assert.deepEqual(external, [], "no request leaves the dashboard's origin");
      assert.deepEqual(
        problems.filter((p) => !/Failed to load resource|ERR_CONNECTION_REFUSED|EventSource/.test(p)),
        [],
      );
    } finally {
      await browser.close();
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  },
);
