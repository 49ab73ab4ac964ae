import type { Response } from 'express';
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
