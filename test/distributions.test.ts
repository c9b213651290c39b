// torch.distributions (Normal, Uniform, Bernoulli, Categorical, MultivariateNormal) against
// PyTorch 1.13 (scripts/fixtures/nnsurf_distributions_fixtures.py): seeded sample / rsample
// (Flint's generator is PyTorch's stream), logProb and entropy with their gradients to the
// parameters, mean and variance, in float32 and float64.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../src/index.js";
import { assertClose, fixture } from "./nn-helpers.js";
import { type SurfEnc, dec } from "./nn-surf-helpers.js";

const D = torch.distributions;
interface DistCase {
  name: string;
  dtype: "float32" | "float64";
  params: Record<string, SurfEnc>;
  sampleShape: number[];
  sample: SurfEnc;
  rsample?: SurfEnc;
  value: SurfEnc;
  logProb: SurfEnc;
  gradOut: SurfEnc;
  logProbGrads: Record<string, SurfEnc>;
  entropy: SurfEnc;
  entropyGradOut: SurfEnc;
  entropyGrads: Record<string, SurfEnc>;
  mean: SurfEnc;
  variance: SurfEnc;
}
const { cases } = fixture<{ cases: DistCase[] }>("surf-distributions.json");

function make(name: string, p: Record<string, torch.Tensor>): torch.distributions.Distribution {
  if (name.startsWith("normal")) return new D.Normal(p.loc, p.scale);
  if (name.startsWith("uniform")) return new D.Uniform(p.low, p.high);
  if (name.startsWith("bernoulli_probs")) return new D.Bernoulli(p.probs);
  if (name.startsWith("bernoulli_logits")) return new D.Bernoulli({ logits: p.logits });
  if (name.startsWith("categorical_probs")) return new D.Categorical(p.probs);
  if (name.startsWith("categorical_logits")) return new D.Categorical({ logits: p.logits });
  if (name.startsWith("mvn_cov")) return new D.MultivariateNormal(p.loc, { covarianceMatrix: p.covariance_matrix });
  if (name.startsWith("mvn_tril")) return new D.MultivariateNormal(p.loc, { scaleTril: p.scale_tril });
  return new D.MultivariateNormal(p.loc, { precisionMatrix: p.precision_matrix });
}

for (const c of cases) {
  test(`distributions ${c.name} matches PyTorch`, () => {
    const tol = c.dtype === "float64" ? 1e-9 : 1e-5;
    const fresh = () => Object.fromEntries(Object.entries(c.params).map(([k, v]) => [k, dec(v).requiresGrad_(true)]));
    let p = fresh();
    let d = make(c.name, p);
    torch.manualSeed(7);
    const s = d.sample(c.sampleShape);
    const want = dec(c.sample);
    assert.equal(s.dtype, want.dtype, "sample dtype");
    assertClose(s, want, "sample", tol, tol);
    if (c.rsample) {
      torch.manualSeed(8);
      assertClose(d.rsample(c.sampleShape), dec(c.rsample), "rsample", tol, tol);
    }
    const lp = d.logProb(dec(c.value));
    assertClose(lp, dec(c.logProb), "logProb", tol, tol);
    lp.mul(dec(c.gradOut)).sum().backward();
    for (const [k, g] of Object.entries(c.logProbGrads))
      assertClose(p[k].grad as torch.Tensor, dec(g), `logProb grad ${k}`, tol * 10, tol * 10);
    p = fresh();
    d = make(c.name, p);
    const ent = d.entropy();
    assertClose(ent, dec(c.entropy), "entropy", tol, tol);
    ent.mul(dec(c.entropyGradOut)).sum().backward();
    for (const [k, g] of Object.entries(c.entropyGrads))
      assertClose(p[k].grad as torch.Tensor, dec(g), `entropy grad ${k}`, tol * 10, tol * 10);
    assertClose(d.mean, dec(c.mean), "mean", tol, tol);
    assertClose(d.variance, dec(c.variance), "variance", tol, tol);
  });
}
