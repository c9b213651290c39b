// Printing tensors the way PyTorch does: tensor([[1., 2.]]), 4 decimals, scientific notation
// when magnitudes call for it, and the dtype / grad suffixes.
import type { Tensor } from "./tensor.js";

const DEFAULT_DTYPES = new Set(["float32", "int64", "bool"]);

function formatter(values: number[], isFloat: boolean, isBool: boolean): (v: number) => string {
  if (isBool) return (v) => (v ? "True" : "False");
  if (!isFloat) return (v) => String(v);
  const finite = values.filter((v) => Number.isFinite(v));
  const abs = finite.map(Math.abs).filter((v) => v !== 0);
  const allInt = finite.every((v) => Number.isInteger(v));
  const maxA = abs.length ? Math.max(...abs) : 0, minA = abs.length ? Math.min(...abs) : 0;
  const special = (v: number): string | null => (Number.isNaN(v) ? "nan" : v === Infinity ? "inf" : v === -Infinity ? "-inf" : null);
  if (allInt) {
    if (maxA >= 1e8) return (v) => special(v) ?? sci(v);
    return (v) => special(v) ?? `${Object.is(v, -0) ? "-0" : v.toFixed(0)}.`;
  }
  if (maxA / minA > 1000 || maxA > 1e8 || minA < 1e-4) return (v) => special(v) ?? sci(v);
  return (v) => special(v) ?? v.toFixed(4);
}

const sci = (v: number): string => {
  const [m, e] = v.toExponential(4).split("e");
  const exp = Number(e);
  return `${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
};

export function formatTensor(t: Tensor): string {
  const flat = Array.from(t.typedArray(), Number);
  const isFloat = t.dtype === "float32" || t.dtype === "float64";
  const fmt = formatter(flat, isFloat, t.dtype === "bool");
  const strs = flat.map(fmt);
  const width = strs.reduce((w, s) => Math.max(w, s.length), 0);
  const indent = "tensor(".length;
  let k = 0;
  const rec = (d: number): string => {
    if (d === t.dim()) return strs[k++].padStart(width);
    const n = t.shape[d];
    const parts: string[] = [];
    for (let i = 0; i < n; i++) parts.push(rec(d + 1));
    const sep = d === t.dim() - 1 ? ", " : "," + "\n".repeat(t.dim() - d - 1) + " ".repeat(indent + d + 1);
    return `[${parts.join(sep)}]`;
  };
  let body = t.dim() === 0 ? strs[0] : rec(0);
  if (t.numel() === 0) body = `[]`;
  const suffix: string[] = [];
  if (t.numel() === 0 && t.dim() > 1) suffix.push(`size=(${t.shape.join(", ")})`);
  if (!DEFAULT_DTYPES.has(t.dtype) || (t.numel() === 0 && t.dtype !== "float32")) suffix.push(`dtype=torch.${t.dtype}`);
  if (t.gradFn) suffix.push(`grad_fn=<${t.gradFn.name}0>`);
  else if (t.requiresGrad) suffix.push("requires_grad=True");
  return `tensor(${body}${suffix.map((s) => ", " + s).join("")})`;
}
