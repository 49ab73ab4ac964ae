// One complaint's timeline for the dashboard: /dashboard/complaints/<id> fetches /complaints/<id> and
// /complaints/<id>/timeline with the stored token and lists its facts, deadlines and every step.
'use strict';

(function () {
  const { api, el, label, dateTime, relative } = window.Dash;
  const $ = (id) => document.getElementById(id);
  window.Dash.complaintPage({
    pattern: /^\/dashboard\/complaints\/(\d+)\/?$/,
    content: $('complaint'),
    loading: 'Loading the complaint…',
    request: (complaint) => Promise.all([api(`/complaints/${complaint}`), api(`/complaints/${complaint}/timeline`)]),
    render: ([complaint, timeline]) => render(complaint, timeline),
  });

  function render(c, timeline) {
    const state = c.workflow && c.workflow.state ? c.workflow.state : null;
    document.title = `${c.reference} · Complaint timeline`;
    $('reference').textContent = `${c.reference} — ${c.product}`;
    const flags = [c.flagLegal && 'legal', c.flagSafety && 'safety', c.flagFinancial && 'financial'].filter(Boolean);
    const facts = [
      ['Stage', label(c.stage)],
      ['Outcome', c.outcome ? label(c.outcome) : 'open'],
      ['Severity', c.severity ? label(c.severity) : 'not triaged'],
      ['Priority', label(c.priority)],
      ['Department', c.department ?? '—'],
      ['Category', c.category ? label(c.category) : '—'],
      ['Channel', label(c.channel)],
      ['Flags', flags.length ? flags.join(', ') : 'none'],
      ['Received', dateTime(c.createdAt)],
      ['Acknowledged', dateTime(c.acknowledgedAt)],
      ['Root cause', c.rootCause ? label(c.rootCause) : '—'],
      ['Escalation level', state ? ['none', 'supervisor', 'manager', 'senior management'][state.escalationLevel] ?? String(state.escalationLevel) : '—'],
      ['Reopened', `${c.reopenCount} time${c.reopenCount === 1 ? '' : 's'}`],
      ['Closed', dateTime(c.closedAt)],
    ];
    $('facts').replaceChildren(...facts.map(([k, v]) => el('div', {}, el('dt', { text: k }), el('dd', { text: v }))));
    // Held to a regulator's rules: its deadlines as evidence, on a page to print.
    if (c.regulation) {
      $('facts').append(el('div', {}, el('dt', { text: 'Regulation' }),
        el('dd', {}, `${c.regulation} · `, el('a', { href: `/dashboard/complaints/${encodeURIComponent(c.id)}/regulatory-evidence`, text: 'regulatory evidence' }))));
    }
    drawDeadlines(state);
    drawSteps(timeline);
  }

  function drawDeadlines(state) {
    const body = $('deadlines-body');
    body.replaceChildren();
    const deadlines = state && Array.isArray(state.deadlines) ? state.deadlines : [];
    $('deadlines-empty').hidden = deadlines.length > 0;
    for (const d of deadlines) {
      let text = 'running';
      let cls = 'pill';
      if (d.metAt) text = `met ${dateTime(d.metAt)}`;
      else if (d.breachedAt) { text = `breached ${dateTime(d.breachedAt)}`; cls = 'pill breached'; }
      else if (d.paused) text = 'paused';
      else if (d.warned) { text = 'past warning point'; cls = 'pill warning'; }
      body.append(el('tr', {},
        el('td', { text: `${label(d.clock)}${d.round > 1 ? ` (round ${d.round})` : ''}` }),
        el('td', {}, dateTime(d.dueAt), ' ', el('small', { className: 'status', text: d.metAt ? '' : relative(d.dueAt) })),
        el('td', { text: dateTime(d.warnAt) }),
        el('td', {}, el('span', { className: cls, text })),
        el('td', { className: 'num', text: d.escalationLevel ? (d.escalatedTo || []).map(label).join(', ') || String(d.escalationLevel) : '—' })));
    }
  }

  /** Data fields whose values are codes, shown as words. */
  const CODED = new Set(['clock', 'level', 'channel', 'rootCause', 'resolutionCode', 'remedy', 'category', 'severity', 'outcome', 'stage', 'from', 'to']);

  /** A step's details: its data as "key: value", without the request id. */
  function details(data) {
    if (!data || typeof data !== 'object') return [];
    return Object.entries(data)
      .filter(([k, v]) => k !== 'requestId' && v !== null && v !== undefined && v !== '')
      .map(([k, v]) => {
        let value = v;
        if (typeof v === 'boolean') value = v ? 'yes' : 'no';
        else if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v)) value = dateTime(v);
        else if (typeof v === 'object') value = JSON.stringify(v);
        else if (CODED.has(k)) value = label(v);
        return el('span', { text: `${label(k)}: ${value}` });
      });
  }

  const ALERTS = new Set(['sla_breached', 'escalated', 'reopened']);
  const NOTICES = new Set(['sla_warning', 'customer_info_requested', 'survey_reminder_sent', 'reclassified']);

  function drawSteps(timeline) {
    const list = $('steps');
    list.replaceChildren();
    $('step-count').textContent = `${timeline.length} step${timeline.length === 1 ? '' : 's'}`;
    for (const e of timeline) {
      const actor = e.actor ? `by ${e.actor.name} (${label(e.actor.role)})` : 'by the process';
      const parts = details(e.data);
      list.append(el('li', { className: ALERTS.has(e.type) ? 'alert' : NOTICES.has(e.type) ? 'notice' : '', dataset: { type: e.type } },
        el('div', { className: 'step-head' },
          el('span', { className: 'step-type', text: label(e.type) }),
          el('time', { dateTime: e.at, text: dateTime(e.at) }),
          el('span', { className: 'actor', text: actor })),
        parts.length ? el('p', { className: 'details' }, ...parts) : null));
    }
  }
})();
