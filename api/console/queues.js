// The console's landing page: the signed-in person's work queues (GET /complaints?queue=…, which the
// API defines) and a search with the API's filters. Pages follow the API's cursors; deadlines count down live.
'use strict';

(function () {
  const { el, label } = window.Dash;
  const $ = (id) => document.getElementById(id);
  const ABOUT = {
    mine: 'Open complaints you own.',
    triage: 'Complaints waiting for triage in your department, and those not yet given a department.',
    at_risk: 'Open complaints past the warning point of a deadline, or already breached.',
    waiting: 'Complaints waiting for the customer to answer a question (their clocks are paused).',
    sign_off: 'Proposed resolutions you may sign off: your role suffices for their severity and you did not propose them.',
    search: 'Every complaint you may see, filtered.',
  };
  let current = 'mine';
  let cursor = null;
  let refresh = null;

  function chosen() {
    const q = new URLSearchParams(location.hash.slice(1)).get('queue');
    return q && ABOUT[q] ? q : null;
  }

  function query(extra) {
    const p = new URLSearchParams();
    if (current === 'search') {
      for (const [k, v] of new FormData($('search'))) if (v) p.set(k, String(v));
    } else {
      p.set('queue', current);
      p.set('sort', 'createdAt');
    }
    p.set('limit', '25');
    if (extra) p.set('cursor', extra);
    return `/complaints?${p}`;
  }

  function row(c) {
    const deadline = c.nextDeadline
      ? window.Con.countdown(c.nextDeadline.dueAt, c.nextDeadline.warnAt, { breached: c.breached })
      : el('span', { className: 'status', text: c.breached ? 'breached' : '—' });
    return el('tr', { dataset: { reference: c.reference, atRisk: String(c.atRisk), breached: String(c.breached) }, className: c.breached ? 'breached-row' : '' },
      el('td', {}, el('a', { href: `/console/complaints/${c.id}`, text: c.reference })),
      el('td', { text: c.customerName }),
      el('td', {}, c.severity ? el('span', { className: `pill ${c.severity}`, text: label(c.severity) }) : el('span', { className: 'status', text: 'not triaged' })),
      el('td', { text: label(c.stage) }),
      el('td', { text: c.ownerName || '—' }),
      el('td', {}, deadline, c.nextDeadline ? el('span', { className: 'clock-name', text: ` ${label(c.nextDeadline.clock)}` }) : null),
      el('td', {}, c.escalationLevel ? el('span', { className: 'pill breached escalation', text: window.Con.escalation(c.escalationLevel) }) : el('span', { className: 'status', text: 'none' })));
  }

  async function load(append = false) {
    const body = $('queue-body');
    try {
      const page = await window.Con.get(query(append ? cursor : null));
      if (!append) body.replaceChildren();
      body.append(...page.items.map(row));
      cursor = page.nextCursor;
      $('more').hidden = !cursor;
      const n = body.children.length;
      $('queue-empty').hidden = n > 0;
      $('queue-count').textContent = `${n}${cursor ? '+' : ''} complaint${n === 1 ? '' : 's'}`;
      $('queue').dataset.loaded = current;
      window.Con.tick();
    } catch (err) {
      if (err.status !== 401) window.Con.showMessage(err.message);
    }
  }

  function choose(queue, { push = true } = {}) {
    current = queue;
    for (const tab of document.querySelectorAll('[role=tab]')) {
      const on = tab.dataset.queue === queue;
      tab.setAttribute('aria-selected', String(on));
      tab.tabIndex = on ? 0 : -1;
    }
    $('search').hidden = queue !== 'search';
    $('queue-title').firstChild.textContent = `${document.getElementById(`tab-${queue}`).textContent} `;
    $('queue-about').textContent = ABOUT[queue];
    if (push) history.replaceState(null, '', `#queue=${queue}`);
    cursor = null;
    void load();
  }

  async function fillSearch() {
    const [lists, departments] = await Promise.all([window.Con.get('/lists'), window.Con.get('/departments')]);
    const add = (id, values) => $(id).append(...values.map(([v, t]) => el('option', { value: v, text: t })));
    add('stage', ['received', 'triage', 'investigation', 'waiting_on_customer', 'resolution_proposed', 'resolved', 'survey', 'closed'].map((s) => [s, label(s)]));
    add('severity', lists.severities.map((s) => [s, label(s)]));
    add('channel', lists.channels.map((s) => [s, label(s)]));
    add('department', departments.map((d) => [d.code, d.name]));
  }

  window.Con.start().then(async () => {
    const tabs = [...document.querySelectorAll('[role=tab]')];
    for (const tab of tabs) {
      tab.addEventListener('click', () => choose(tab.dataset.queue));
      tab.addEventListener('keydown', (e) => {
        const i = tabs.indexOf(tab);
        const j = e.key === 'ArrowRight' ? (i + 1) % tabs.length : e.key === 'ArrowLeft' ? (i - 1 + tabs.length) % tabs.length : -1;
        if (j >= 0) { tabs[j].focus(); choose(tabs[j].dataset.queue); }
      });
    }
    $('search').addEventListener('submit', (e) => { e.preventDefault(); cursor = null; void load(); });
    $('more').addEventListener('click', () => load(true));
    await fillSearch().catch((err) => window.Con.showMessage(err.message));
    choose(chosen() || 'mine', { push: false });
    // The lists change as colleagues work: refreshed every 30 s (the countdowns tick every second).
    refresh = setInterval(() => { if (!cursor && !document.hidden) void load(); }, 30_000);
  }, () => undefined);
  void refresh;
})();
