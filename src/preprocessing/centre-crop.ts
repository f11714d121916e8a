// Keras's keep_aspect_ratio / crop_to_aspect_ratio: before resizing, crop the largest centred window with the
// target's aspect ratio, so nothing is stretched and no pixel outside the window leaks into the resize (sharp's
// 'cover' would resize first and crop after, blending the borders in).

import type { Sharp } from 'sharp';

export interface CropWindow {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Keras's window: crop sizes by integer division, offsets rounded down. */
export function centreCropWindow(width: number, height: number, targetWidth: number, targetHeight: number): CropWindow {
  const cropHeight = Math.min(height, Math.floor((width * targetHeight) / targetWidth));
  const cropWidth = Math.min(width, Math.floor((height * targetWidth) / targetHeight));
  return {
    left: Math.floor((width - cropWidth) / 2),
    top: Math.floor((height - cropHeight) / 2),
    width: cropWidth,
    height: cropHeight,
  };
}

/**
 * `pipeline` (already EXIF-rotated with .rotate()) cropped to the centred window of the target's aspect ratio.
 * Reads only the header for the size; EXIF orientations 5-8 swap width and height.
 */
export async function cropToAspect(pipeline: Sharp, targetWidth: number, targetHeight: number): Promise<Sharp> {
  const meta = await pipeline.metadata();
  const swap = (meta.orientation ?? 1) >= 5;
  const width = (swap ? meta.height : meta.width) ?? 0;
  const height = (swap ? meta.width : meta.height) ?? 0;
  const window = centreCropWindow(width, height, targetWidth, targetHeight);
  if (window.width === width && window.height === height) return pipeline;
  return pipeline.extract(window);
}
