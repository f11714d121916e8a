// An HTTP error with its status, raised while handling a request and answered as TensorFlow Serving does:
// `{"error": "<message>"}`. 4xx for what the client sent, 503 for overload, 5xx otherwise only for real faults.

export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 405 | 408 | 413 | 415 | 500 | 503,
    message: string,
  ) {
    super(message);
  }
}

/** 400 Bad Request: what the client sent does not fit the model or the API. */
export function badRequest(message: string): HttpError {
  return new HttpError(400, message);
}
