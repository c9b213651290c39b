// A compact reporter for node's test runner (npm test): one line per test file with its count and
// time, every failure in full (name, file, error, stack), and a closing summary. The TAP reporter
// printed ~36,000 lines, in which a failure was hard to find.
// Usage: node --test --test-reporter=./test/reporter.mjs test/*.test.ts
import { relative } from "node:path";
import process from "node:process";

const ms = (x) => (x >= 1000 ? `${(x / 1000).toFixed(1)} s` : `${Math.round(x)} ms`);

function describeError(err) {
  // node wraps a test's error in ERR_TEST_FAILURE with the original as `cause`.
  const e = err?.cause ?? err;
  if (e === undefined || e === null) return "";
  const stack = typeof e.stack === "string" ? e.stack : String(e);
  const lines = stack.split("\n").filter((l) => !/node:internal|node:async_hooks|node_modules/.test(l));
  return lines
    .slice(0, 20)
    .map((l) => `      ${l}`)
    .join("\n");
}

export default async function* compactReporter(source) {
  const files = new Map(); // file -> { pass, fail, skip, start }
  const failures = [];
  const stderr = new Map();
  let pass = 0,
    fail = 0,
    skip = 0,
    todo = 0;
  const started = Date.now();
  const fileOf = (data) => (data.file ? relative(process.cwd(), data.file) : "(no file)");
  const stats = (file) => {
    let s = files.get(file);
    if (s === undefined) files.set(file, (s = { pass: 0, fail: 0, skip: 0, start: Date.now() }));
    return s;
  };
  let current = null;
  const flush = function* () {
    if (current === null) return;
    const s = stats(current);
    const mark = s.fail > 0 ? "✖" : "✔";
    yield `${mark} ${current.padEnd(44)} ${String(s.pass).padStart(5)} passed${s.fail ? `, ${s.fail} failed` : ""}${s.skip ? `, ${s.skip} skipped` : ""}  ${ms(Date.now() - s.start)}\n`;
    current = null;
  };
  for await (const event of source) {
    const { type, data } = event;
    // Files run one after another here; a test event from another file closes the previous one.
    if (data?.file !== undefined && (type === "test:pass" || type === "test:fail" || type === "test:start")) {
      const file = fileOf(data);
      if (file !== current) {
        yield* flush();
        current = file;
        stats(file);
      }
    }
    if ((type === "test:pass" || type === "test:fail") && data.file !== undefined && data.name === data.file) {
      // The wrapper test of one whole file: its summary line (a file that fails to load fails here).
      const file = fileOf(data);
      const s = stats(file);
      if (type === "test:fail" && s.fail === 0) {
        fail++;
        s.fail++;
        failures.push(data);
        const out = (stderr.get(file) ?? "")
          .trim()
          .split("\n")
          .slice(-30)
          .map((l) => `      ${l}`)
          .join("\n");
        yield `\n  ✖ FAIL ${file}\n${describeError(data.details?.error)}\n${out}\n\n`;
      }
    } else if (type === "test:pass" || type === "test:fail") {
      // Suites report too; count leaves only (a suite's details.type is "suite").
      if (data.details?.type === "suite") continue;
      const s = stats(fileOf(data));
      if (data.skip !== undefined && data.skip !== false) {
        skip++;
        s.skip++;
        continue;
      }
      if (data.todo !== undefined && data.todo !== false) {
        todo++;
        continue;
      }
      if (type === "test:pass") {
        pass++;
        s.pass++;
        continue;
      }
      // A file that fails to load reports one failure named after the file.
      fail++;
      s.fail++;
      failures.push(data);
      yield `\n  ✖ FAIL ${fileOf(data)} › ${data.name}\n${describeError(data.details?.error)}\n\n`;
    } else if (type === "test:stderr") {
      // Kept per file and shown only if that file fails to load (its error is there).
      const file = fileOf(data);
      const buf = (stderr.get(file) ?? "") + data.message;
      stderr.set(file, buf.length > 20000 ? buf.slice(-20000) : buf);
    } else if (
      type === "test:diagnostic" &&
      /^(tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) /.test(data.message) === false &&
      data.nesting === 0 &&
      data.file === undefined
    ) {
      yield `  ${data.message}\n`;
    }
  }
  yield* flush();
  if (failures.length > 0) {
    yield `\nFailed tests:\n`;
    for (const f of failures) yield `  ✖ ${fileOf(f)} › ${f.name}\n`;
  }
  yield `\ntests ${pass + fail + skip + todo}, ${ms(Date.now() - started)}\n`;
  yield `${pass} passed, ${fail} failed, ${skip} skipped\n`;
}
