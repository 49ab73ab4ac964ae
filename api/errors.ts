import type { ErrorRequestHandler, Response } from 'express';
import type { ZodError } from 'zod';
import { log } from '../lib/log';

// Every refusal has one JSON shape: { error: { code, message, fields? } }.

export class ApiError extends Error {
  constructor(public status: number, public code: string, message: string, public fields?: Record<string, string>) {
    super(message);
  }
}

export function validationError(err: ZodError): ApiError {
  const fields: Record<string, string> = {};
  for (const issue of err.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) fields[[...issue.path, k].join('.')] ??= 'is not a known field';
      continue;
    }
    const key = issue.path.length ? issue.path.join('.') : 'body';
    fields[key] ??= issue.message;
  }
  const message = Object.entries(fields).map(([k, v]) => `${k}: ${v}`).join('; ');
  return new ApiError(400, 'validation_failed', message, fields);
}

export function sendError(res: Response, err: ApiError) {
  res.locals.errorCode = err.code;
  res.status(err.status).json({ error: { code: err.code, message: err.message, ...(err.fields && { fields: err.fields }) } });
}

export const errorHandler: ErrorRequestHandler = (err, _req, res, _next) => {
  if (res.headersSent) return void res.end(); // the answer has gone: nothing more can be said
  if (err instanceof ApiError) return sendError(res, err);
  // body-parser's own errors: malformed JSON, too large, wrong charset
  if (err?.type === 'entity.parse.failed') {
    // Strict parsing refuses a bare null, string or number the same way as broken JSON.
    const notAnObject = typeof err.body === 'string' && !/^\s*[{[]/.test(err.body);
    return sendError(res, notAnObject
      ? new ApiError(400, 'invalid_json', 'body: must be a JSON object', { body: 'must be a JSON object' })
      : new ApiError(400, 'invalid_json', `body: not valid JSON (${err.message})`, { body: 'not valid JSON' }));
  }
  // A unique key taken by a request that raced this one (a check before the insert cannot see it).
  if (err?.code === 'P2002') {
    const fields = [err.meta?.target ?? err.meta?.driverAdapterError?.cause?.constraint?.fields ?? []].flat().map(String);
    return sendError(res, new ApiError(409, 'exists', `${fields.join(', ') || 'record'}: already exists`, Object.fromEntries(fields.map((f) => [f, 'already exists']))));
  }
  if (err?.type === 'entity.too.large') {
    return sendError(res, new ApiError(413, 'body_too_large', `body: larger than the ${err.limit ? `${Math.round(err.limit / 1024)} kB ` : ''}limit`, { body: 'too large' }));
  }
  if (typeof err?.status === 'number' && err.status >= 400 && err.status < 500) {
    return sendError(res, new ApiError(err.status, err.type ?? 'bad_request', `body: ${err.message}`, { body: err.message }));
  }
  log('error', 'unhandled error', { requestId: _req.requestId, error: err instanceof Error ? err.stack : String(err) });
  sendError(res, new ApiError(500, 'internal', 'Something went wrong on our side; nothing was changed by this request.'));
};
