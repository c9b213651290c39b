// torch.distributions: Normal, Uniform, Bernoulli, Categorical, MultivariateNormal.
export { Distribution } from "./base.js";
export type { SampleShape } from "./base.js";
export { Normal, Uniform } from "./continuous.js";
export { Bernoulli, Categorical } from "./discrete.js";
export type { ProbsOrLogits } from "./discrete.js";
export { MultivariateNormal } from "./multivariate-normal.js";
export type { MultivariateNormalOptions } from "./multivariate-normal.js";
