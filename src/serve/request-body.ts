// Reading request bodies: JSON (malformed JSON is a 400 quoting the parser) and a multipart upload's `image` file
// (other content types are a 415). Size limits are enforced before this, by the body-limit middleware.

import type { Context } from 'hono';
import { badRequest, HttpError } from './http-error.js';

export async function readJsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequest(`malformed JSON in the request body: ${(error as Error).message.replace(/\.$/, '')}.`);
  }
}

export function isMultipart(c: Context): boolean {
  return (c.req.header('Content-Type') ?? '').toLowerCase().startsWith('multipart/form-data');
}

/** The bytes of the multipart field `image`, and the form's other text fields. */
export async function readUploadedImage(
  c: Context,
  verb: string,
): Promise<{ bytes: Uint8Array; fields: Record<string, string> }> {
  if (!isMultipart(c)) {
    throw new HttpError(
      415,
      `:${verb} expects multipart/form-data with a file field 'image', received Content-Type ${JSON.stringify(c.req.header('Content-Type') ?? '')}.`,
    );
  }
  let form: Record<string, string | File | (string | File)[]>;
  try {
    form = await c.req.parseBody();
  } catch (error) {
    throw badRequest(`could not read the multipart body: ${(error as Error).message}.`);
  }
  const file = form.image;
  if (!(file instanceof File)) {
    throw badRequest(
      `the multipart field 'image' is missing or not a file. Fields received: ${JSON.stringify(Object.keys(form))}.`,
    );
  }
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(form)) if (typeof value === 'string') fields[key] = value;
  return { bytes: new Uint8Array(await file.arrayBuffer()), fields };
}
