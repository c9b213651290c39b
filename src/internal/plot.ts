// Plain-SVG line charts: no dependency, no script, no external resource, so the same markup
// works as a file on disk (plot.svg), inline in the dashboard page, and offline. Styling uses
// presentation attributes only (no style="" or <style>), which a strict Content-Security-Policy
// allows when the markup is inserted into a page.

export interface Series {
  name: string;
  /** [x, y] points; non-finite values are skipped (a gap, not a crash). */
  points: ReadonlyArray<readonly [number, number]>;
  color: string;
  /** Draw a marker at each point (per-epoch values), or only the line (dense per-batch values). */
  markers?: boolean;
  /** Dashed line, for secondary series. */
  dashed?: boolean;
  /** Line width (default 2). */
  width?: number;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  width?: number;
  height?: number;
  /** Fixed y range (e.g. [0, 100] for accuracy); by default fitted to the data. */
  yRange?: [number, number];
  /** Minimum x range end (e.g. the number of epochs planned, so the axis does not jump). */
  xMax?: number;
  /** Format of y tick labels. */
  yFormat?: (v: number) => string;
  /** An id prefix for the elements, so several charts can share a page. */
  id?: string;
}

/** Escapes text for XML content and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(
    /[<>&"']/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );
}

/** "Nice" tick values covering [lo, hi] (1, 2, 2.5 or 5 times a power of ten). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(count, 1);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step)
    ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function fmt(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1000 || a < 0.01) return v.toPrecision(2);
  return String(Number(v.toPrecision(3)));
}

/** Renders a line chart as a standalone <svg> element (string). */
export function lineChart(o: ChartOptions): string {
  const W = o.width ?? 560;
  const H = o.height ?? 340;
  const m = { left: 62, right: 16, top: 34, bottom: 48 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const pts = o.series.flatMap((s) => s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)));
  let x0 = 0;
  let x1 = Math.max(o.xMax ?? 1, ...pts.map(([x]) => x));
  if (pts.length > 0) x0 = Math.min(0, ...pts.map(([x]) => x));
  if (x1 <= x0) x1 = x0 + 1;
  let [y0, y1] = o.yRange ?? [Infinity, -Infinity];
  if (o.yRange === undefined) {
    for (const [, y] of pts) {
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
    if (!Number.isFinite(y0)) [y0, y1] = [0, 1];
    const pad = (y1 - y0) * 0.08 || Math.abs(y1) * 0.1 || 1;
    y0 = Math.max(y0 >= 0 ? 0 : -Infinity, y0 - pad);
    y1 += pad;
  }
  const sx = (x: number): number => m.left + ((x - x0) / (x1 - x0)) * pw;
  const sy = (y: number): number => m.top + ph - ((y - y0) / (y1 - y0)) * ph;
  const r = (v: number): string => v.toFixed(1);
  const yFormat = o.yFormat ?? fmt;
  const id = escapeXml(o.id ?? "chart");
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" id="${id}" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12" role="img" aria-label="${escapeXml(o.title)}">`,
  );
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${m.left}" y="20" font-size="14" font-weight="600" fill="#222">${escapeXml(o.title)}</text>`);
  // Grid and tick labels.
  for (const t of niceTicks(y0, y1, 5)) {
    if (t < y0 - 1e-12 || t > y1 + 1e-12) continue;
    out.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${r(sy(t))}" y2="${r(sy(t))}" stroke="#e5e5e5"/>`);
    out.push(
      `<text x="${m.left - 6}" y="${r(sy(t) + 4)}" text-anchor="end" fill="#555">${escapeXml(yFormat(t))}</text>`,
    );
  }
  const xt = niceTicks(x0, x1, Math.min(8, Math.max(2, Math.ceil(x1 - x0))));
  for (const t of xt) {
    out.push(`<line x1="${r(sx(t))}" x2="${r(sx(t))}" y1="${m.top}" y2="${m.top + ph}" stroke="#f0f0f0"/>`);
    out.push(
      `<text x="${r(sx(t))}" y="${m.top + ph + 16}" text-anchor="middle" fill="#555">${escapeXml(fmt(t))}</text>`,
    );
  }
  out.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`);
  out.push(`<text x="${m.left + pw / 2}" y="${H - 10}" text-anchor="middle" fill="#333">${escapeXml(o.xLabel)}</text>`);
  out.push(
    `<text x="14" y="${m.top + ph / 2}" text-anchor="middle" fill="#333" transform="rotate(-90 14 ${m.top + ph / 2})">${escapeXml(o.yLabel)}</text>`,
  );
  // Lines: split at non-finite values so a NaN shows as a gap.
  for (const s of o.series) {
    const segs: string[][] = [[]];
    for (const [x, y] of s.points) {
      if (Number.isFinite(x) && Number.isFinite(y)) segs[segs.length - 1].push(`${r(sx(x))},${r(sy(y))}`);
      else if (segs[segs.length - 1].length > 0) segs.push([]);
    }
    const dash = s.dashed === true ? ` stroke-dasharray="5 4"` : "";
    for (const seg of segs) {
      if (seg.length > 1) {
        out.push(
          `<polyline class="series" data-series="${escapeXml(s.name)}" points="${seg.join(" ")}" fill="none" stroke="${escapeXml(s.color)}" stroke-width="${s.width ?? 2}" stroke-linejoin="round"${dash}/>`,
        );
      }
    }
    if (s.markers === true || s.points.length === 1) {
      for (const [x, y] of s.points) {
        if (Number.isFinite(x) && Number.isFinite(y)) {
          out.push(
            `<circle class="marker" data-series="${escapeXml(s.name)}" cx="${r(sx(x))}" cy="${r(sy(y))}" r="3.5" fill="${escapeXml(s.color)}"/>`,
          );
        }
      }
    }
  }
  // Legend, top right inside the plot area: only series that have something drawn (a legend entry
  // for an empty series, such as plot.svg's running loss, names a line that is not there).
  const named = o.series.filter(
    (s) => s.name !== "" && s.points.some(([x, y]) => Number.isFinite(x) && Number.isFinite(y)),
  );
  let ly = m.top + 14;
  const lx = m.left + pw - 150;
  if (named.length > 0) {
    out.push(
      `<rect x="${lx - 8}" y="${m.top + 4}" width="152" height="${named.length * 18 + 6}" fill="#ffffff" fill-opacity="0.85" stroke="#ddd"/>`,
    );
  }
  for (const s of named) {
    const dash = s.dashed === true ? ` stroke-dasharray="5 4"` : "";
    out.push(
      `<line x1="${lx}" x2="${lx + 22}" y1="${ly - 4}" y2="${ly - 4}" stroke="${escapeXml(s.color)}" stroke-width="2"${dash}/>`,
    );
    out.push(`<text x="${lx + 28}" y="${ly}" fill="#333">${escapeXml(s.name)}</text>`);
    ly += 18;
  }
  if (pts.length === 0) {
    out.push(
      `<text x="${m.left + pw / 2}" y="${m.top + ph / 2}" text-anchor="middle" fill="#999">waiting for data…</text>`,
    );
  }
  out.push("</svg>");
  return out.join("\n");
}

/** Places several SVG charts side by side in one SVG document (for plot.svg on disk). */
export function combineCharts(charts: string[], width: number, height: number): string {
  const parts = charts.map((c, i) => {
    // Nest each chart as an inner <svg> positioned by x; strip its XML namespace (inherited).
    const inner = c.replace(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/, `<svg x="${i * width}" y="0"`);
    return inner;
  });
  const W = width * charts.length;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}">`,
    ...parts,
    "</svg>",
    "",
  ].join("\n");
}
