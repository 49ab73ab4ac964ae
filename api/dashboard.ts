import path from 'node:path';
import { Router, type Response } from 'express';
import { ApiError } from './errors';

// The quality dashboard for managers: static pages (HTML, JS, CSS) that need no token to load; the
// manager signs in by pasting their API token, which the page keeps in sessionStorage and sends as
// `Authorization: Bearer …` to /reports/summary, /complaints/:id and /complaints/:id/timeline.
//
//   GET /dashboard                      the dashboard (api/dashboard/index.html)
//   GET /dashboard/complaints/:id       one complaint's timeline (api/dashboard/complaint.html)
//   GET /dashboard/complaints/:id/regulatory-evidence
//                                       its regulatory deadlines, a page to print (api/dashboard/evidence.html;
//                                       also signed in by a console session, so agents reach it from the console)
//   GET /dashboard/assets/<file>        its scripts and stylesheet, and Chart.js (chart.umd.js)
//
// Everything is same-origin and in separate files, so helmet's default Content-Security-Policy
// (script-src 'self', script-src-attr 'none') holds. The pages are served by middleware, not by
// routes: they are not API operations, so they are not in the OpenAPI document.

const PAGES = path.join(__dirname, 'dashboard');
/** Chart.js's UMD build (the package's `exports` hide dist/, so found next to its CommonJS entry). */
const CHART_JS = path.dirname(require.resolve('chart.js'));

/** The files under /dashboard/assets/ and where each is. */
const ASSETS: Record<string, { dir: string; file: string }> = {
  'dashboard.js': { dir: PAGES, file: 'dashboard.js' },
  'complaint.js': { dir: PAGES, file: 'complaint.js' },
  'regulatory.js': { dir: PAGES, file: 'regulatory.js' },
  'evidence.js': { dir: PAGES, file: 'evidence.js' },
  'common.js': { dir: PAGES, file: 'common.js' },
  'dashboard.css': { dir: PAGES, file: 'dashboard.css' },
  'chart.umd.js': { dir: CHART_JS, file: 'chart.umd.js' },
  'chart.umd.js.map': { dir: CHART_JS, file: 'chart.umd.js.map' },
};

/** A file, revalidated on every load (small files; a new release is seen at once). */
function send(res: Response, dir: string, file: string) {
  res.set('Cache-Control', 'no-cache');
  res.sendFile(file, { root: dir, dotfiles: 'deny', cacheControl: false });
}

const CONSOLE = path.join(__dirname, 'console');
/** The console's pages: path pattern → file. */
const CONSOLE_PAGES: [RegExp, string][] = [
  [/^\/?$/, 'index.html'],
  [/^\/sign-in\/?$/, 'sign-in.html'],
  [/^\/set-password\/?$/, 'set-password.html'],
  [/^\/new\/?$/, 'new.html'],
  [/^\/complaints\/[1-9]\d{0,9}\/?$/, 'complaint.html'],
];
const CONSOLE_ASSETS = new Set(['console.js', 'queues.js', 'new.js', 'complaint.js', 'sign-in.js', 'set-password.js', 'console.css']);

/**
 * The staff console (api/console/): static pages that sign in with a password (POST /session sets a
 * cookie) and then act only through the API, sending the session's CSRF token with every change. It
 * shares the dashboard's stylesheet; the dashboard is one of its sections.
 *
 *   GET /console                    work queues          GET /console/new              register a complaint
 *   GET /console/complaints/:id     a complaint, with its actions
 *   GET /console/sign-in            sign-in              GET /console/set-password     the emailed link's page
 *   GET /console/assets/<file>      scripts and stylesheet
 */
export function consoleRoutes(): Router {
  const router = Router();
  router.use('/console', (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const page = CONSOLE_PAGES.find(([pattern]) => pattern.test(req.path));
    if (page) return send(res, CONSOLE, page[1]);
    const asset = /^\/assets\/([\w.-]+)$/.exec(req.path);
    if (asset && CONSOLE_ASSETS.has(asset[1])) return send(res, CONSOLE, asset[1]);
    if (asset && (asset[1] === 'dashboard.css' || asset[1] === 'common.js')) return send(res, PAGES, asset[1]); // shared with the dashboard
    next(new ApiError(404, 'not_found', `No console page ${req.originalUrl.split('?')[0]}`));
  });
  return router;
}

export function dashboardRoutes(): Router {
  const router = Router();
  router.use('/dashboard', (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const p = req.path;
    if (p === '/' || p === '/index.html') return send(res, PAGES, 'index.html');
    if (/^\/complaints\/[1-9]\d{0,9}\/?$/.test(p)) return send(res, PAGES, 'complaint.html');
    if (/^\/complaints\/[1-9]\d{0,9}\/regulatory-evidence\/?$/.test(p)) return send(res, PAGES, 'evidence.html');
    const asset = /^\/assets\/([\w.-]+)$/.exec(p);
    if (asset && Object.hasOwn(ASSETS, asset[1])) {
      const { dir, file } = ASSETS[asset[1]];
      return send(res, dir, file);
    }
    // Not a page of the dashboard: a 404 here, rather than the token check's 401 further on.
    next(new ApiError(404, 'not_found', `No dashboard page ${req.originalUrl.split('?')[0]}`));
  });
  return router;
}
