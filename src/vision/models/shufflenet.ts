// torchvision.models.shufflenetv2 (0.14): two-branch units joined by a channel shuffle.
import * as nn from "../../nn/index.js";
import { cat } from "../../ops/join.js";
import type { Tensor } from "../../tensor.js";
import { ValueError } from "../../errors.js";
import { type ModelOptions, loadWeights, modelOptions } from "./common.js";
import { ShuffleNet_V2_X1_0_Weights, type WeightsEnum } from "./weights.js";

/** Interleaves the channels of `groups` groups ([N, g*c, H, W] → view, transpose, flatten). */
export function channelShuffle(x: Tensor, groups: number): Tensor {
  const [n, c, h, w] = x.shape;
  return x
    .view(n, groups, Math.floor(c / groups), h, w)
    .transpose(1, 2)
    .contiguous()
    .view(n, -1, h, w);
}

const depthwise = (i: number, o: number, k: number, stride = 1, padding = 0): nn.Conv2d =>
  new nn.Conv2d(i, o, k, { stride, padding, bias: false, groups: i });

export class ShuffleUnit extends nn.Module {
  branch1: nn.Sequential;
  branch2: nn.Sequential;
  readonly stride: number;
  constructor(inp: number, oup: number, stride: number) {
    super();
    if (!(stride >= 1 && stride <= 3)) throw new ValueError("illegal stride value");
    const bf = Math.floor(oup / 2);
    if (stride === 1 && inp !== bf * 2) {
      throw new ValueError(
        `Invalid combination of stride ${stride}, inp ${inp} and oup ${oup} values. If stride == 1 then inp should be equal to oup // 2 << 1.`,
      );
    }
    this.branch1 =
      stride > 1
        ? new nn.Sequential(
            depthwise(inp, inp, 3, stride, 1),
            new nn.BatchNorm2d(inp),
            new nn.Conv2d(inp, bf, 1, { bias: false }),
            new nn.BatchNorm2d(bf),
            new nn.ReLU(true),
          )
        : new nn.Sequential();
    this.branch2 = new nn.Sequential(
      new nn.Conv2d(stride > 1 ? inp : bf, bf, 1, { bias: false }),
      new nn.BatchNorm2d(bf),
      new nn.ReLU(true),
      depthwise(bf, bf, 3, stride, 1),
      new nn.BatchNorm2d(bf),
      new nn.Conv2d(bf, bf, 1, { bias: false }),
      new nn.BatchNorm2d(bf),
      new nn.ReLU(true),
    );
    this.stride = stride;
  }
  forward(x: Tensor): Tensor {
    let out: Tensor;
    if (this.stride === 1) {
      const [x1, x2] = x.chunk(2, 1);
      out = cat([x1, this.branch2(x2)], 1);
    } else {
      out = cat([this.branch1(x), this.branch2(x)], 1);
    }
    return channelShuffle(out, 2);
  }
}

export class ShuffleNetV2 extends nn.Module {
  conv1: nn.Sequential;
  maxpool = new nn.MaxPool2d(3, { stride: 2, padding: 1 });
  stage2: nn.Sequential;
  stage3: nn.Sequential;
  stage4: nn.Sequential;
  conv5: nn.Sequential;
  fc: nn.Linear;
  constructor(stagesRepeats: readonly number[], stagesOutChannels: readonly number[], o: { numClasses?: number } = {}) {
    super();
    if (stagesRepeats.length !== 3) throw new ValueError("expected stages_repeats as list of 3 positive ints");
    if (stagesOutChannels.length !== 5) throw new ValueError("expected stages_out_channels as list of 5 positive ints");
    let input = 3;
    let output = stagesOutChannels[0];
    this.conv1 = new nn.Sequential(
      new nn.Conv2d(input, output, 3, { stride: 2, padding: 1, bias: false }),
      new nn.BatchNorm2d(output),
      new nn.ReLU(true),
    );
    input = output;
    const stages: nn.Sequential[] = [];
    for (let s = 0; s < 3; s++) {
      output = stagesOutChannels[s + 1];
      const seq: nn.Module[] = [new ShuffleUnit(input, output, 2)];
      for (let i = 0; i < stagesRepeats[s] - 1; i++) seq.push(new ShuffleUnit(output, output, 1));
      stages.push(new nn.Sequential(...seq));
      input = output;
    }
    [this.stage2, this.stage3, this.stage4] = stages;
    output = stagesOutChannels[4];
    this.conv5 = new nn.Sequential(
      new nn.Conv2d(input, output, 1, { bias: false }),
      new nn.BatchNorm2d(output),
      new nn.ReLU(true),
    );
    this.fc = new nn.Linear(output, o.numClasses ?? 1000);
  }
  forward(x: Tensor): Tensor {
    x = this.stage4(this.stage3(this.stage2(this.maxpool(this.conv1(x)))));
    return this.fc(this.conv5(x).mean([2, 3]));
  }
}

type Args = [] | [ModelOptions & { numClasses?: number }];
function shufflenet(name: string, e: WeightsEnum, out: number[], args: unknown[]): ShuffleNetV2 {
  const o = modelOptions<{ numClasses?: number }>(name, args, e, ["numClasses"]);
  return loadWeights(new ShuffleNetV2([4, 8, 4], out, o.options), o);
}
const none = {} as WeightsEnum;
export const shufflenetV2X0_5 = (...args: Args): ShuffleNetV2 =>
  shufflenet("shufflenet_v2_x0_5", none, [24, 48, 96, 192, 1024], args);
export const shufflenetV2X1_0 = (...args: Args): ShuffleNetV2 =>
  shufflenet("shufflenet_v2_x1_0", ShuffleNet_V2_X1_0_Weights, [24, 116, 232, 464, 1024], args);
export const shufflenetV2X1_5 = (...args: Args): ShuffleNetV2 =>
  shufflenet("shufflenet_v2_x1_5", none, [24, 176, 352, 704, 1024], args);
export const shufflenetV2X2_0 = (...args: Args): ShuffleNetV2 =>
  shufflenet("shufflenet_v2_x2_0", none, [24, 244, 488, 976, 2048], args);
