// What both dashboard pages share: the stored token, calls to the API, messages, DOM building and
// formatting. Data only ever reaches the page as text (textContent), never as markup.
'use strict';

(function () {
  const TOKEN_KEY = 'complaint-dashboard.token';

  /** A refusal or failure of an API call, with the HTTP status (0: the API could not be reached). */
  class ApiFailure extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  function token() {
    try { return sessionStorage.getItem(TOKEN_KEY); } catch { return null; }
  }
  function setToken(value) { sessionStorage.setItem(TOKEN_KEY, value); }
  function clearToken() { try { sessionStorage.removeItem(TOKEN_KEY); } catch { /* storage unavailable */ } }

  /** Signed in through the console (a session cookie) rather than with a pasted token. */
  let session = null;

  /** GET `path` (same origin) with the stored token or the console's session cookie; the parsed JSON, or an ApiFailure. */
  async function api(path) {
    const t = token();
    if (!t && !session) throw new ApiFailure(401, 'unauthenticated', 'You are not signed in.');
    let res;
    try {
      const headers = t ? { Authorization: `Bearer ${t}`, Accept: 'application/json' } : { Accept: 'application/json' };
      res = await fetch(path, { headers, cache: 'no-store', credentials: 'same-origin' });
    } catch (err) {
      throw new ApiFailure(0, 'network', `The API could not be reached (${err && err.message ? err.message : err}).`);
    }
    let body = null;
    try { body = await res.json(); } catch { body = null; }
    if (!res.ok) {
      const e = body && body.error ? body.error : {};
      throw new ApiFailure(res.status, e.code || 'error', e.message || `${res.status} ${res.statusText}`);
    }
    return body;
  }

  /** What a person should read for a failure. */
  function explain(err) {
    if (!(err instanceof ApiFailure)) return `Something went wrong in this page: ${err && err.message ? err.message : err}`;
    if (err.status === 401) {
      return err.code === 'unauthenticated' && !token()
        ? 'Please sign in with your API token.'
        : `Sign-in failed (401): this token is not valid — it may be mistyped, expired or revoked. Ask an admin for a new one. (${err.message})`;
    }
    if (err.status === 403) {
      return `Not allowed (403): ${err.message.replace(/\.$/, '')}. The dashboard is for managers (their own department), senior managers and admins (every department).`;
    }
    if (err.status === 404) return `Not found (404): ${err.message}`;
    if (err.status === 0) return err.message;
    return `The API answered ${err.status}: ${err.message}`;
  }

  const messageBox = () => document.getElementById('message');
  function showMessage(text, kind = 'error') {
    const box = messageBox();
    box.textContent = text;
    box.className = `message ${kind}`;
    box.hidden = false;
  }
  function clearMessage() {
    const box = messageBox();
    box.textContent = '';
    box.hidden = true;
  }

  /**
   * An element: `el('td', { className: 'num', text: '12' }, child, …)`. Properties are set as DOM
   * properties (text → textContent), children are nodes or strings (added as text).
   */
  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === null) continue;
      if (key === 'text') node.textContent = String(value);
      else if (key === 'dataset') Object.assign(node.dataset, value);
      else if (key === 'attrs') for (const [a, v] of Object.entries(value)) node.setAttribute(a, String(v));
      else node[key] = value;
    }
    for (const child of children) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /** Wires the sign-in form, the "signed in" bar and its sign-out button; `onSignedIn` runs with a token stored. */
  function setupSession({ onSignedIn, onSignedOut }) {
    const signIn = document.getElementById('sign-in');
    const form = document.getElementById('sign-in-form');
    const input = document.getElementById('token');
    const who = document.getElementById('who');
    const signOut = document.getElementById('sign-out');

    const showSignedOut = () => {
      signIn.hidden = false;
      who.hidden = true;
      onSignedOut();
      input.focus();
    };
    const showSignedIn = () => {
      signIn.hidden = true;
      who.hidden = false;
      onSignedIn();
    };
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const value = input.value.trim().replace(/^Bearer\s+/i, '');
      if (!value) return showMessage('Paste your API token first.');
      setToken(value);
      input.value = '';
      clearMessage();
      showSignedIn();
    });
    signOut.addEventListener('click', async () => {
      if (session) {
        // Signed in through the console: the session ends on the server.
        await fetch('/session', { method: 'DELETE', headers: { 'X-CSRF-Token': session.csrfToken }, credentials: 'same-origin' }).catch(() => undefined);
        location.assign('/console/sign-in?signedOut=1');
        return;
      }
      clearToken();
      clearMessage();
      showSignedOut();
      showMessage('You are signed out. The token was removed from this browser tab.', 'info');
    });
    if (token()) showSignedIn();
    else {
      // A console session (cookie) signs the dashboard in too.
      fetch('/session', { headers: { Accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' })
        .then((r) => (r.ok ? r.json() : null), () => null)
        .then((s) => {
          if (!s || !s.staff) return showSignedOut();
          session = s;
          const text = who.querySelector('span');
          if (text) text.textContent = `Signed in as ${s.staff.name}`;
          showSignedIn();
        });
    }
    return {
      /** A 401 ends the session: the token is dropped and the form shown again, with the message. */
      fail(err) {
        const text = explain(err);
        if (err instanceof ApiFailure && err.status === 401) {
          session = null;
          clearToken();
          showSignedOut();
        }
        showMessage(text);
      },
    };
  }

  // ---- formatting ------------------------------------------------------------------------------

  const LABELS = {
    senior_manager: 'Senior manager', waiting_on_customer: 'Waiting on customer', resolution_proposed: 'Resolution proposed',
    firstResponse: 'First response', sla_breached: 'Deadline breached', sla_warning: 'Deadline warning',
    root_cause_recorded: 'Root cause recorded', in_person: 'In person', social_media: 'Social media',
    idr_response: 'IDR response', asic_idr_delay: 'ASIC IDR delay notification', fca_eight_week: 'FCA eight-week letter',
    psd_holding_reply: 'Payment services holding reply', fca_summary_resolution: 'FCA summary resolution letter',
  };
  /** A code as words: `manufacturing_defect` → `Manufacturing defect`. */
  function label(code) {
    if (code === null || code === undefined || code === '') return '—';
    const s = String(code);
    if (LABELS[s]) return LABELS[s];
    const words = s.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase();
    return words.charAt(0).toUpperCase() + words.slice(1);
  }

  const percent = (share, digits = 1) =>
    share === null || share === undefined ? '—' : `${(share * 100).toFixed(digits).replace(/\.0+$/, '')}%`;

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return '—';
    const s = Number(seconds);
    if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0).replace(/\.0$/, '')} s`;
    if (s < 3600) return `${(s / 60).toFixed(s < 600 ? 1 : 0).replace(/\.0$/, '')} min`;
    if (s < 86400) return `${(s / 3600).toFixed(1).replace(/\.0$/, '')} h`;
    return `${(s / 86400).toFixed(1).replace(/\.0$/, '')} d`;
  }

  const pad = (n) => String(n).padStart(2, '0');
  /** An instant in the browser's time zone: 2026-11-24 15:04. */
  function dateTime(iso) {
    if (!iso) return '—';
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return String(iso);
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  }
  /** The UTC calendar day of an instant: YYYY-MM-DD. */
  const utcDay = (d) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;

  /** "in 3 h" / "2 d ago" from now. */
  function relative(iso) {
    if (!iso) return '';
    const diff = (new Date(iso).getTime() - Date.now()) / 1000;
    return diff >= 0 ? `in ${duration(diff)}` : `${duration(-diff)} ago`;
  }

  /**
   * A page about one complaint, /dashboard/complaints/<id>…: once signed in it shows "Loading…", runs
   * request(id), hands the result to render and shows the content; a failure goes to the session (which
   * signs out on a 401 and explains anything else). `pattern` takes the complaint's id from the address.
   */
  function complaintPage({ pattern, content, loading, request, render }) {
    const match = pattern.exec(location.pathname);
    const id = match ? match[1] : null;
    const status = document.getElementById('status');
    const session = setupSession({
      onSignedIn() { void load(); },
      onSignedOut() { content.hidden = true; },
    });
    async function load() {
      if (!id) return showMessage('This address names no complaint.');
      status.textContent = loading;
      status.hidden = false;
      try {
        const result = await request(id);
        clearMessage();
        render(result);
        content.hidden = false;
        content.dataset.loaded = 'true';
      } catch (err) {
        content.hidden = true;
        session.fail(err);
      } finally {
        status.hidden = true;
      }
    }
    return id;
  }

  window.Dash = { ApiFailure, token, api, explain, showMessage, clearMessage, el, setupSession, complaintPage, label, percent, duration, dateTime, utcDay, relative };
})();
