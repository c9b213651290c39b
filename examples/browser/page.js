// The demo page's glue (DOM, charts, buttons); the training itself is ./train.ts, shared with
// the Node side of the test. Bundled with the Flint sources for the browser by ./serve.ts.
// URL parameters: steps, batch, lr, seed, limit (training records used), threads, autostart=1,
// wasm=plain (the plain SIMD128 kernels even where the browser has relaxed SIMD), ballast (see below),
// gemm=a|b (the GEMM micro-kernel variant, src/backend/wasm/gemm-variant.ts; default: timed at load),
// timing=K (per-kernel timers from the end of step K on, in flintDemo.kernels: bench/browser.ts),
// worker=1 (train in a Web Worker, ./worker.js: the CPU device only, no weights download).
import * as torch from "../../src/index.js";
import { CLASSES, parseCifar, trainSeedCnn } from "./train.ts";
import { wasmGemmChoice, wasmHeapStats, wasmKernelTiming } from "../../src/backend/select.js";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
for (const k of ["steps", "batch", "lr", "seed", "device"]) if (params.has(k)) $(k).value = params.get(k);
const limit = params.has("limit") ? Number(params.get("limit")) : Infinity;

// What the test reads: the losses so far, whether training finished, and any error.
const demo = {
  losses: [],
  accuracies: [],
  testAccuracy: [],
  stepMs: [],
  // The WebAssembly memory's size after each step, and its storage counts at the end (bench/browser.ts).
  memoryBytes: [],
  heap: null,
  kernels: null,
  done: false,
  error: null,
  backend: null,
  wasmBuild: null,
  // The GEMM micro-kernel variant that runs and how it was chosen (src/backend/wasm/gemm-variant.ts).
  gemm: null,
  device: "cpu",
  threads: 1,
};
window.flintDemo = demo;
// The namespace, for the browser console and bench/browser.ts's per-kernel microbenchmark.
window.flintTorch = torch;

let model = null,
  stopped = false,
  trainData = null,
  testData = null;
const status = (s) => {
  $("status").textContent = s;
};

function drawChart(canvas, series, yMax, label) {
  const ctx = canvas.getContext("2d"),
    w = canvas.width,
    h = canvas.height,
    pad = 34;
  ctx.clearRect(0, 0, w, h);
  ctx.strokeStyle = "#999";
  ctx.strokeRect(pad, 8, w - pad - 8, h - pad - 8);
  ctx.fillStyle = "#444";
  ctx.font = "12px system-ui";
  ctx.fillText(label, pad + 6, 22);
  ctx.fillText(yMax.toFixed(2), 2, 16);
  ctx.fillText("0", 20, h - pad);
  const n = Math.max(2, ...series.map((s) => s.points.length));
  for (const s of series) {
    ctx.strokeStyle = s.color;
    ctx.fillStyle = s.color;
    ctx.beginPath();
    s.points.forEach(([i, v], k) => {
      const x = pad + ((w - pad - 8) * i) / n,
        y = 8 + (h - pad - 8) * (1 - Math.min(v, yMax) / yMax);
      if (s.dots) ctx.fillRect(x - 2, y - 2, 4, 4);
      else if (k === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    });
    if (!s.dots) ctx.stroke();
  }
}

const running = (xs, k = 20) =>
  xs.map((_, i) => {
    const a = xs.slice(Math.max(0, i - k + 1), i + 1);
    return [i, a.reduce((s, v) => s + v, 0) / a.length];
  });

function redraw() {
  const maxLoss = Math.max(2.5, ...demo.losses.slice(0, 5));
  drawChart(
    $("loss"),
    [
      { color: "#bbb", points: demo.losses.map((v, i) => [i, v]) },
      { color: "#1565c0", points: running(demo.losses) },
    ],
    maxLoss,
    "loss per step (grey) and running mean (blue)",
  );
  drawChart(
    $("accuracy"),
    [
      { color: "#2e7d32", points: running(demo.accuracies) },
      { color: "#c62828", dots: true, points: demo.testAccuracy },
    ],
    1,
    "train batch accuracy (green), test accuracy (red)",
  );
}

async function testAccuracy(device) {
  if (!testData || !model) return null;
  const n = Math.min(testData.n, 500);
  const correct = torch.noGrad(() => {
    const x = torch.fromTypedArray(testData.images.slice(0, n * 3072), [n, 3, 32, 32]).to(device);
    const y = torch.fromTypedArray(Float64Array.from(testData.labels.subarray(0, n)), [n], "int64").to(device);
    return torch.eq(torch.argmax(model.forward(x), 1), y).sum();
  });
  return Number(await correct.itemAsync()) / n;
}

async function fetchBytes(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

async function loadServedData() {
  const listing = await fetch("data/")
    .then((r) => (r.ok ? r.json() : []))
    .catch(() => []);
  const trainFiles = listing
    .filter((f) => /^data_batch_\d\.bin$/.test(f))
    .sort()
    .slice(0, 1);
  if (trainFiles.length === 0) return false;
  trainData = parseCifar(await Promise.all(trainFiles.map((f) => fetchBytes(`data/${f}`))), limit);
  if (listing.includes("test_batch.bin")) testData = parseCifar([await fetchBytes("data/test_batch.bin")], 500);
  $("info").textContent = `data: ${trainFiles.join(", ")} served next to the page (${trainData.n} images)`;
  return true;
}

$("files").addEventListener("change", async (e) => {
  const files = [...e.target.files];
  const read = (f) => f.arrayBuffer().then((b) => new Uint8Array(b));
  const tests = files.filter((f) => f.name === "test_batch.bin"),
    trains = files.filter((f) => f.name !== "test_batch.bin");
  trainData = parseCifar(await Promise.all(trains.map(read)), limit);
  if (tests.length) testData = parseCifar([await read(tests[0])], 500);
  $("info").textContent = `data: ${trains.map((f) => f.name).join(", ")} (${trainData.n} images) chosen from disk`;
  $("start").disabled = false;
});

async function run() {
  stopped = false;
  $("start").disabled = true;
  $("stop").disabled = false;
  demo.losses = [];
  demo.accuracies = [];
  demo.testAccuracy = [];
  demo.stepMs = [];
  demo.memoryBytes = [];
  demo.done = false;
  const steps = Number($("steps").value),
    batchSize = Number($("batch").value),
    seed = Number($("seed").value),
    device = $("device").value;
  if (device === "webgpu" && !(await torch.webgpu.init())) {
    $("start").disabled = false;
    $("stop").disabled = true;
    throw new Error(`no WebGPU device: ${torch.webgpu.unavailableReason()}`);
  }
  demo.device = device;
  if (params.get("worker") === "1" && device === "cpu") return runInWorker(steps, batchSize, seed);
  status(`training on ${device === "webgpu" ? `webgpu (${torch.webgpu.getDeviceName()})` : "cpu"}`);
  let lastPaint = 0;
  await trainSeedCnn(
    torch,
    trainData,
    {
      steps,
      batchSize,
      seed,
      device,
      lr: Number($("lr").value),
      stopped: () => stopped,
      onStep: async ({ step, loss, accuracy, ms }) => {
        demo.losses.push(loss);
        demo.accuracies.push(accuracy);
        demo.stepMs.push(ms);
        demo.heap = wasmHeapStats();
        demo.memoryBytes.push(demo.heap?.memoryBytes ?? 0);
        if (params.has("timing") && step === Number(params.get("timing"))) wasmKernelTiming("start");
        if (params.has("timing")) demo.kernels = wasmKernelTiming("read");
        if (testData && (step % 100 === 0 || step === steps))
          demo.testAccuracy.push([step - 1, await testAccuracy(device)]);
        $("numbers").textContent =
          `step ${step} / ${steps} · loss ${loss.toFixed(4)} · batch accuracy ${(100 * accuracy).toFixed(1)}% · ${ms.toFixed(0)} ms/step`;
        if (performance.now() - lastPaint > 100 || step === steps) {
          lastPaint = performance.now();
          redraw();
          await new Promise((r) => setTimeout(r, 0)); // let the page repaint and take clicks
        }
      },
    },
    (m) => {
      model = m;
    },
  );
  demo.done = true;
  status(stopped ? "stopped" : "done");
  $("start").disabled = false;
  $("stop").disabled = true;
  $("download").disabled = false;
}

// The same training in a Web Worker (./worker.js, bundled by ./serve.ts); the page only draws.
function runInWorker(steps, batchSize, seed) {
  status("training on cpu in a Web Worker");
  const worker = new Worker("worker.js", { type: "module" });
  const finish = () => {
    worker.terminate();
    $("start").disabled = false;
    $("stop").disabled = true;
  };
  return new Promise((resolve) => {
    worker.onmessage = ({ data: m }) => {
      if (m.error) {
        fail(new Error(m.error));
        finish();
        resolve();
      } else if (m.ready) {
        demo.wasmBuild = m.wasmBuild;
        demo.gemm = m.gemm;
        demo.threads = m.threads;
      } else if (m.done) {
        demo.heap = m.heap;
        demo.done = true;
        status("done (Web Worker)");
        redraw();
        finish();
        resolve();
      } else {
        demo.losses.push(m.loss);
        demo.accuracies.push(m.accuracy);
        demo.stepMs.push(m.ms);
        demo.memoryBytes.push(m.memoryBytes);
        $("numbers").textContent =
          `step ${m.step} / ${steps} · loss ${m.loss.toFixed(4)} · batch accuracy ${(100 * m.accuracy).toFixed(1)}% · ${m.ms.toFixed(0)} ms/step (worker)`;
        if (m.step % 5 === 0) redraw();
      }
    };
    worker.onerror = (e) => {
      fail(new Error(e.message));
      finish();
      resolve();
    };
    worker.postMessage({
      steps,
      batchSize,
      seed,
      lr: Number($("lr").value),
      threads: params.has("threads") ? Number(params.get("threads")) : 0,
      relaxedSimd: params.get("wasm") !== "plain",
      gemmVariant: params.get("gemm") ?? undefined,
      images: trainData.images,
      labels: trainData.labels,
      n: trainData.n,
    });
  });
}

$("start").addEventListener("click", () => run().catch(fail));
$("stop").addEventListener("click", () => {
  stopped = true;
});
$("download").addEventListener("click", async () => {
  // Keys as `flint eval --model seed` and PyTorch's seed program name them (model1.0.weight …).
  // A GPU tensor's values come back asynchronously: copy each to the CPU first.
  const state = {};
  for (const [k, v] of Object.entries(model.stateDict({ prefix: "model1." }))) state[k] = await v.cpuAsync();
  const bytes = torch.saveToBytes(state, {
    format: "safetensors",
    metadata: { classes: CLASSES.join(",") },
  });
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([bytes], { type: "application/octet-stream" }));
  a.download = "flint-seed-cnn.safetensors";
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
});

function fail(e) {
  demo.error = String(e?.stack ?? e);
  status(`error: ${e?.message ?? e}`);
  console.error(e);
}

(async () => {
  demo.backend = await torch.loadWasm(new URL("flint.wasm", location.href), {
    relaxedSimd: params.get("wasm") !== "plain",
    // ?ballast=F: the collector ballast of tensor storage in the wasm memory, as a fraction of its
    // size (src/backend/wasm/heap-storage.ts; bench/browser.ts --ballast).
    ...(params.has("ballast") ? { heapStorage: { ballast: Number(params.get("ballast")) } } : {}),
    ...(params.has("gemm") ? { gemmVariant: params.get("gemm") } : {}),
  });
  demo.wasmBuild = torch.wasmBuild();
  demo.gemm = wasmGemmChoice();
  // Cross-origin-isolated pages run the kernels on worker threads (every core unless ?threads=N).
  if (params.has("threads")) torch.setNumThreads(Number(params.get("threads")));
  demo.threads = torch.getNumThreads();
  $("start").disabled = true;
  const served = await loadServedData();
  status(
    `ready · backend ${demo.backend} (${demo.wasmBuild}) · ${demo.threads} thread${demo.threads > 1 ? "s" : ""}${globalThis.crossOriginIsolated ? " · cross-origin isolated" : ""}`,
  );
  $("start").disabled = !served;
  if (!served) $("info").textContent = "choose CIFAR-10 batch files (data_batch_1.bin …, test_batch.bin) to train";
  redraw();
  if (served && params.get("autostart") === "1") await run();
})().catch(fail);
