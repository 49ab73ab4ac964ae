// What every console page shares: the session (GET /session, or off to the sign-in page), calls to the
// API with the session's CSRF token, the top bar, and live deadline countdowns. Builds on the
// dashboard's common.js (window.Dash: el, label, dateTime …). Data reaches the page only as text.
'use strict';

(function () {
  const { el } = window.Dash;

  /** A refusal of the API: status, code, message and the fields it names. */
  class Refusal extends Error {
    constructor(status, code, message, fields) {
      super(message);
      this.status = status;
      this.code = code;
      this.fields = fields || {};
    }
  }

  let csrfToken = null;

  /** Calls the API with the session cookie; changes carry X-CSRF-Token. Resolves { status, body, headers }. */
  async function call(method, path, body, { idempotencyKey } = {}) {
    const headers = { Accept: 'application/json' };
    if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken || '';
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
    let res;
    try {
      res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', cache: 'no-store' });
    } catch (err) {
      throw new Refusal(0, 'network', `The service could not be reached (${err && err.message ? err.message : err}). Check the connection and try again.`);
    }
    let parsed = null;
    if (res.status !== 204) { try { parsed = await res.json(); } catch { parsed = null; } }
    if (!res.ok) {
      const e = parsed && parsed.error ? parsed.error : {};
      if (res.status === 401 && !path.startsWith('/session')) toSignIn();
      throw new Refusal(res.status, e.code || 'error', e.message || `${res.status} ${res.statusText}`, e.fields);
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }
  const get = async (path) => (await call('GET', path)).body;

  function toSignIn() {
    const next = location.pathname + location.search + location.hash;
    location.assign(`/console/sign-in?next=${encodeURIComponent(next)}`);
  }

  const REPORT_ROLES = ['manager', 'senior_manager', 'admin'];

  /** The signed-in staff member (or off to the sign-in page), with the top bar filled in. */
  async function start() {
    let session;
    try {
      session = await get('/session');
    } catch (err) {
      showMessage(err.message);
      throw err;
    }
    if (!session.staff) {
      toSignIn();
      throw new Refusal(401, 'unauthenticated', 'Not signed in');
    }
    csrfToken = session.csrfToken;
    const who = session.staff;
    const nav = document.getElementById('nav');
    if (nav) {
      const links = [['/console', 'Work queues'], ['/console/new', 'Register a complaint']];
      if (REPORT_ROLES.includes(who.role)) links.push(['/dashboard', 'Quality dashboard']);
      nav.replaceChildren(...links.map(([href, text]) => el('a', { href, text, attrs: location.pathname === href ? { 'aria-current': 'page' } : {} })));
    }
    const bar = document.getElementById('who');
    if (bar) {
      const out = el('button', { type: 'button', className: 'quiet', id: 'sign-out', text: 'Sign out' });
      out.addEventListener('click', signOut);
      bar.replaceChildren(el('span', { id: 'who-name', text: `${who.name} · ${window.Dash.label(who.role)}${who.department ? ` · ${window.Dash.label(who.department)}` : ''}` }), out);
      bar.hidden = false;
    }
    return who;
  }

  async function signOut() {
    try { await call('DELETE', '/session'); } catch { /* ended already */ }
    location.assign('/console/sign-in?signedOut=1');
  }

  function showMessage(text, kind = 'error') {
    const box = document.getElementById('message');
    if (!box) return;
    box.textContent = text;
    box.className = `message ${kind}`;
    box.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    box.hidden = false;
  }

  // ---- deadlines -------------------------------------------------------------------------------------

  function span(ms) {
    const s = Math.floor(Math.abs(ms) / 1000);
    const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    if (d) return `${d} d ${h} h`;
    if (h) return `${h} h ${m} min`;
    if (m) return `${m} min ${sec} s`;
    return `${sec} s`;
  }

  /** A live countdown to `dueAt`, amber from `warnAt`, red once due. Refreshed every second by tick(). */
  function countdown(dueAt, warnAt, { breached = false } = {}) {
    return el('span', { className: 'countdown', dataset: { due: dueAt, warn: warnAt || '', breached: breached ? 'true' : '' }, attrs: { 'aria-live': 'off' } });
  }
  function tick() {
    const now = Date.now();
    for (const node of document.querySelectorAll('.countdown[data-due]')) {
      const due = Date.parse(node.dataset.due);
      const warn = node.dataset.warn ? Date.parse(node.dataset.warn) : NaN;
      const late = now >= due;
      const state = late || node.dataset.breached ? 'breached' : now >= warn ? 'warning' : 'running';
      node.className = `countdown ${state}`;
      node.dataset.state = state;
      node.textContent = late ? `breached ${span(now - due)} ago` : `${span(due - now)} left`;
      node.title = `Due ${window.Dash.dateTime(node.dataset.due)}${node.dataset.warn ? `; warning from ${window.Dash.dateTime(node.dataset.warn)}` : ''}`;
    }
  }
  setInterval(tick, 1000);

  const LEVELS = ['none', 'supervisor', 'manager', 'senior management'];
  const escalation = (level) => LEVELS[level] || String(level);

  /** A fresh idempotency key: one per form shown, so a second click sends the same action again, once. */
  const newKey = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`);

  /** Shows the API's refusal on a form: the message, and each named field's problem next to it. */
  function showRefusal(form, err) {
    for (const old of form.querySelectorAll('.field-error')) old.remove();
    for (const input of form.querySelectorAll('[aria-invalid]')) { input.removeAttribute('aria-invalid'); input.removeAttribute('aria-describedby'); }
    const box = form.querySelector('.form-message');
    box.textContent = err.status ? `${err.message}` : err.message;
    box.className = 'form-message message error';
    box.hidden = false;
    let first = null;
    for (const [field, problem] of Object.entries(err.fields || {})) {
      const input = form.elements.namedItem(field);
      if (!input || !input.id) continue;
      const note = el('span', { className: 'field-error', id: `${input.id}-error`, text: problem });
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', note.id);
      (input.closest('label') || input).after(note);
      first = first || input;
    }
    (first || box).focus?.();
  }
  function showDone(form, text) {
    for (const old of form.querySelectorAll('.field-error')) old.remove();
    const box = form.querySelector('.form-message');
    box.textContent = text;
    box.className = 'form-message message info';
    box.setAttribute('role', 'status');
    box.hidden = false;
  }

  window.Con = { Refusal, call, get, start, showMessage, countdown, tick, escalation, newKey, showRefusal, showDone, span };
})();
