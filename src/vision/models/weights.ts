// torchvision's Weights enums (ResNet18_Weights.IMAGENET1K_V1 …): each entry has the checkpoint's
// URL (downloaded through flint's torch.hub cache), its inference transforms and its meta
// (categories, number of parameters, ImageNet accuracy). The table is generated from torchvision.
import { ValueError } from "../../errors.js";
import { CenterCrop, Compose, Normalize, Resize, ToTensor } from "../transforms/transforms.js";
import { IMAGENET_CATEGORIES } from "./imagenet-categories.js";
import { WEIGHTS_TABLE, type WeightsEntry } from "./weights-table.js";

export interface WeightsMeta {
  categories: readonly string[];
  numParams: number;
  minSize: readonly number[];
  recipe: string | null;
  metrics: { "acc@1": number | null; "acc@5": number | null };
}

/** One pretrained checkpoint: `url`, `transforms()` (torchvision's ImageClassification) and `meta`. */
export class Weights {
  readonly meta: WeightsMeta;
  constructor(
    /** The enum's name, e.g. "ResNet18_Weights". */
    readonly enumName: string,
    /** The entry's name, e.g. "IMAGENET1K_V1". */
    readonly name: string,
    private readonly entry: WeightsEntry,
  ) {
    this.meta = {
      categories: IMAGENET_CATEGORIES,
      numParams: entry.numParams,
      minSize: entry.minSize,
      recipe: entry.recipe,
      metrics: { "acc@1": entry.acc1, "acc@5": entry.acc5 },
    };
  }
  get url(): string {
    return this.entry.url;
  }
  /** Resize(resizeSize) → CenterCrop(cropSize) → ToTensor → Normalize(ImageNet mean, std). */
  transforms(): Compose {
    return new Compose([
      new Resize(this.entry.resizeSize, { interpolation: this.entry.interpolation as "bilinear" }),
      new CenterCrop(this.entry.cropSize),
      new ToTensor(),
      new Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
    ]);
  }
  toString(): string {
    return `${this.enumName}.${this.name}`;
  }
}

/** An enum: its entries by name, plus DEFAULT (the best), as torchvision's WeightsEnum. */
export type WeightsEnum = Readonly<Record<string, Weights>> & { readonly DEFAULT: Weights };

function weightsEnum(enumName: string): WeightsEnum {
  const t = WEIGHTS_TABLE[enumName];
  const out: Record<string, Weights> = {};
  for (const [name, entry] of Object.entries(t.entries)) out[name] = new Weights(enumName, name, entry);
  out.DEFAULT = out[t.default];
  return Object.freeze(out) as WeightsEnum;
}

export const ResNet18_Weights = weightsEnum("ResNet18_Weights");
export const ResNet34_Weights = weightsEnum("ResNet34_Weights");
export const ResNet50_Weights = weightsEnum("ResNet50_Weights");
export const ResNet101_Weights = weightsEnum("ResNet101_Weights");
export const ResNet152_Weights = weightsEnum("ResNet152_Weights");
export const ResNeXt50_32X4D_Weights = weightsEnum("ResNeXt50_32X4D_Weights");
export const Wide_ResNet50_2_Weights = weightsEnum("Wide_ResNet50_2_Weights");
export const VGG11_Weights = weightsEnum("VGG11_Weights");
export const VGG11_BN_Weights = weightsEnum("VGG11_BN_Weights");
export const VGG16_Weights = weightsEnum("VGG16_Weights");
export const VGG16_BN_Weights = weightsEnum("VGG16_BN_Weights");
export const AlexNet_Weights = weightsEnum("AlexNet_Weights");
export const SqueezeNet1_1_Weights = weightsEnum("SqueezeNet1_1_Weights");
export const MobileNet_V2_Weights = weightsEnum("MobileNet_V2_Weights");
export const MobileNet_V3_Small_Weights = weightsEnum("MobileNet_V3_Small_Weights");
export const MobileNet_V3_Large_Weights = weightsEnum("MobileNet_V3_Large_Weights");
export const EfficientNet_B0_Weights = weightsEnum("EfficientNet_B0_Weights");
export const DenseNet121_Weights = weightsEnum("DenseNet121_Weights");
export const ShuffleNet_V2_X1_0_Weights = weightsEnum("ShuffleNet_V2_X1_0_Weights");
export const RegNet_Y_400MF_Weights = weightsEnum("RegNet_Y_400MF_Weights");

/** `weights` as given to a model builder: a Weights, an entry name ("IMAGENET1K_V1", "DEFAULT") or null. */
export function resolveWeights(
  builder: string,
  given: Weights | string | null | undefined,
  e: WeightsEnum | null,
): Weights | null {
  if (given === null || given === undefined) return null;
  if (given instanceof Weights) {
    if (e !== null && !Object.values(e).includes(given))
      throw new ValueError(`${builder}: weights ${given} do not belong to this model`);
    return given;
  }
  const name = given.includes(".") ? given.slice(given.lastIndexOf(".") + 1) : given;
  const w = e?.[name];
  if (w === undefined) {
    throw new ValueError(
      `${builder}: no weights named '${given}'${e !== null ? `; available: ${Object.keys(e).join(", ")}` : " (this model has no pretrained weights)"}`,
    );
  }
  return w;
}
