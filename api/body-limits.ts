import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import express, { type RequestHandler } from 'express';
import { ApiError } from './errors';

// What a request body may be, checked before anything reads it: well-formed UTF-8, at most
// MAX_DEPTH levels of nesting (a 60 kB body 10,000 levels deep once overflowed the stack of whatever
// walked it), no text PostgreSQL cannot store, and its parser's size limit.

export const MAX_DEPTH = 32;

/** A NUL (PostgreSQL stores no such character) or half a UTF-16 surrogate pair (no character at all). */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** What is wrong with a parsed body, walked without recursion: nested too deeply, or text that is no text. */
export function bodyProblem(value: unknown): ApiError | undefined {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (typeof v === 'string') {
      if (UNSTORABLE.test(v)) return unstorable();
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (d > MAX_DEPTH) return tooDeep();
    for (const [k, child] of Object.entries(v)) {
      if (UNSTORABLE.test(k)) return unstorable();
      stack.push([child, d + 1]);
    }
  }
  return undefined;
}

/** For body-parser's `verify`: bytes that are not UTF-8 are refused, not turned into replacement characters. */
export function utf8Only(_req: IncomingMessage, _res: unknown, buf: Buffer) {
  if (!isUtf8(buf)) throw new ApiError(400, 'invalid_encoding', 'body: is not valid UTF-8', { body: 'is not valid UTF-8' });
}

const tooDeep = () => new ApiError(400, 'too_deep', `body: nested deeper than ${MAX_DEPTH} levels`, { body: `nested deeper than ${MAX_DEPTH} levels` });
const unstorable = () => new ApiError(400, 'invalid_text', 'body: contains a NUL character or half a surrogate pair, which is no text', { body: 'contains characters that are no text' });

/** Refuses a parsed body nested too deeply or carrying text that is no text. */
export const depthLimit: RequestHandler = (req, _res, next) => {
  next(req.body !== undefined ? bodyProblem(req.body) : undefined);
};

/** The same for the path and the query string: no NUL, no half surrogate, no broken %-encoding. */
export const textOnlyUrl: RequestHandler = (req, _res, next) => {
  let path: string;
  try { path = decodeURIComponent(req.path); } catch { return next(new ApiError(400, 'invalid_path', 'path: broken %-encoding', { path: 'broken %-encoding' })); }
  if (UNSTORABLE.test(path)) return next(new ApiError(400, 'invalid_path', 'path: contains characters that are no text', { path: 'contains characters that are no text' }));
  const problem = bodyProblem(req.query);
  next(problem && new ApiError(400, 'invalid_query', 'query: contains characters that are no text, or is nested too deeply', { query: problem.fields!.body }));
};

/** express.json with the limits above. */
export const jsonBody = (limit: string) => [express.json({ limit, verify: utf8Only }), depthLimit];
/** A browser form's body with the limits above. */
export const formBody = (limit: string) => [express.urlencoded({ extended: false, limit, verify: utf8Only }), depthLimit];
