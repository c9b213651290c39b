// The image value datasets return when no transform is given: 8-bit pixels in HWC order (as a
// numpy array from a PIL image would be), which transforms.ToTensor turns into a CHW float32
// tensor in [0, 1]. Channels: 1 (grayscale, like PIL mode "L") or 3 (RGB).

/** An 8-bit image, pixels in row-major HWC order: data[(y * width + x) * channels + c]. */
export interface Image {
  width: number;
  height: number;
  channels: number;
  data: Uint8Array;
}

export function isImage(x: unknown): x is Image {
  if (typeof x !== "object" || x === null) return false;
  const im = x as Partial<Image>;
  return (
    typeof im.width === "number" &&
    typeof im.height === "number" &&
    typeof im.channels === "number" &&
    im.data instanceof Uint8Array
  );
}

/** Builds an Image, checking that the buffer holds exactly width*height*channels bytes. */
export function makeImage(width: number, height: number, channels: number, data: Uint8Array): Image {
  if (data.length !== width * height * channels) {
    throw new Error(
      `Image: expected ${width}x${height}x${channels} = ${width * height * channels} bytes, got ${data.length}`,
    );
  }
  return { width, height, channels, data };
}

/** PIL's Image.size order: [width, height]. */
export function imageSize(im: Image): [number, number] {
  return [im.width, im.height];
}
