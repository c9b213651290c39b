// flint/vision: torchvision for Flint.
import "../setup.js";
export * as datasets from "./datasets/index.js";
export * as transforms from "./transforms/index.js";
export * as models from "./models/index.js";
export { type Image, isImage, makeImage } from "./image.js";
export { decodeImage, loadImage, ImageDecodeError } from "./image-io.js";
export { getMaxImagePixels, setMaxImagePixels } from "./image-limits.js";
export * as utils from "./utils.js";
