// The image verbs beside TensorFlow Serving's :predict: `:classify-image` (an uploaded file -> label, class
// probabilities and the top k) and `:gradcam` (an uploaded file, or one JSON instance -> a Grad-CAM overlay PNG,
// the picture the web page lays beside its bars).

import type { Context } from 'hono';
import { badRequest, HttpError } from './http-error.js';
import { isMultipart, readJsonBody, readUploadedImage } from './request-body.js';
import { parsePredictRequest, type RequestRow } from './request-tensors.js';
import type { ServedModel } from './served-model.js';

/** An integer in [min, max] from the query or a form field, else the fallback; anything else is a 400 naming it. */
function intParameter(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    throw badRequest(`'${name}': expected an integer from ${min} to ${max}, received ${JSON.stringify(text)}.`);
  }
  return value;
}

function requireImageClassifier(model: ServedModel, verb: string): number {
  const classes = model.classes;
  if (!model.imageShape || classes === null) {
    throw badRequest(
      `model '${model.name}' takes ${JSON.stringify(model.signature.inputShape)} and returns ${JSON.stringify(model.signature.outputShape)}; :${verb} needs an image model with one score per class.`,
    );
  }
  return classes;
}

export async function classifyImage(c: Context, model: ServedModel, timeoutMs: number): Promise<Response> {
  requireImageClassifier(model, 'classify-image');
  const { bytes, fields } = await readUploadedImage(c, 'classify-image');
  // More than there are classes simply lists them all (the page asks for 5 whatever the model).
  const top = intParameter('top', c.req.query('top') ?? fields.top, 1, 100_000) ?? 5;
  const probabilities = Array.from(await model.predictRows([{ kind: 'image', bytes, where: "field 'image'" }], timeoutMs));
  if (!probabilities.every(Number.isFinite)) {
    throw new HttpError(500, `model '${model.name}' returned a non-finite score (NaN or Infinity) for this image.`);
  }
  const labels = model.labelNames();
  const ranked = probabilities.map((probability, index) => ({ label: labels[index]!, index, probability }));
  ranked.sort((a, b) => b.probability - a.probability || a.index - b.index);
  return c.json({ label: ranked[0]!.label, index: ranked[0]!.index, probabilities, top: ranked.slice(0, top) });
}

export async function gradCamOverlay(c: Context, model: ServedModel, timeoutMs: number): Promise<Response> {
  const classes = requireImageClassifier(model, 'gradcam');
  let row: RequestRow;
  let classText = c.req.query('class');
  if (isMultipart(c)) {
    const { bytes, fields } = await readUploadedImage(c, 'gradcam');
    row = { kind: 'image', bytes, where: "field 'image'" };
    classText ??= fields.class;
  } else {
    const request = parsePredictRequest(await readJsonBody(c), model.signature);
    if (request.rows.length !== 1) {
      throw badRequest(`:gradcam explains one image at a time; received ${request.rows.length} rows.`);
    }
    row = request.rows[0]!;
  }
  const classIndex = intParameter('class', classText, 0, classes - 1);
  const overlay = await model.overlayPng(row, timeoutMs, classIndex);
  return c.body(new Uint8Array(overlay.png), 200, {
    'Content-Type': 'image/png',
    'X-Class-Index': String(overlay.classIndex),
    'X-Layer-Name': overlay.layerName,
  });
}
