// The HTTP routes: TensorFlow Serving's REST API (status, metadata, :predict), the image verbs (image-routes.ts),
// the web page's assets and its model list, the bearer-token check, body limits and request deadlines.
// Errors are `{"error": "..."}`: 4xx for what the client sent, 503 for overload or a deadline, 500 for faults.

import { createHash, timingSafeEqual } from 'node:crypto';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { OverloadError } from './batcher.js';
import { HttpError } from './http-error.js';
import { classifyImage, gradCamOverlay } from './image-routes.js';
import { readJsonBody } from './request-body.js';
import { parsePredictRequest, predictResponse } from './request-tensors.js';
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
  /** Batch sizes formed and event-loop delay so far (GET /api/stats; the load benchmark reads it). */
  stats: () => unknown;
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
    if (verb === 'classify-image') return classifyImage(c, model, settings.requestTimeoutMs);
    if (verb === 'gradcam') return gradCamOverlay(c, model, settings.requestTimeoutMs);
    throw new HttpError(404, `unknown verb ':${verb}'. Expected ':predict', ':classify-image' or ':gradcam'.`);
  };
  app.post('/v1/models/:spec', (c) => post(c, ...splitVerb(c.req.param('spec')), undefined));
  app.post('/v1/models/:name/versions/:spec', (c) => {
    const [version, verb] = splitVerb(c.req.param('spec'));
    return post(c, c.req.param('name'), verb, version);
  });

  const predict = async (c: Context, model: ServedModel): Promise<Response> => {
    const request = parsePredictRequest(await readJsonBody(c), model.signature);
    const out = await model.predictRows(request.rows, settings.requestTimeoutMs);
    const shape = [request.rows.length, ...(model.signature.outputShape.slice(1) as number[])];
    return c.body(predictResponse(request.format, out, shape), 200, { 'Content-Type': 'application/json' });
  };

  app.get('/api/models', (c) => c.json({ models: [...settings.models.values()].map((m) => m.describeForPage()) }));
  app.get('/api/stats', (c) => c.json(settings.stats()));
  if (settings.web) settings.web.mount(app);
  return app;
}
