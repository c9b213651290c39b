// F.multi_head_attention_forward as PyTorch 1.13 computes it (torch/nn/functional.py), composed
// from differentiable ops (linear, bmm, softmax, dropout, masked fill), so autograd needs nothing
// new. The steps, their order and the mask rules follow 1.13 line by line; errors name the caller
// ("MultiheadAttention" from the module) and the shapes involved.
import { scaledDotProductAttention } from "./sdpa.js";
import type { Tensor } from "../tensor.js";
import { DTypeError, ShapeError, ValueError, fmtShape } from "../errors.js";
import { isFloating } from "../dtype.js";
import { add, div, logicalOr, ne, where } from "../ops/binary.js";
import { bmm } from "../ops/linalg.js";
import { cat, chunk, split } from "../ops/join.js";
import { maskedFill } from "../ops/indexing.js";
import { dropout } from "../ops/dropout.js";
import { linear } from "../ops/linear.js";
import { pad } from "../ops/pad.js";
import { softmax } from "../ops/softmax.js";
import { sum } from "../ops/reduce.js";
import { zeros } from "../ops/creation.js";
import { expand, reshape, squeeze, transpose, unsqueeze } from "../ops/view.js";
import { contiguous } from "../ops/cast.js";
import { parseArgs } from "../ops/util.js";
import type { Args } from "./functional.js";

export interface MultiHeadAttentionOptions {
  training?: boolean;
  keyPaddingMask?: Tensor | null;
  needWeights?: boolean;
  attnMask?: Tensor | null;
  useSeparateProjWeight?: boolean;
  qProjWeight?: Tensor | null;
  kProjWeight?: Tensor | null;
  vProjWeight?: Tensor | null;
  staticK?: Tensor | null;
  staticV?: Tensor | null;
  averageAttnWeights?: boolean;
}

/** The positional parameters after outProjBias, in torch's order. */
export const MHA_OPTION_NAMES = [
  "training",
  "keyPaddingMask",
  "needWeights",
  "attnMask",
  "useSeparateProjWeight",
  "qProjWeight",
  "kProjWeight",
  "vProjWeight",
  "staticK",
  "staticV",
  "averageAttnWeights",
] as const;

export interface MultiHeadAttentionParams {
  embedDimToCheck: number;
  numHeads: number;
  inProjWeight: Tensor | null;
  inProjBias: Tensor | null;
  biasK: Tensor | null;
  biasV: Tensor | null;
  addZeroAttn: boolean;
  dropoutP: number;
  outProjWeight: Tensor;
  outProjBias: Tensor | null;
}

const same = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((s, i) => s === b[i]);

/** 1.13's _mha_shape_check: whether the input is batched; throws on inconsistent ranks. */
export function mhaShapeCheck(
  op: string,
  query: Tensor,
  key: Tensor,
  value: Tensor,
  kpm: Tensor | null,
  attnMask: Tensor | null,
  numHeads: number,
): boolean {
  const rank = (want: number, t: Tensor, what: string, alt = ""): void => {
    if (t.dim() !== want)
      throw new ShapeError(
        `${op}: for ${query.dim() === 3 ? "batched (3-D)" : "unbatched (2-D)"} query ${fmtShape(query.shape)}, expected ${what} to be ${alt}${want}-D but got ${fmtShape(t.shape)}`,
      );
  };
  if (query.dim() === 3 || query.dim() === 2) {
    const d = query.dim();
    rank(d, key, "key");
    rank(d, value, "value");
    if (kpm) rank(d - 1, kpm, "key_padding_mask", "None or ");
    if (attnMask && attnMask.dim() !== 2 && attnMask.dim() !== 3) {
      throw new ShapeError(`${op}: expected attn_mask to be None, 2-D or 3-D but got ${fmtShape(attnMask.shape)}`);
    }
    if (d === 2 && attnMask && attnMask.dim() === 3) {
      const want = [numHeads, query.shape[0], key.shape[0]];
      if (!same(attnMask.shape, want))
        throw new ShapeError(
          `${op}: expected attn_mask shape to be ${fmtShape(want)} but got ${fmtShape(attnMask.shape)}`,
        );
    }
    return d === 3;
  }
  throw new ShapeError(
    `${op}: query should be unbatched 2D or batched 3D tensor but received ${query.dim()}-D query tensor ${fmtShape(query.shape)}`,
  );
}

export function checkKeyPaddingMaskDType(op: string, kpm: Tensor | null): void {
  if (kpm && kpm.dtype !== "bool" && !isFloating(kpm.dtype)) {
    throw new DTypeError(`${op}: only bool and floating types of key_padding_mask are supported, got ${kpm.dtype}`);
  }
}

function inProjection(
  op: string,
  query: Tensor,
  key: Tensor,
  value: Tensor,
  p: MultiHeadAttentionParams,
  o: MultiHeadAttentionOptions,
): [Tensor, Tensor, Tensor] {
  const E = query.shape[query.dim() - 1];
  const b = p.inProjBias;
  if (!o.useSeparateProjWeight) {
    const w = p.inProjWeight;
    if (!w) throw new ValueError(`${op}: use_separate_proj_weight is False but in_proj_weight is None`);
    if (w.dim() !== 2 || w.shape[0] !== 3 * E || w.shape[1] !== E)
      throw new ShapeError(
        `${op}: expected in_proj_weight of shape ${fmtShape([3 * E, E])} for query ${fmtShape(query.shape)}, got ${fmtShape(w.shape)}`,
      );
    // _in_projection_packed: one linear for self-attention, two when key is value, else three.
    if (key === value) {
      if (query === key) {
        const [q, k, v] = chunk(linear(query, w, b), 3, -1);
        return [q, k, v];
      }
      const [wq, wkv] = split(w, [E, 2 * E]);
      const [bq, bkv] = b ? split(b, [E, 2 * E]) : [null, null];
      const [k, v] = chunk(linear(key, wkv, bkv), 2, -1);
      return [linear(query, wq, bq), k, v];
    }
    const [wq, wk, wv] = chunk(w, 3);
    const [bq, bk, bv] = b ? chunk(b, 3) : [null, null, null];
    return [linear(query, wq, bq), linear(key, wk, bk), linear(value, wv, bv)];
  }
  const { qProjWeight: wq, kProjWeight: wk, vProjWeight: wv } = o;
  if (!wq || !wk || !wv)
    throw new ValueError(
      `${op}: use_separate_proj_weight is True but q_proj_weight, k_proj_weight or v_proj_weight is None`,
    );
  const Ek = key.shape[key.dim() - 1],
    Ev = value.shape[value.dim() - 1];
  for (const [name, w, want] of [
    ["query", wq, [E, E]],
    ["key", wk, [E, Ek]],
    ["value", wv, [E, Ev]],
  ] as const) {
    if (!same(w.shape, want))
      throw new ShapeError(`${op}: expecting ${name} weights shape of ${fmtShape(want)}, but got ${fmtShape(w.shape)}`);
  }
  const [bq, bk, bv] = b ? chunk(b, 3) : [null, null, null];
  return [linear(query, wq, bq), linear(key, wk, bk), linear(value, wv, bv)];
}

/** The attention mask as 3-D (1 or N*H, L, S), bool or float; uint8 is read as bool (deprecated in torch). */
function prepAttnMask(op: string, m: Tensor, tgtLen: number, srcLen: number, bsz: number, numHeads: number): Tensor {
  if (m.dtype === "uint8") m = ne(m, 0);
  else if (!isFloating(m.dtype) && m.dtype !== "bool")
    throw new DTypeError(`${op}: only float, byte, and bool types are supported for attn_mask, not ${m.dtype}`);
  if (m.dim() === 2) {
    if (!same(m.shape, [tgtLen, srcLen]))
      throw new ShapeError(
        `${op}: the shape of the 2D attn_mask is ${fmtShape(m.shape)}, but should be ${fmtShape([tgtLen, srcLen])}`,
      );
    return unsqueeze(m, 0);
  }
  if (m.dim() === 3) {
    const want = [bsz * numHeads, tgtLen, srcLen];
    if (!same(m.shape, want))
      throw new ShapeError(
        `${op}: the shape of the 3D attn_mask is ${fmtShape(m.shape)}, but should be ${fmtShape(want)}`,
      );
    return m;
  }
  throw new ShapeError(`${op}: attn_mask's dimension ${m.dim()} is not supported (shape ${fmtShape(m.shape)})`);
}

/** Returns [attnOutput, attnWeights | null], as 1.13's multi_head_attention_forward. */
export function mhaForward(
  op: string,
  queryIn: Tensor,
  keyIn: Tensor,
  valueIn: Tensor,
  p: MultiHeadAttentionParams,
  o: MultiHeadAttentionOptions,
): [Tensor, Tensor | null] {
  const training = o.training ?? true,
    needWeights = o.needWeights ?? true,
    average = o.averageAttnWeights ?? true;
  let kpm = o.keyPaddingMask ?? null,
    attnMask = o.attnMask ?? null;
  const { numHeads } = p;
  const isBatched = mhaShapeCheck(op, queryIn, keyIn, valueIn, kpm, attnMask, numHeads);
  let query = queryIn,
    key = keyIn,
    value = valueIn;
  if (!isBatched) {
    query = unsqueeze(query, 1);
    key = unsqueeze(key, 1);
    value = unsqueeze(value, 1);
    if (kpm) kpm = unsqueeze(kpm, 0);
  }
  const [tgtLen, bsz, embedDim] = query.shape;
  checkKeyPaddingMaskDType(op, kpm);
  if (embedDim !== p.embedDimToCheck)
    throw new ShapeError(
      `${op}: was expecting embedding dimension of ${p.embedDimToCheck}, but got ${embedDim} (query ${fmtShape(queryIn.shape)})`,
    );
  const headDim = Math.floor(embedDim / numHeads);
  if (headDim * numHeads !== embedDim)
    throw new ValueError(`${op}: embed_dim ${embedDim} not divisible by num_heads ${numHeads}`);
  if (o.useSeparateProjWeight) {
    if (!same(key.shape.slice(0, 2), value.shape.slice(0, 2)))
      throw new ShapeError(
        `${op}: key's sequence and batch dims ${fmtShape(key.shape.slice(0, 2))} do not match value's ${fmtShape(value.shape.slice(0, 2))}`,
      );
  } else if (!same(key.shape, value.shape)) {
    throw new ShapeError(
      `${op}: key shape ${fmtShape(keyIn.shape)} does not match value shape ${fmtShape(valueIn.shape)}`,
    );
  }
  if (key.shape[1] !== bsz)
    throw new ShapeError(
      `${op}: query ${fmtShape(queryIn.shape)} and key ${fmtShape(keyIn.shape)} have different batch sizes`,
    );
  let [q, k, v] = inProjection(op, query, key, value, p, o);
  if (attnMask) attnMask = prepAttnMask(op, attnMask, tgtLen, key.shape[0], bsz, numHeads);

  if (p.biasK && p.biasV) {
    if (o.staticK || o.staticV) throw new ValueError(`${op}: bias cannot be added to static key or value`);
    k = cat([k, expand(p.biasK, [1, bsz, embedDim])]);
    v = cat([v, expand(p.biasV, [1, bsz, embedDim])]);
    if (attnMask) attnMask = pad(attnMask, [0, 1]);
    if (kpm) kpm = pad(kpm, [0, 1]);
  } else if (p.biasK || p.biasV) {
    throw new ValueError(`${op}: bias_k and bias_v must both be given or both be None`);
  }

  // Heads become batch entries: (L, N, E) -> (N*H, L, E/H).
  q = transpose(reshape(contiguous(q), [tgtLen, bsz * numHeads, headDim]), 0, 1);
  k = o.staticK
    ? checkStatic(op, "static_k", o.staticK, bsz * numHeads, headDim)
    : transpose(reshape(contiguous(k), [k.shape[0], bsz * numHeads, headDim]), 0, 1);
  v = o.staticV
    ? checkStatic(op, "static_v", o.staticV, bsz * numHeads, headDim)
    : transpose(reshape(contiguous(v), [v.shape[0], bsz * numHeads, headDim]), 0, 1);

  if (p.addZeroAttn) {
    k = cat([k, zeros([bsz * numHeads, 1, headDim], { dtype: k.dtype })], 1);
    v = cat([v, zeros([bsz * numHeads, 1, headDim], { dtype: v.dtype })], 1);
    if (attnMask) attnMask = pad(attnMask, [0, 1]);
    if (kpm) kpm = pad(kpm, [0, 1]);
  }
  const srcLen = k.shape[1];

  if (kpm) {
    if (!same(kpm.shape, [bsz, srcLen]))
      throw new ShapeError(
        `${op}: expecting key_padding_mask shape of ${fmtShape([bsz, srcLen])}, but got ${fmtShape(kpm.shape)}`,
      );
    const km = reshape(expand(reshape(kpm, [bsz, 1, 1, srcLen]), [bsz, numHeads, 1, srcLen]), [
      bsz * numHeads,
      1,
      srcLen,
    ]);
    if (!attnMask) attnMask = km;
    else if (attnMask.dtype === "bool") attnMask = logicalOr(attnMask, km);
    // torch's attn_mask.masked_fill(kpm, -inf) broadcasts both operands, as `where` does.
    else if (km.dtype === "bool") attnMask = where(km, -Infinity, attnMask);
    // 1.13 passes a float kpm to masked_fill as if its bytes were bools (it fills nothing for
    // typical masks, or fails on the bytes); Flint adds the two float masks instead, as both are
    // documented to be added to the scores (and as torch 2.x does).
    else attnMask = add(attnMask, km);
  }
  if (attnMask && attnMask.dtype === "bool")
    attnMask = maskedFill(zeros(attnMask.shape, { dtype: q.dtype }), attnMask, -Infinity);
  if (attnMask && attnMask.dtype !== q.dtype) {
    throw new DTypeError(
      `${op}: expected float masks of the query's dtype ${q.dtype}, got attn_mask ${o.attnMask?.dtype ?? "None"} and key_padding_mask ${o.keyPaddingMask?.dtype ?? "None"}`,
    );
  }
  const dropoutP = training ? p.dropoutP : 0;

  if (!needWeights) {
    // Without weights to return, PyTorch 2.0's MultiheadAttention runs the fused
    // scaled_dot_product_attention; so does Flint (one autograd node, batched products).
    const att = scaledDotProductAttention(q, k, v, { attnMask, dropoutP });
    let res = reshape(contiguous(transpose(att, 0, 1)), [tgtLen * bsz, embedDim]);
    res = reshape(linear(res, p.outProjWeight, p.outProjBias), [tgtLen, bsz, res.shape[1]]);
    return [isBatched ? res : squeeze(res, 1), null];
  }
  const qScaled = div(q, Math.sqrt(q.shape[2]));
  const scores = bmm(qScaled, transpose(k, 1, 2));
  let weights = softmax(attnMask ? add(attnMask, scores) : scores, -1);
  if (dropoutP > 0) weights = dropout(weights, dropoutP, true);
  let out = reshape(contiguous(transpose(bmm(weights, v), 0, 1)), [tgtLen * bsz, embedDim]);
  out = reshape(linear(out, p.outProjWeight, p.outProjBias), [tgtLen, bsz, out.shape[1]]);
  if (!isBatched) out = squeeze(out, 1);
  if (!needWeights) return [out, null];
  weights = reshape(weights, [bsz, numHeads, tgtLen, srcLen]);
  if (average) weights = div(sum(weights, 1), numHeads);
  if (!isBatched) weights = squeeze(weights, 0);
  return [out, weights];
}

function checkStatic(op: string, name: string, t: Tensor, n: number, headDim: number): Tensor {
  if (t.shape[0] !== n)
    throw new ShapeError(
      `${op}: expecting ${name}.size(0) of ${n}, but got ${t.shape[0]} (shape ${fmtShape(t.shape)})`,
    );
  if (t.shape[2] !== headDim)
    throw new ShapeError(
      `${op}: expecting ${name}.size(2) of ${headDim}, but got ${t.shape[2]} (shape ${fmtShape(t.shape)})`,
    );
  return t;
}

type MHAFnArgs = Args<
  [
    training: boolean,
    keyPaddingMask: Tensor | null,
    needWeights: boolean,
    attnMask: Tensor | null,
    useSeparateProjWeight: boolean,
    qProjWeight: Tensor | null,
    kProjWeight: Tensor | null,
    vProjWeight: Tensor | null,
    staticK: Tensor | null,
    staticV: Tensor | null,
    averageAttnWeights: boolean,
  ],
  MultiHeadAttentionOptions
>;

/**
 * F.multi_head_attention_forward (torch 1.13's signature, camelCased): query (L, N, E) or (L, E),
 * key and value (S, N, E) or (S, E). Returns [attnOutput, attnWeights | null].
 */
export function multiHeadAttentionForward(
  query: Tensor,
  key: Tensor,
  value: Tensor,
  embedDimToCheck: number,
  numHeads: number,
  inProjWeight: Tensor | null,
  inProjBias: Tensor | null,
  biasK: Tensor | null,
  biasV: Tensor | null,
  addZeroAttn: boolean,
  dropoutP: number,
  outProjWeight: Tensor,
  outProjBias: Tensor | null,
  ...args: MHAFnArgs
): [Tensor, Tensor | null] {
  const o = parseArgs<MultiHeadAttentionOptions & Record<string, unknown>>(
    "multi_head_attention_forward",
    args,
    MHA_OPTION_NAMES,
    { training: true, needWeights: true, averageAttnWeights: true, useSeparateProjWeight: false },
  );
  return mhaForward(
    "multi_head_attention_forward",
    query,
    key,
    value,
    {
      embedDimToCheck,
      numHeads,
      inProjWeight,
      inProjBias,
      biasK,
      biasV,
      addZeroAttn,
      dropoutP,
      outProjWeight,
      outProjBias,
    },
    o,
  );
}
