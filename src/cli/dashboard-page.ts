// The dashboard's static assets. Everything is served by Flint itself (no CDN, works offline);
// the script is a separate file so the page can run under a strict Content-Security-Policy
// without 'unsafe-inline'. Charts arrive as SVG markup rendered on the server by src/internal/plot.ts
// (the same code that draws plot.svg), so the browser side stays a few dozen lines.

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Flint · training</title>
<link rel="stylesheet" href="/style.css">
</head>
<body>
<header>
  <h1>Flint <span class="sub">training dashboard</span></h1>
  <span id="status" class="badge">connecting…</span>
</header>
<section id="summary">
  <div class="stat"><span class="k">epoch</span><span class="v" id="epoch">–</span></div>
  <div class="stat"><span class="k">batch</span><span class="v" id="batch">–</span></div>
  <div class="stat"><span class="k">images/s</span><span class="v" id="rate">–</span></div>
  <div class="stat"><span class="k">running loss</span><span class="v" id="loss">–</span></div>
  <div class="stat"><span class="k">train acc</span><span class="v" id="acc">–</span></div>
  <div class="stat"><span class="k">best test acc</span><span class="v" id="best">–</span></div>
  <div class="stat"><span class="k">ETA (epoch)</span><span class="v" id="eta">–</span></div>
</section>
<div id="progress"><div id="bar"></div></div>
<main>
  <div class="chart" id="loss-chart-box"></div>
  <div class="chart" id="accuracy-chart-box"></div>
</main>
<section>
  <h2>Epochs</h2>
  <table id="epochs">
    <thead><tr><th>epoch</th><th>train loss</th><th>train acc</th><th>test loss</th><th>test acc</th><th>time</th><th>images/s</th></tr></thead>
    <tbody></tbody>
  </table>
</section>
<footer id="config"></footer>
<script src="/app.js"></script>
</body>
</html>
`;

export const PAGE_CSS = `
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1180px; padding: 16px 24px; color: #222; background: #f6f7f9; }
header { display: flex; align-items: center; gap: 16px; }
h1 { font-size: 22px; margin: 8px 0; }
h1 .sub { font-weight: 400; color: #666; font-size: 16px; }
h2 { font-size: 16px; margin: 20px 0 8px; }
.badge { padding: 3px 10px; border-radius: 12px; background: #ddd; font-size: 13px; }
.badge.training, .badge.evaluating { background: #d8ecff; color: #0b5394; }
.badge.done { background: #d9f2dd; color: #1e6b2c; }
.badge.interrupted, .badge.failed, .badge.disconnected { background: #fde2e1; color: #a61b1b; }
#summary { display: flex; flex-wrap: wrap; gap: 10px; margin: 10px 0; }
.stat { background: #fff; border: 1px solid #e3e3e3; border-radius: 6px; padding: 6px 12px; min-width: 96px; }
.stat .k { display: block; font-size: 11px; color: #777; text-transform: uppercase; letter-spacing: .04em; }
.stat .v { font-size: 18px; font-variant-numeric: tabular-nums; }
#progress { height: 6px; background: #e4e4e4; border-radius: 3px; overflow: hidden; }
#bar { height: 100%; width: 0; background: #1f77b4; transition: width .2s; }
main { display: flex; flex-wrap: wrap; gap: 16px; margin-top: 14px; }
.chart { background: #fff; border: 1px solid #e3e3e3; border-radius: 6px; padding: 4px; min-height: 340px; min-width: 560px; }
.chart svg { display: block; }
table { border-collapse: collapse; background: #fff; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #e3e3e3; padding: 4px 10px; text-align: right; }
th { background: #fafafa; font-weight: 600; }
footer { margin-top: 18px; color: #666; font-size: 13px; }
`;

export const PAGE_JS = `"use strict";
(function () {
  var $ = function (id) { return document.getElementById(id); };
  var received = false;
  function dur(s) {
    if (!isFinite(s) || s < 0) return "–";
    s = Math.round(s); var m = Math.floor(s / 60), r = s % 60;
    return m + ":" + (r < 10 ? "0" : "") + r;
  }
  function cell(tr, text) { var td = document.createElement("td"); td.textContent = text; tr.appendChild(td); }
  function render(s) {
    received = true;
    document.body.setAttribute("data-updates", String((Number(document.body.getAttribute("data-updates")) || 0) + 1));
    var st = $("status"); st.textContent = s.status; st.className = "badge " + s.status;
    $("epoch").textContent = s.epoch > 0 ? s.epoch + " / " + s.epochs : "–";
    $("batch").textContent = s.batches > 0 ? s.batch + " / " + s.batches : "–";
    $("rate").textContent = s.imagesPerSec > 0 ? s.imagesPerSec.toFixed(0) : "–";
    $("loss").textContent = s.batch > 0 ? s.loss.toFixed(4) : "–";
    $("acc").textContent = s.batch > 0 ? s.acc.toFixed(1) + "%" : "–";
    $("eta").textContent = s.batch > 0 ? dur(s.eta) : "–";
    var best = -1;
    for (var i = 0; i < s.history.length; i++) best = Math.max(best, s.history[i].test_acc);
    $("best").textContent = best >= 0 ? best.toFixed(2) + "%" : "–";
    $("bar").style.width = (s.batches > 0 ? (100 * s.batch / s.batches) : 0) + "%";
    $("loss-chart-box").innerHTML = s.charts.loss;
    $("accuracy-chart-box").innerHTML = s.charts.accuracy;
    var tb = document.querySelector("#epochs tbody"); tb.textContent = "";
    for (var j = 0; j < s.history.length; j++) {
      var h = s.history[j], tr = document.createElement("tr");
      cell(tr, h.epoch); cell(tr, h.train_loss.toFixed(4)); cell(tr, h.train_acc.toFixed(2) + "%");
      cell(tr, h.test_loss.toFixed(4)); cell(tr, h.test_acc.toFixed(2) + "%");
      cell(tr, h.epoch_time.toFixed(1) + " s"); cell(tr, h.images_per_sec.toFixed(0));
      tb.appendChild(tr);
    }
    $("config").textContent = s.config;
    document.title = "Flint · " + s.status + (s.epoch > 0 ? " · epoch " + s.epoch + "/" + s.epochs : "");
  }
  function poll() {
    fetch("/api/state").then(function (r) { return r.json(); }).then(render)
      .catch(function () { var st = $("status"); st.textContent = "disconnected"; st.className = "badge disconnected"; })
      .then(function () { setTimeout(poll, 2000); });
  }
  if (typeof EventSource === "function") {
    var es = new EventSource("/events");
    es.onmessage = function (e) { render(JSON.parse(e.data)); };
    es.addEventListener("end", function () { es.close(); });
    es.onerror = function () {
      if (es.readyState === 2) { var st = $("status"); if (st.className.indexOf("done") < 0) { st.textContent = "disconnected"; st.className = "badge disconnected"; } }
      if (!received) { es.close(); poll(); }
    };
  } else {
    poll();
  }
})();
`;
