// A complaint's regulatory evidence, to print: /dashboard/complaints/<id>/regulatory-evidence fetches
// /complaints/<id>/regulatory-evidence with the stored token (or the console's session) and lays out
// each deadline (its rule, when it fell due, and what happened) and the events recorded, in the
// regulator's time zone. The stylesheet's print rules leave out the page's controls.
'use strict';

(function () {
  const { api, el, label } = window.Dash;
  const $ = (id) => document.getElementById(id);
  $('print').addEventListener('click', () => window.print());
  const id = window.Dash.complaintPage({
    pattern: /^\/dashboard\/complaints\/(\d+)\/regulatory-evidence\/?$/,
    content: $('evidence'),
    loading: 'Loading the evidence…',
    request: (complaint) => api(`/complaints/${complaint}/regulatory-evidence`),
    render,
  });
  if (id) $('back').href = `/dashboard/complaints/${id}`;

  /** An instant in the regulator's time zone, with its offset: 2026-09-03 15:00 GMT+1. */
  function inZone(iso, timeZone) {
    if (!iso) return '—';
    const parts = {};
    const format = new Intl.DateTimeFormat('en-GB', {
      timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'shortOffset',
    });
    for (const p of format.formatToParts(new Date(iso))) parts[p.type] = p.value;
    return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${parts.timeZoneName}`;
  }

  /** "3 d 4 h" between two instants. */
  function span(fromIso, toIso) {
    let s = Math.max(0, Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 1000));
    const d = Math.floor(s / 86400);
    s -= d * 86400;
    const h = Math.floor(s / 3600);
    const m = Math.floor((s - h * 3600) / 60);
    return [d && `${d} d`, h && `${h} h`, !d && m && `${m} min`].filter(Boolean).join(' ') || 'under a minute';
  }

  const OUTCOMES = {
    summary_resolution: 'Resolved inside the window (summary resolution)',
    met: 'Met in time',
    met_late: 'Met late',
    breached: 'Breached, not met',
    letter_sent: 'Letter sent, final response pending',
    window_passed: 'Window passed',
    running: 'Running',
  };
  const BAD = new Set(['met_late', 'breached']);
  const NEUTRAL = new Set(['running', 'window_passed']);

  function render(e) {
    const zone = (e.profile && e.profile.timeZone) || 'UTC';
    const at = (iso) => inZone(iso, zone);
    document.title = `${e.reference} · Regulatory evidence`;
    $('title').textContent = `Regulatory evidence — ${e.reference}`;
    const facts = [
      ['Complaint', e.reference],
      ['Received', at(e.receivedAt)],
      ['Regulation', e.profile ? `${e.profile.name} (${e.profile.code})` : 'none'],
      ['Regulator', e.profile ? e.profile.regulator : '—'],
      ['Ombudsman', e.profile ? e.profile.ombudsmanName : '—'],
    ];
    $('facts').replaceChildren(...facts.map(([k, v]) => el('div', {}, el('dt', { text: k }), el('dd', { text: v }))));
    $('no-regulation').hidden = e.regulation !== null;
    $('no-regulation').textContent = e.note || '';
    $('clocks-card').hidden = e.regulation === null;
    $('events-card').hidden = e.regulation === null;
    $('zone').textContent = zone;
    $('as-of').textContent = at(e.asOf);

    $('clocks-body').replaceChildren(...e.clocks.map((c) => {
      const happened = [];
      if (c.letterSentAt) happened.push(`${c.letterKind ? label(c.letterKind) : 'Letter'} sent ${at(c.letterSentAt)}${c.letterDelivery ? ` (${c.letterDelivery})` : ''}`);
      if (c.breachedAt) happened.push(`Breached ${at(c.breachedAt)}`);
      if (c.metAt) happened.push(`Met ${at(c.metAt)}${c.late && c.dueAt ? `, ${span(c.dueAt, c.metAt)} late` : ''}`);
      if (c.summaryResolutionAt) happened.push(`Summary resolution ${at(c.summaryResolutionAt)}`);
      return el('tr', { dataset: { clock: c.clock, outcome: c.outcome } },
        el('th', { scope: 'row', text: label(c.clock) }),
        el('td', { text: c.citation || '—' }),
        el('td', { text: at(c.dueAt) }),
        el('td', { text: c.warnedAt ? at(c.warnedAt) : '—' }),
        el('td', {}, el('span', { className: `mark ${BAD.has(c.outcome) ? 'missed' : NEUTRAL.has(c.outcome) ? 'none' : 'met'}`, text: OUTCOMES[c.outcome] || label(c.outcome) })),
        el('td', {}, ...(happened.length ? happened.flatMap((h, i) => (i ? [el('br'), h] : [h])) : ['—'])));
    }));

    $('event-count').textContent = e.events.length ? `${e.events.length}` : '';
    $('events-body').replaceChildren(...e.events.map((ev) => {
      const details = Object.entries(ev.data || {})
        .filter(([k]) => k !== 'decidedAt' && k !== 'clocks')
        .map(([k, v]) => `${k}: ${typeof v === 'string' && !Number.isNaN(Date.parse(v)) && /T/.test(v) ? at(v) : typeof v === 'object' ? JSON.stringify(v) : v}`);
      if (Array.isArray(ev.data && ev.data.clocks)) details.unshift(`clocks: ${ev.data.clocks.map((c) => label(c.name)).join(', ')}`);
      return el('tr', { dataset: { type: ev.type } },
        el('td', { className: 'num', text: ev.step }),
        el('td', { text: at(ev.at) }),
        el('td', { text: label(ev.type) }),
        el('td', { text: details.join(' · ') || '—' }));
    }));
  }
})();
