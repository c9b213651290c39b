// flint/vision in the browser build (package.json "exports" "browser" condition and "browser"
// map): transforms and the Image type. The datasets (files, downloads) and the file image
// decoders are Node only.
import "../setup.js";
export * as transforms from "./transforms/index.js";
export { type Image, isImage, makeImage } from "./image.js";
