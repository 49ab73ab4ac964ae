import type { ErrorRequestHandler, Request, Response } from 'express';
import { log } from '../lib/log';
import { pageLanguage, renderPage } from '../templates/pages';

/**
 * Sends one of the customer's pages (templates/pages/, in their language) with headers that allow no
 * script, no framing and no sniffing, and keep the page's address (a private token) out of caches and
 * referrers. Only the layout's own <style> is allowed, by its hash.
 */
export function sendPage(res: Response, page: string, language: string | null | undefined, values: Record<string, unknown>, opts: { status: number; error?: boolean }) {
  const { html, styleHash } = renderPage(page, pageLanguage(language), values, { error: opts.error });
  res.status(opts.status)
    .set({
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': `default-src 'none'; style-src ${styleHash}; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    })
    .send(html);
}

/**
 * What goes wrong on a page request (an unreadable or too large form, a failure) is answered with a page
 * too: `show` sends it, given the status (a client's 4xx as it was, anything else 500, which is logged).
 * Requests `skip` says are not page requests go on to the JSON error handler.
 */
export function pageErrors(what: string, show: (req: Request, res: Response, status: number) => void, skip: (req: Request) => boolean = () => false): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent || skip(req)) return next(err);
    const status = typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) log('error', `${what} failed`, { requestId: req.requestId, error: err instanceof Error ? err.stack : String(err) });
    show(req, res, status);
  };
}
