// Printing tensors exactly as PyTorch's torch/_tensor_str.py does (default print options:
// precision 4, linewidth 80, threshold 1000, edgeitems 3): one formatter for all elements,
// whose width comes from the non-zero finite values; "int mode" for integral floats;
// scientific notation when magnitudes call for it; rows wrapped at 80 columns; long tensors
// summarised with "..."; and the size / dtype / grad suffixes.
import type { Tensor } from "./tensor.js";

const PRECISION = 4,
  LINEWIDTH = 80,
  THRESHOLD = 1000,
  EDGEITEMS = 3;
const DEFAULT_DTYPES = new Set(["float32", "int64", "bool"]);

/**
 * Python's round-half-even formatting of the exact binary value. JavaScript's toFixed and
 * toExponential round exact ties away from zero, so ties (1.03125 -> "1.0312") are found from
 * the exact 100-digit expansion and rounded toward the even digit.
 */
function pyRound(x: number, digits: number, exp: boolean): string {
  const fmt = (v: number, d: number) => (exp ? v.toExponential(d) : v.toFixed(d));
  const plain = fmt(x, digits);
  if (Object.is(x, -0)) return "-" + plain; // Python keeps the sign of negative zero
  if (!Number.isFinite(x) || x === 0 || (!exp && Math.abs(x) >= 1e21)) return plain;
  const full = fmt(Math.abs(x), Math.min(100, digits + 60));
  const mant = exp ? full.slice(0, full.indexOf("e")) : full;
  const point = mant.indexOf(".");
  const rest = mant.slice(point + 1 + digits);
  if (!/^50*$/.test(rest)) return plain;
  const lastKept = digits === 0 ? mant[point - 1] : mant[point + digits];
  if (Number(lastKept) % 2 === 1) return plain; // away from zero reaches the even digit
  return fmt(x * (1 - 2 ** -52), digits); // a tie with an even last digit: round toward zero
}

/** Python's "{:.4e}": two-digit exponents with a sign (1.0000e+00). */
function sci(v: number): string {
  if (!Number.isFinite(v)) return special(v);
  const [m, e] = pyRound(v, PRECISION, true).split("e");
  const n = Number(e);
  return `${m}e${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`;
}

const special = (v: number): string => (Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf");
const fixed = (v: number, d: number): string => (Number.isFinite(v) ? pyRound(v, d, false) : special(v));

interface Formatter {
  width: number;
  format(v: number): string;
}

/** torch's _Formatter, built over the (summarised) values. */
function makeFormatter(values: readonly number[], dtype: Tensor["dtype"]): Formatter {
  const pad = (s: string, w: number) => s.padStart(w);
  if (dtype !== "float32" && dtype !== "float64") {
    // int64 beyond 2^53 (the integer-indefinite -2^63) prints exactly through BigInt.
    const str =
      dtype === "bool"
        ? (v: number) => (v ? "True" : "False")
        : (v: number) => (Math.abs(v) >= 2 ** 53 ? BigInt(v).toString() : String(v));
    const width = values.reduce((w, v) => Math.max(w, str(v).length), 1);
    return { width, format: (v) => pad(str(v), width) };
  }
  const nz = values.filter((v) => Number.isFinite(v) && v !== 0);
  let intMode = true,
    sciMode = false,
    width = 1;
  if (nz.length > 0) {
    const abs = nz.map(Math.abs);
    const min = Math.min(...abs),
      max = Math.max(...abs);
    intMode = nz.every((v) => v === Math.ceil(v));
    if (intMode) {
      sciMode = max / min > 1000 || max > 1e8;
      for (const v of nz) width = Math.max(width, sciMode ? sci(v).length : fixed(v, 0).length + 1);
    } else {
      sciMode = max / min > 1000 || max > 1e8 || min < 1e-4;
      for (const v of nz) width = Math.max(width, sciMode ? sci(v).length : fixed(v, PRECISION).length);
    }
  }
  const format = (v: number): string => {
    let s: string;
    if (sciMode) s = sci(v);
    else if (intMode) s = Number.isFinite(v) ? `${fixed(v, 0)}.` : special(v);
    else s = fixed(v, PRECISION);
    return pad(s, width);
  };
  return { width, format };
}

/** A nested view of the values: dims and a reader, so summarising can pick edges. */
interface Nd {
  shape: readonly number[];
  at: (idx: number[]) => number;
}

function summarisedValues(t: Nd, summarize: boolean): number[] {
  const out: number[] = [];
  const rec = (d: number, idx: number[]) => {
    if (d === t.shape.length) {
      out.push(t.at(idx));
      return;
    }
    for (const i of pick(t.shape[d], summarize)) rec(d + 1, [...idx, i]);
  };
  rec(0, []);
  return out;
}

function pick(n: number, summarize: boolean): number[] {
  const all = [...Array(n).keys()];
  if (!summarize || n <= 2 * EDGEITEMS) return all;
  return [...all.slice(0, EDGEITEMS), ...all.slice(n - EDGEITEMS)];
}

function tensorStr(t: Nd, f: Formatter, indent: number, summarize: boolean, idx: number[] = []): string {
  const d = idx.length,
    nd = t.shape.length,
    n = t.shape[d];
  const cut = summarize && n > 2 * EDGEITEMS;
  if (d === nd - 1) {
    const elementsPerLine = Math.max(1, Math.floor((LINEWIDTH - indent) / (f.width + 2)));
    const items = (
      cut ? [...pick(n, true).slice(0, EDGEITEMS), -1, ...pick(n, true).slice(EDGEITEMS)] : pick(n, false)
    ).map((i) => (i < 0 ? " ..." : f.format(t.at([...idx, i]))));
    const lines: string[] = [];
    for (let i = 0; i < items.length; i += elementsPerLine) lines.push(items.slice(i, i + elementsPerLine).join(", "));
    return `[${lines.join(",\n" + " ".repeat(indent + 1))}]`;
  }
  const rows = (
    cut ? [...pick(n, true).slice(0, EDGEITEMS), -1, ...pick(n, true).slice(EDGEITEMS)] : pick(n, false)
  ).map((i) => (i < 0 ? "..." : tensorStr(t, f, indent + 1, summarize, [...idx, i])));
  return `[${rows.join("," + "\n".repeat(nd - d - 1) + " ".repeat(indent + 1))}]`;
}

export function formatTensor(t: Tensor): string {
  const device = t.storage.device;
  if (device !== "cpu") {
    // As PyTorch prints meta tensors; other devices' values need an async readback first.
    const size = `size=(${t.shape.join(", ")}${t.dim() === 1 ? "," : ""})`;
    const dtype = t.dtype !== "float32" ? `, dtype=torch.${t.dtype}` : "";
    return `tensor(..., device='${device}', ${size}${dtype})`;
  }
  const prefix = "tensor(";
  const indent = prefix.length;
  const suffixes: string[] = [];
  let body: string;
  if (t.numel() === 0) {
    if (t.dim() !== 1) suffixes.push(`size=(${t.shape.join(", ")}${t.dim() === 1 ? "," : ""})`);
    if (t.dtype !== "float32") suffixes.push(`dtype=torch.${t.dtype}`);
    body = "[]";
  } else {
    if (!DEFAULT_DTYPES.has(t.dtype)) suffixes.push(`dtype=torch.${t.dtype}`);
    const data = t.storage.data;
    const nd: Nd = { shape: t.shape, at: (idx) => data[idx.reduce((o, i, k) => o + i * t.strides[k], t.offset)] };
    const summarize = t.numel() > THRESHOLD;
    const f = makeFormatter(summarisedValues(nd, summarize), t.dtype);
    body = t.dim() === 0 ? f.format(nd.at([])) : tensorStr(nd, f, indent, summarize);
  }
  // Built-in nodes print with PyTorch's overload index (MulBackward0, or the one in their name:
  // SumBackward1); CopySlices and custom Functions without.
  if (t.gradFn)
    suffixes.push(`grad_fn=<${t.gradFn.name}${t.gradFn.name.endsWith("Backward") && !t.gradFn.custom ? "0" : ""}>`);
  else if (t.requiresGrad) suffixes.push("requires_grad=True");
  // torch's _add_suffixes: a suffix that would pass column 80 starts a new line.
  let out = prefix + body;
  let lastLen = out.length - out.lastIndexOf("\n") + 1;
  for (const s of suffixes) {
    if (lastLen + s.length + 2 > LINEWIDTH) {
      out += ",\n" + " ".repeat(indent) + s;
      lastLen = indent + s.length;
    } else {
      out += ", " + s;
      lastLen += s.length + 2;
    }
  }
  return out + ")";
}
