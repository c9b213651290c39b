// nn.Upsample, nn.UpsamplingNearest2d, nn.UpsamplingBilinear2d over F.interpolate.
import type { Tensor } from "../../tensor.js";
import { type InterpolateMode, interpolate } from "../../ops/resample.js";
import { Module } from "../module.js";
import { moduleArgs, py, pyFloat } from "./util.js";

type Size = number | readonly number[] | null;
export interface UpsampleOptions {
  size?: Size;
  scaleFactor?: number | readonly number[] | null;
  mode?: InterpolateMode;
  alignCorners?: boolean | null;
  recomputeScaleFactor?: boolean | null;
}

const reprScale = (s: number | readonly number[] | null): string =>
  s === null ? "None" : typeof s === "number" ? pyFloat(s) : `(${s.map(pyFloat).join(", ")})`;

/** nn.Upsample(size, scaleFactor, mode = 'nearest', alignCorners, recomputeScaleFactor). */
export class Upsample extends Module {
  readonly size: Size;
  readonly scaleFactor: number | readonly number[] | null;
  readonly mode: InterpolateMode;
  readonly alignCorners: boolean | null;
  readonly recomputeScaleFactor: boolean | null;
  constructor(...args: unknown[]) {
    super();
    const o = moduleArgs<Required<UpsampleOptions> & Record<string, unknown>>(
      this.constructor.name,
      args,
      ["size", "scaleFactor", "mode", "alignCorners", "recomputeScaleFactor"],
      { size: null, scaleFactor: null, mode: "nearest", alignCorners: null, recomputeScaleFactor: null },
    );
    this.size = o.size;
    this.scaleFactor = o.scaleFactor;
    this.mode = o.mode;
    this.alignCorners = o.alignCorners;
    this.recomputeScaleFactor = o.recomputeScaleFactor;
  }
  forward(input: Tensor): Tensor {
    return interpolate(input, {
      size: this.size,
      scaleFactor: this.scaleFactor,
      mode: this.mode,
      alignCorners: this.alignCorners,
      recomputeScaleFactor: this.recomputeScaleFactor,
    });
  }
  override extraRepr(): string {
    const s = this.scaleFactor !== null ? `scale_factor=${reprScale(this.scaleFactor)}` : `size=${py(this.size)}`;
    return `${s}, mode=${py(this.mode)}`;
  }
}

/** nn.UpsamplingNearest2d(size, scaleFactor). */
export class UpsamplingNearest2d extends Upsample {
  constructor(...args: unknown[]) {
    const o = moduleArgs<{ size: Size; scaleFactor: number | readonly number[] | null }>(
      "UpsamplingNearest2d",
      args,
      ["size", "scaleFactor"],
      { size: null, scaleFactor: null },
    );
    super({ ...o, mode: "nearest" });
  }
}

/** nn.UpsamplingBilinear2d(size, scaleFactor): bilinear with alignCorners = true. */
export class UpsamplingBilinear2d extends Upsample {
  constructor(...args: unknown[]) {
    const o = moduleArgs<{ size: Size; scaleFactor: number | readonly number[] | null }>(
      "UpsamplingBilinear2d",
      args,
      ["size", "scaleFactor"],
      { size: null, scaleFactor: null },
    );
    super({ ...o, mode: "bilinear", alignCorners: true });
  }
}
