// torchvision's VisionDataset: root folder plus optional transform / targetTransform.
import { Dataset } from "../../utils/data/dataset.js";

/** A transform from I to O: an object with forward(x) (the transforms.* classes) or a function. */
export type Transform<I, O> = { forward(x: I): O } | ((x: I) => O);

/** Applies a transform (object with forward, or function) to a value. */
export function applyTransform<I, O>(t: Transform<I, O>, x: I): O {
  return typeof t === "function" ? t(x) : t.forward(x);
}

export interface VisionDatasetOptions<I, X, T, Y> {
  transform?: Transform<I, X> | null;
  targetTransform?: Transform<T, Y> | null;
}

/**
 * Base of the vision datasets. I/T are the raw image and target types a dataset reads,
 * X/Y what its getItem returns after the optional transforms (inferred from them).
 */
export abstract class VisionDataset<I, X, T, Y> extends Dataset<[X, Y]> {
  readonly root: string;
  readonly transform: Transform<I, X> | null;
  readonly targetTransform: Transform<T, Y> | null;

  constructor(root: string, options: VisionDatasetOptions<I, X, T, Y> = {}) {
    super();
    this.root = root;
    this.transform = options.transform ?? null;
    this.targetTransform = options.targetTransform ?? null;
  }

  /** (image, target) after the transforms, as torchvision's datasets return them. */
  protected applyTransforms(img: I, target: T): [X, Y] {
    // Without a transform, X is I (and Y is T): that is the class's default type argument.
    const x = this.transform !== null ? applyTransform(this.transform, img) : (img as unknown as X);
    const y = this.targetTransform !== null ? applyTransform(this.targetTransform, target) : (target as unknown as Y);
    return [x, y];
  }
}
