// Image bytes (an uploaded file, a {"b64": ...} value) to one model input row, preprocessed as the model expects:
// decoded by sharp (EXIF orientation applied), sized to the model's input, the channels it takes, then scaled.
// Node only. Not here: batching (request-tensors.ts), the web page's own canvas preprocessing (web/app.js).

import { FormatError } from '../errors.js';
import { sharpInput } from '../preprocessing/bmp.js';

/**
 * How image pixels become model inputs:
 * - 'none': stretch to the input size, then `pixel * scale + offset` (default 1/255 and 0, as `convkit predict`);
 * - 'mnist': grayscale, stretch to the input size, pixel / 255;
 * - 'teachable-machine': crop the centre to the input's aspect ratio, resize, pixel / 127.5 - 1 (Teachable Machine).
 */
export type PreprocessName = 'none' | 'mnist' | 'teachable-machine';

export const PREPROCESS_NAMES: readonly PreprocessName[] = ['none', 'mnist', 'teachable-machine'];

export interface ImagePreprocessing {
  preprocess: PreprocessName;
  scale: number;
  offset: number;
}

/** The scale and offset each preprocessing implies (explicit values apply to 'none' only). */
export function preprocessingOf(preprocess: PreprocessName = 'none', scale?: number, offset?: number): ImagePreprocessing {
  if (preprocess === 'teachable-machine') return { preprocess, scale: 1 / 127.5, offset: -1 };
  if (preprocess === 'mnist') return { preprocess, scale: 1 / 255, offset: 0 };
  return { preprocess, scale: scale ?? 1 / 255, offset: offset ?? 0 };
}

/** Images above this many pixels are refused before decoding (a small file can claim a huge canvas). */
export const MAX_IMAGE_PIXELS = 40_000_000;

/**
 * Decodes `bytes` into one (H, W, C) row for a model whose input is [H, W, C]. Throws FormatError (the server
 * answers 400) naming `where` when the bytes are not an image or the image is too large.
 */
export async function imageToInputRow(
  bytes: Uint8Array,
  inputShape: [number, number, number],
  preprocessing: ImagePreprocessing,
  where: string,
): Promise<Float32Array> {
  const [height, width, channels] = inputShape;
  const { default: sharp } = await import('sharp');
  let raw: { data: Buffer; info: { channels: number } };
  try {
    const source = sharpInput(sharp, bytes, where);
    const meta = await source.metadata();
    const pixels = (meta.width ?? 0) * (meta.height ?? 0);
    if (pixels > MAX_IMAGE_PIXELS) {
      throw new FormatError(
        `${where}: the image is ${meta.width}x${meta.height} pixels; at most ${MAX_IMAGE_PIXELS.toLocaleString('en-US')} pixels are accepted. Hint: resize it before sending.`,
      );
    }
    let pipeline = source.rotate();
    pipeline =
      preprocessing.preprocess === 'teachable-machine'
        ? pipeline.resize(width, height, { fit: 'cover', position: 'centre', kernel: 'lanczos3' })
        : pipeline.resize(width, height, { fit: 'fill', kernel: 'linear' });
    pipeline =
      channels === 1 || preprocessing.preprocess === 'mnist'
        ? pipeline.grayscale()
        : channels === 4
          ? pipeline.ensureAlpha()
          : pipeline.removeAlpha();
    raw = await pipeline.raw().toBuffer({ resolveWithObject: true });
  } catch (error) {
    if (error instanceof FormatError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new FormatError(
      `${where}: could not decode the bytes as an image (${reason}). Expected PNG, JPEG, WebP, GIF, TIFF or BMP bytes.`,
    );
  }
  const got = raw.info.channels;
  const row = new Float32Array(height * width * channels);
  const { scale, offset } = preprocessing;
  for (let i = 0, n = height * width; i < n; i++) {
    for (let c = 0; c < channels; c++) row[i * channels + c] = raw.data[i * got + Math.min(c, got - 1)]! * scale + offset;
  }
  return row;
}
