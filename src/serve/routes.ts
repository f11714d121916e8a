// The HTTP routes: TensorFlow Serving's REST API (status, metadata, :predict), :classify-image for uploaded
// files, the web page's assets and its model list, the bearer-token check, body limits and request deadlines.
// Errors are `{"error": "..."}`: 4xx for what the client sent, 503 for overload or a deadline, 500 for faults.

import { createHash, timingSafeEqual } from 'node:crypto';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ConvkitError } from '../errors.js';
import { OverloadError } from './batcher.js';
import { badRequest, HttpError } from './http-error.js';
import { imageToInputRow } from './image-input.js';
import { parsePredictRequest, predictResponse, type RequestRow } from './request-tensors.js';
import { MODEL_VERSION, type ServedModel } from './served-model.js';
import type { WebAssets } from './web-assets.js';

export interface AppSettings {
  models: Map<string, ServedModel>;
  token: string | null;
  maxBodyBytes: number;
  requestTimeoutMs: number;
  web: WebAssets | null;
  /** True once shutdown began: new requests get 503 and `Connection: close`. */
  closing: () => boolean;
  /** Where unexpected faults are reported (the CLI: stderr). */
  logError: (message: string) => void;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Constant-time comparison of the bearer token (hashing first makes both sides the same length). */
function tokenMatches(header: string | undefined, expected: Buffer): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return match !== null && timingSafeEqual(digest(match[1]!.trim()), expected);
}

function jsonError(c: Context, status: HttpError['status'], message: string): Response {
  return c.json({ error: message }, status);
}

/** `name:verb` or `name` from the last path segment; the verb is '' for GET routes. */
function splitVerb(segment: string): [string, string] {
  const at = segment.lastIndexOf(':');
  return at < 0 ? [segment, ''] : [segment.slice(0, at), segment.slice(at + 1)];
}

/** Rejects with a 503 when `signal` aborts before `work` settles (the work itself may still finish unseen). */
function beforeDeadline<T>(work: Promise<T>, signal: AbortSignal, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () =>
      reject(new HttpError(503, `the request timed out after ${ms} ms waiting for the model. Hint: retry, or send fewer rows.`));
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export function buildApp(settings: AppSettings): Hono {
  const app = new Hono();
  const expectedToken = settings.token === null ? null : digest(settings.token);

  const modelOf = (name: string, version: string | undefined): ServedModel => {
    const model = settings.models.get(name);
    if (!model || (version !== undefined && version !== MODEL_VERSION)) {
      const request = version === undefined ? `Latest(${name})` : `Specific(${name}, ${version})`;
      const served = [...settings.models.keys()].join(', ');
      throw new HttpError(404, `Servable not found for request: ${request}. Served here: ${served} (version ${MODEL_VERSION}).`);
    }
    return model;
  };

  /** Decodes image rows, stacks all rows, and runs them through the model's batcher before the deadline. */
  const runRows = async (model: ServedModel, rows: RequestRow[]): Promise<Float32Array> => {
    const rowSize = (model.signature.inputShape.slice(1) as number[]).reduce((a, b) => a * b, 1);
    const imageShape = model.imageShape;
    const signal = AbortSignal.timeout(settings.requestTimeoutMs);
    const decoded = await Promise.all(
      rows.map(async (row) => {
        if (row.kind === 'values') return row.data;
        if (!imageShape) {
          throw badRequest(
            `${row.where}: this model's input is ${JSON.stringify(model.signature.inputShape)}, not an image (N, H, W, C); send numbers instead of "b64".`,
          );
        }
        try {
          return await imageToInputRow(row.bytes, imageShape, model.preprocessing, row.where);
        } catch (error) {
          if (error instanceof ConvkitError) throw badRequest(error.message);
          throw error;
        }
      }),
    );
    const x = new Float32Array(rows.length * rowSize);
    decoded.forEach((row, i) => {
      x.set(row, i * rowSize);
    });
    try {
      return await beforeDeadline(model.batcher.submit(x, rows.length, signal), signal, settings.requestTimeoutMs);
    } catch (error) {
      if (error instanceof HttpError || error instanceof OverloadError) throw error;
      if (signal.aborted)
        throw new HttpError(503, `the request timed out after ${settings.requestTimeoutMs} ms waiting for the model.`);
      const reason = error instanceof Error ? error.message : String(error);
      throw new HttpError(500, `model '${model.name}' failed on this input: ${reason}`);
    }
  };

  app.onError((error, c) => {
    if (error instanceof HttpError) return jsonError(c, error.status, error.message);
    if (error instanceof OverloadError) {
      c.header('Retry-After', '1');
      return jsonError(c, 503, error.message);
    }
    settings.logError(
      `unexpected failure on ${c.req.method} ${c.req.path}: ${error instanceof Error ? error.stack : String(error)}`,
    );
    return jsonError(c, 500, `internal error: ${error instanceof Error ? error.message : String(error)}`);
  });
  app.notFound((c) => jsonError(c, 404, `no route ${c.req.method} ${c.req.path}. The API is under /v1/models/<name>.`));

  app.use('*', async (c, next) => {
    if (settings.closing()) {
      c.header('Connection', 'close');
      return jsonError(c, 503, 'the server is shutting down.');
    }
    await next();
  });
  app.use('/v1/*', authorize);
  app.use('/api/*', authorize);
  async function authorize(c: Context, next: () => Promise<void>): Promise<Response | undefined> {
    if (expectedToken && !tokenMatches(c.req.header('Authorization'), expectedToken)) {
      c.header('WWW-Authenticate', 'Bearer');
      return jsonError(c, 401, 'missing or wrong bearer token. Hint: send the header "Authorization: Bearer <token>".');
    }
    await next();
    return undefined;
  }
  app.use(
    '*',
    bodyLimit({
      maxSize: settings.maxBodyBytes,
      // The rest of the body is never read, so the connection cannot carry another request: say so.
      onError: (c) => {
        c.header('Connection', 'close');
        return jsonError(c, 413, `the request body is larger than the limit of ${settings.maxBodyBytes} bytes.`);
      },
    }),
  );

  const status = (c: Context) => c.json(modelOf(c.req.param('name')!, c.req.param('version')).status() as object);
  const metadata = (c: Context) => c.json(modelOf(c.req.param('name')!, c.req.param('version')).metadata() as object);
  app.get('/v1/models/:name', status);
  app.get('/v1/models/:name/versions/:version', status);
  app.get('/v1/models/:name/metadata', metadata);
  app.get('/v1/models/:name/versions/:version/metadata', metadata);

  const post = async (c: Context, name: string, verb: string, version: string | undefined): Promise<Response> => {
    const model = modelOf(name, version);
    if (verb === 'predict') return predict(c, model);
    if (verb === 'classify-image') return classifyImage(c, model);
    throw new HttpError(404, `unknown verb ':${verb}'. Expected ':predict' or ':classify-image'.`);
  };
  app.post('/v1/models/:spec', (c) => post(c, ...splitVerb(c.req.param('spec')), undefined));
  app.post('/v1/models/:name/versions/:spec', (c) => {
    const [version, verb] = splitVerb(c.req.param('spec'));
    return post(c, c.req.param('name'), verb, version);
  });

  const predict = async (c: Context, model: ServedModel): Promise<Response> => {
    const text = await c.req.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      throw badRequest(`malformed JSON in the request body: ${(error as Error).message.replace(/\.$/, '')}.`);
    }
    const request = parsePredictRequest(body, model.signature);
    const out = await runRows(model, request.rows);
    const shape = [request.rows.length, ...(model.signature.outputShape.slice(1) as number[])];
    return c.body(predictResponse(request.format, out, shape), 200, { 'Content-Type': 'application/json' });
  };

  const classifyImage = async (c: Context, model: ServedModel): Promise<Response> => {
    const classes = model.classes;
    if (!model.imageShape || classes === null) {
      throw badRequest(
        `model '${model.name}' takes ${JSON.stringify(model.signature.inputShape)} and returns ${JSON.stringify(model.signature.outputShape)}; :classify-image needs an image model with one score per class.`,
      );
    }
    if (!(c.req.header('Content-Type') ?? '').toLowerCase().startsWith('multipart/form-data')) {
      throw new HttpError(
        415,
        `:classify-image expects multipart/form-data with a file field 'image', received Content-Type ${JSON.stringify(c.req.header('Content-Type') ?? '')}.`,
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
    const topText = c.req.query('top') ?? (typeof form.top === 'string' ? form.top : undefined);
    const top = topText === undefined ? Math.min(5, classes) : Number(topText);
    if (!Number.isInteger(top) || top < 1)
      throw badRequest(`'top': expected a positive integer, received ${JSON.stringify(topText)}.`);
    const rows: RequestRow[] = [{ kind: 'image', bytes: new Uint8Array(await file.arrayBuffer()), where: "field 'image'" }];
    const probabilities = Array.from(await runRows(model, rows));
    if (!probabilities.every(Number.isFinite)) {
      throw new HttpError(500, `model '${model.name}' returned a non-finite score (NaN or Infinity) for this image.`);
    }
    const labels = model.labelNames();
    const ranked = probabilities.map((probability, index) => ({ label: labels[index]!, index, probability }));
    ranked.sort((a, b) => b.probability - a.probability || a.index - b.index);
    return c.json({ label: ranked[0]!.label, index: ranked[0]!.index, probabilities, top: ranked.slice(0, top) });
  };

  app.get('/api/models', (c) => c.json({ models: [...settings.models.values()].map((m) => m.describeForPage()) }));
  app.get('/api/stats', (c) =>
    c.json({
      models: Object.fromEntries(
        [...settings.models.values()].map((m) => [m.name, { batchSizes: Object.fromEntries(m.batcher.batchSizes) }]),
      ),
    }),
  );
  if (settings.web) settings.web.mount(app);
  return app;
}
