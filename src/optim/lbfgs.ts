// optim.LBFGS (torch/optim/lbfgs.py 1.13): limited-memory BFGS over all parameters flattened into
// one vector, with a fixed step or the strong-Wolfe line search. step(closure) re-evaluates the
// loss as PyTorch's does (the closure zeroes the gradients, computes the loss, calls backward).
import { Tensor } from "../tensor.js";
import { ValueError } from "../errors.js";
import { enableGrad, noGrad } from "../autograd/grad-mode.js";
import { cat } from "../ops/join.js";
import { zeros } from "../ops/creation.js";
import { Optimizer, type ParamsInput } from "./optimizer.js";
import { parseArgs } from "../ops/util.js";

export interface LBFGSOptions {
  lr?: number;
  maxIter?: number;
  maxEval?: number | null;
  toleranceGrad?: number;
  toleranceChange?: number;
  historySize?: number;
  lineSearchFn?: "strong_wolfe" | null;
}

const num = (t: Tensor | number): number => (typeof t === "number" ? t : (t.item() as number));

/** The minimiser of the cubic through (x1, f1, g1), (x2, f2, g2), clamped to bounds. */
/**
 * The minimiser of the cubic through (x1, f1, g1), (x2, f2, g2), clamped to bounds. `r` rounds
 * what PyTorch computes as float32 tensors (the g's are 0-dim tensors there).
 */
function cubicInterpolate(
  x1: number,
  f1: number,
  g1: number,
  x2: number,
  f2: number,
  g2: number,
  bounds: [number, number] | null,
  r: (v: number) => number,
): number {
  const [lo, hi] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = r(r(g1 + g2) - r((3 * (f1 - f2)) / (x1 - x2)));
  const d2sq = r(r(d1 * d1) - r(g1 * g2));
  if (d2sq >= 0) {
    const d2 = r(Math.sqrt(d2sq));
    const minPos =
      x1 <= x2
        ? r(x2 - r(r(x2 - x1) * r(r(r(g2 + d2) - d1) / r(r(g2 - g1) + r(2 * d2)))))
        : r(x1 - r(r(x1 - x2) * r(r(r(g1 + d2) - d1) / r(r(g1 - g2) + r(2 * d2)))));
    return Math.min(Math.max(minPos, lo), hi);
  }
  return (lo + hi) / 2;
}

type ObjFunc = (x: Tensor[], t: number, d: Tensor) => [number, Tensor];

function strongWolfe(
  obj: ObjFunc,
  x: Tensor[],
  t0: number,
  d: Tensor,
  f: number,
  g0: Tensor,
  gtd: number,
  r: (v: number) => number,
  c1 = 1e-4,
  c2 = 0.9,
  toleranceChange = 1e-9,
  maxLs = 25,
): [number, Tensor, number, number] {
  let t = t0;
  const dNorm = num(d.abs().max());
  const g = g0.clone();
  let [fNew, gNew] = obj(x, t, d);
  let evals = 1;
  let gtdNew = num(gNew.dot(d));
  let [tPrev, fPrev, gPrev, gtdPrev] = [0, f, g, gtd];
  let done = false,
    lsIter = 0;
  let bracket: number[] = [],
    bf: number[] = [],
    bg: Tensor[] = [],
    bgtd: number[] = [];
  while (lsIter < maxLs) {
    if (fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev)) {
      [bracket, bf, bg, bgtd] = [
        [tPrev, t],
        [fPrev, fNew],
        [gPrev, gNew.clone()],
        [gtdPrev, gtdNew],
      ];
      break;
    }
    if (Math.abs(gtdNew) <= -c2 * gtd) {
      [bracket, bf, bg] = [[t], [fNew], [gNew]];
      done = true;
      break;
    }
    if (gtdNew >= 0) {
      [bracket, bf, bg, bgtd] = [
        [tPrev, t],
        [fPrev, fNew],
        [gPrev, gNew.clone()],
        [gtdPrev, gtdNew],
      ];
      break;
    }
    const minStep = t + 0.01 * (t - tPrev),
      maxStep = t * 10;
    const tmp = t;
    t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep], r);
    [tPrev, fPrev, gPrev, gtdPrev] = [tmp, fNew, gNew.clone(), gtdNew];
    [fNew, gNew] = obj(x, t, d);
    evals++;
    gtdNew = num(gNew.dot(d));
    lsIter++;
  }
  if (lsIter === maxLs)
    [bracket, bf, bg] = [
      [0, t],
      [f, fNew],
      [g, gNew],
    ];
  let insufProgress = false;
  let [low, high] = bf[0] <= bf[bf.length - 1] ? [0, 1] : [1, 0];
  while (!done && lsIter < maxLs) {
    if (Math.abs(bracket[1] - bracket[0]) * dNorm < toleranceChange) break;
    t = cubicInterpolate(bracket[0], bf[0], bgtd[0], bracket[1], bf[1], bgtd[1], null, r);
    const bmax = Math.max(...bracket),
      bmin = Math.min(...bracket);
    const eps = 0.1 * (bmax - bmin);
    if (Math.min(bmax - t, t - bmin) < eps) {
      if (insufProgress || t >= bmax || t <= bmin) {
        t = Math.abs(t - bmax) < Math.abs(t - bmin) ? bmax - eps : bmin + eps;
        insufProgress = false;
      } else insufProgress = true;
    } else insufProgress = false;
    [fNew, gNew] = obj(x, t, d);
    evals++;
    gtdNew = num(gNew.dot(d));
    lsIter++;
    if (fNew > f + c1 * t * gtd || fNew >= bf[low]) {
      [bracket[high], bf[high], bg[high], bgtd[high]] = [t, fNew, gNew.clone(), gtdNew];
      [low, high] = bf[0] <= bf[1] ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(gtdNew) <= -c2 * gtd) done = true;
      else if (gtdNew * (bracket[high] - bracket[low]) >= 0) {
        [bracket[high], bf[high], bg[high], bgtd[high]] = [bracket[low], bf[low], bg[low], bgtd[low]];
      }
      [bracket[low], bf[low], bg[low], bgtd[low]] = [t, fNew, gNew.clone(), gtdNew];
    }
  }
  return [bf[low], bg[low], bracket[low], evals];
}

interface LState {
  funcEvals: number;
  nIter: number;
  d?: Tensor;
  t?: number;
  oldDirs?: Tensor[];
  oldStps?: Tensor[];
  ro?: number[];
  hDiag?: number;
  prevFlatGrad?: Tensor;
  prevLoss?: number;
}

/** optim.LBFGS(params, lr = 1, maxIter = 20, maxEval = maxIter * 5 / 4, toleranceGrad = 1e-7, toleranceChange = 1e-9, historySize = 100, lineSearchFn = null). */
export class LBFGS extends Optimizer {
  private readonly params: Tensor[];
  private lstate: LState = { funcEvals: 0, nIter: 0 };
  constructor(params: ParamsInput, ...args: unknown[]) {
    const o = parseArgs<Required<LBFGSOptions> & Record<string, unknown>>(
      "LBFGS",
      args,
      ["lr", "maxIter", "maxEval", "toleranceGrad", "toleranceChange", "historySize", "lineSearchFn"],
      {
        lr: 1,
        maxIter: 20,
        maxEval: null,
        toleranceGrad: 1e-7,
        toleranceChange: 1e-9,
        historySize: 100,
        lineSearchFn: null,
      },
    );
    if (o.lineSearchFn !== null && o.lineSearchFn !== "strong_wolfe")
      throw new ValueError("LBFGS: only 'strong_wolfe' is supported as lineSearchFn");
    super(params, {
      lr: o.lr,
      maxIter: o.maxIter,
      maxEval: o.maxEval ?? Math.trunc((o.maxIter * 5) / 4),
      toleranceGrad: o.toleranceGrad,
      toleranceChange: o.toleranceChange,
      historySize: o.historySize,
      lineSearchFn: o.lineSearchFn,
    });
    if (this.paramGroups.length !== 1)
      throw new ValueError("LBFGS doesn't support per-parameter options (parameter groups)");
    this.params = this.paramGroups[0].params;
  }
  protected updateGroup(): void {
    throw new ValueError("LBFGS: step() needs a closure that re-evaluates the model and returns the loss");
  }
  private flatGrad(): Tensor {
    return cat(
      this.params.map((p) => (p.grad ? p.grad.reshape(-1) : zeros([p.numel()], { dtype: p.dtype }))),
      0,
    );
  }
  private addGrad(t: number, d: Tensor): void {
    let off = 0;
    for (const p of this.params) {
      const n = p.numel();
      p.add_(d.narrow(0, off, n).view(p.shape), t);
      off += n;
    }
  }
  override step(closure?: () => Tensor | number): Tensor | number | undefined {
    if (!closure)
      throw new ValueError("LBFGS: step() needs a closure that re-evaluates the model and returns the loss");
    return noGrad(() => this.run(closure));
  }
  private run(closure: () => Tensor | number): Tensor | number {
    const g = this.paramGroups[0];
    const lr = g.lr as number,
      maxIter = g.maxIter as number,
      maxEval = g.maxEval as number;
    const tolGrad = g.toleranceGrad as number,
      tolChange = g.toleranceChange as number,
      history = g.historySize as number;
    const evalClosure = (): Tensor | number => enableGrad(() => closure());
    const st = this.lstate;
    // PyTorch keeps these scalars as 0-dim tensors of the parameters' dtype: float32 rounds them.
    const r = this.params[0].dtype === "float32" ? Math.fround : (v: number) => v;
    const origLoss = evalClosure();
    let loss = num(origLoss);
    let currentEvals = 1;
    st.funcEvals++;
    let flatGrad = this.flatGrad();
    if (num(flatGrad.abs().max()) <= tolGrad) return origLoss;
    let { d, t, oldDirs, oldStps, ro, hDiag, prevFlatGrad } = st;
    let nIter = 0;
    let optCond = false;
    while (nIter < maxIter) {
      nIter++;
      st.nIter++;
      if (st.nIter === 1) {
        d = flatGrad.neg();
        [oldDirs, oldStps, ro, hDiag] = [[], [], [], 1];
      } else {
        const y = flatGrad.sub(prevFlatGrad as Tensor);
        const s = (d as Tensor).mul(t as number);
        const ys = num(y.dot(s));
        if (ys > 1e-10) {
          if ((oldDirs as Tensor[]).length === history) {
            oldDirs?.shift();
            oldStps?.shift();
            ro?.shift();
          }
          oldDirs?.push(y);
          oldStps?.push(s);
          ro?.push(r(1 / ys));
          hDiag = r(ys / num(y.dot(y)));
        }
        const dirs = oldDirs as Tensor[],
          stps = oldStps as Tensor[],
          r0 = ro as number[];
        const al = new Array<number>(dirs.length);
        const q = flatGrad.neg();
        for (let i = dirs.length - 1; i >= 0; i--) {
          al[i] = r(num(stps[i].dot(q)) * r0[i]);
          q.add_(dirs[i], -al[i]);
        }
        const rr = q.mul(hDiag as number);
        d = rr;
        for (let i = 0; i < dirs.length; i++) {
          const be = r(num(dirs[i].dot(rr)) * r0[i]);
          rr.add_(stps[i], r(al[i] - be));
        }
      }
      prevFlatGrad = flatGrad.clone();
      const prevLoss = loss;
      const inv = r(1 / num(flatGrad.abs().sum()));
      t = st.nIter === 1 ? (inv < 1 ? r(inv * lr) : lr) : lr;
      const gtd = num(flatGrad.dot(d));
      if (gtd > -tolChange) break;
      let lsEvals = 0;
      if (g.lineSearchFn === "strong_wolfe") {
        const xInit = this.params.map((p) => p.clone());
        const obj: ObjFunc = (x, tt, dd) => {
          this.addGrad(tt, dd);
          const l = num(evalClosure());
          const fg = this.flatGrad();
          this.params.forEach((p, i) => p.copy_(x[i]));
          return [l, fg];
        };
        [loss, flatGrad, t, lsEvals] = strongWolfe(obj, xInit, t, d, loss, flatGrad, gtd, r);
        this.addGrad(t, d);
        optCond = num(flatGrad.abs().max()) <= tolGrad;
      } else {
        this.addGrad(t, d);
        if (nIter !== maxIter) {
          loss = num(evalClosure());
          flatGrad = this.flatGrad();
          optCond = num(flatGrad.abs().max()) <= tolGrad;
          lsEvals = 1;
        }
      }
      currentEvals += lsEvals;
      st.funcEvals += lsEvals;
      if (nIter === maxIter || currentEvals >= maxEval || optCond) break;
      if (num(d.mul(t).abs().max()) <= tolChange) break;
      if (Math.abs(loss - prevLoss) < tolChange) break;
    }
    Object.assign(st, { d, t, oldDirs, oldStps, ro, hDiag, prevFlatGrad, prevLoss: loss });
    return origLoss;
  }
}
