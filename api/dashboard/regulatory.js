// The dashboard's Regulatory section: for a chosen half-year (and the dashboard's department), buttons
// that download each regulator's report as CSV or JSON, and the regulatory deadlines missed as a table,
// each linking to that complaint's printable evidence. Loads once the dashboard has (dashboard.js tells
// it with a `dashboard:loaded` event naming the department).
'use strict';

(function () {
  const { api, el, label, token, ApiFailure, explain, showMessage } = window.Dash;
  const $ = (id) => document.getElementById(id);
  const section = $('regulatory');
  const halfSelect = $('regulatory-half');
  let department = null;
  let loading = 0;

  /** The running half-year and the five before it, newest first: 2026-H2, 2026-H1, 2025-H2 … */
  function halves(now = new Date()) {
    let year = now.getFullYear();
    let half = now.getMonth() < 6 ? 1 : 2;
    const out = [];
    for (let i = 0; i < 6; i++) {
      out.push(`${year}-H${half}`);
      if (half === 2) half = 1;
      else { half = 2; year--; }
    }
    return out;
  }
  const wanted = new URLSearchParams(location.search).get('half');
  const choices = halves();
  if (wanted && /^20\d{2}-H[12]$/.test(wanted) && !choices.includes(wanted)) choices.push(wanted);
  halfSelect.replaceChildren(...choices.map((h) => el('option', { value: h, text: `${h} (${h.endsWith('H1') ? 'January–June' : 'July–December'} ${h.slice(0, 4)})` })));
  if (wanted && choices.includes(wanted)) halfSelect.value = wanted;

  function query(format) {
    const q = new URLSearchParams({ half: halfSelect.value });
    if (department) q.set('department', department);
    if (format) q.set('format', format);
    return q;
  }

  document.addEventListener('dashboard:loaded', (event) => {
    department = event.detail && event.detail.department ? event.detail.department : null;
    void loadBreaches();
  });
  document.addEventListener('dashboard:signed-out', () => {
    $('breaches-body').replaceChildren();
    delete section.dataset.loaded;
  });
  halfSelect.addEventListener('change', () => {
    const q = new URLSearchParams(location.search);
    q.set('half', halfSelect.value);
    history.replaceState(null, '', `${location.pathname}?${q}`);
    void loadBreaches();
  });
  section.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-report]');
    if (button) void download(button.dataset.report, button.dataset.format, button);
  });

  async function loadBreaches() {
    const mine = ++loading;
    delete section.dataset.loaded;
    try {
      const report = await api(`/reports/regulatory/breaches?${query()}`);
      if (mine !== loading) return;
      drawBreaches(report.rows || []);
      section.dataset.loaded = 'true';
    } catch (err) {
      if (mine === loading) showMessage(explain(err));
    }
  }

  /** Fetches the report with the token (or the session cookie) and hands it to the browser as a file. */
  async function download(report, format, button) {
    button.disabled = true;
    try {
      const t = token();
      const res = await fetch(`/reports/regulatory/${report}?${query(format)}`, {
        headers: t ? { Authorization: `Bearer ${t}` } : {}, credentials: 'same-origin', cache: 'no-store',
      });
      if (!res.ok) {
        const body = await res.json().catch(() => null);
        const e = body && body.error ? body.error : {};
        throw new ApiFailure(res.status, e.code || 'error', e.message || `${res.status} ${res.statusText}`);
      }
      const named = /filename="?([^";]+)"?/.exec(res.headers.get('content-disposition') || '');
      const name = named ? named[1] : `${report}_${halfSelect.value}.${format}`;
      const url = URL.createObjectURL(await res.blob());
      const link = el('a', { href: url, download: name, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      showMessage(explain(err));
    } finally {
      button.disabled = false;
    }
  }

  /** "3 d 4 h" late. */
  function late(seconds) {
    const d = Math.floor(seconds / 86400);
    const h = Math.floor((seconds % 86400) / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    return [d && `${d} d`, h && `${h} h`, !d && m && `${m} min`].filter(Boolean).join(' ') || 'under a minute';
  }

  function drawBreaches(rows) {
    $('breaches-count').textContent = rows.length ? String(rows.length) : '';
    $('breaches-empty').hidden = rows.length > 0;
    $('breaches-table').hidden = rows.length === 0;
    $('breaches-body').replaceChildren(...rows.map((r) => el('tr', { dataset: { reference: r.reference, clock: r.clock } },
      el('td', {}, el('a', { href: `/dashboard/complaints/${encodeURIComponent(r.complaintId)}/regulatory-evidence`, text: r.reference })),
      el('td', { text: r.regulation }),
      el('td', { text: label(r.clock) }),
      el('td', { text: r.citation || '—' }),
      el('td', { text: window.Dash.dateTime(r.dueAt) }),
      el('td', {}, r.metAt ? window.Dash.dateTime(r.metAt) : el('span', { className: 'pill breached', text: 'not met' })),
      el('td', { className: 'num', text: late(r.lateSeconds) }))));
  }
})();
