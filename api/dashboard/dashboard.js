// The quality dashboard: signs in with an API token, fetches /reports/summary and draws the target
// table, the trend, Pareto and backlog charts (Chart.js), the complaints at risk and the escalations.
'use strict';

(function () {
  const { api, el, label, percent, duration, dateTime, utcDay, relative } = window.Dash;
  const Chart = window.Chart;

  const $ = (id) => document.getElementById(id);
  const dashboard = $('dashboard');
  const status = $('status');
  const form = $('filters');
  const fromInput = $('from');
  const toInput = $('to');
  const departmentField = $('department-field');
  const departmentSelect = $('department');
  const departmentFixed = $('department-fixed');
  const intervalSelect = $('interval');
  const paretoSelect = $('pareto-scope');

  const COLORS = {
    received: '#2f6fb2', breached: '#d64545', closed: '#2f9e6a', satisfaction: '#7b5cc4', target: '#8a94a6',
    bar: '#4c8bd6', vital: '#2f6fb2', cumulative: '#e08a1e',
    ages: ['#b9d7f2', '#74a9dd', '#3a78bf', '#1d4a80'],
  };

  Chart.defaults.font.family = getComputedStyle(document.documentElement).fontFamily;
  Chart.defaults.color = '#52606d';
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.plugins.legend.labels.boxWidth = 12;

  /** The charts drawn now, by canvas id (destroyed before they are drawn again). */
  const charts = {};
  let summary = null;
  let departmentsLoaded = false;
  let loading = 0;

  const session = window.Dash.setupSession({
    onSignedIn() {
      dashboard.hidden = false;
      readQuery();
      void load();
    },
    onSignedOut() {
      dashboard.hidden = true;
      for (const id of Object.keys(charts)) { charts[id].destroy(); delete charts[id]; }
      summary = null;
      departmentsLoaded = false;
      departmentField.hidden = false; // the next person to sign in may see every department
      departmentFixed.hidden = true;
      delete dashboard.dataset.loaded;
      document.dispatchEvent(new CustomEvent('dashboard:signed-out'));
    },
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    writeQuery();
    void load();
  });
  paretoSelect.addEventListener('change', () => { if (summary) drawPareto(summary.pareto); });

  // ---- the query: the filters, kept in the address so that a reload shows the same view -----------

  function readQuery() {
    const q = new URLSearchParams(location.search);
    if (q.get('from')) fromInput.value = q.get('from');
    if (q.get('to')) toInput.value = q.get('to');
    if (q.get('interval') === 'month') intervalSelect.value = 'month';
    departmentSelect.dataset.wanted = q.get('department') || '';
  }
  function params() {
    const q = new URLSearchParams();
    if (fromInput.value) q.set('from', fromInput.value);
    if (toInput.value) q.set('to', toInput.value);
    const department = departmentField.hidden ? '' : departmentSelect.value || departmentSelect.dataset.wanted || '';
    if (department) q.set('department', department);
    q.set('interval', intervalSelect.value);
    return q;
  }
  function writeQuery() {
    departmentSelect.dataset.wanted = departmentSelect.value;
    history.replaceState(null, '', `${location.pathname}?${params()}`);
  }

  async function loadDepartments() {
    if (departmentsLoaded) return;
    departmentsLoaded = true;
    try {
      const departments = await api('/departments');
      const wanted = departmentSelect.dataset.wanted;
      departmentSelect.replaceChildren(el('option', { value: '', text: 'All departments' }));
      for (const d of departments) departmentSelect.append(el('option', { value: d.code, text: d.name || d.code }));
      if (wanted) departmentSelect.value = wanted;
    } catch {
      departmentsLoaded = false; // the summary's own answer says what is wrong
    }
  }

  async function load() {
    const mine = ++loading;
    delete dashboard.dataset.loaded; // set again once these figures are drawn
    status.textContent = 'Loading the figures…';
    status.hidden = false;
    try {
      const q = params();
      const data = await api(`/reports/summary?${q}`);
      await loadDepartments(); // once the token has proved good: a bad one is refused once, by the summary
      if (mine !== loading) return;
      window.Dash.clearMessage();
      summary = data;
      render(data, q);
      status.hidden = true;
      dashboard.dataset.loaded = 'true';
      // The regulatory section (regulatory.js) follows the same department.
      document.dispatchEvent(new CustomEvent('dashboard:loaded', { detail: { department: q.get('department') } }));
    } catch (err) {
      if (mine !== loading) return;
      status.hidden = true;
      dashboard.hidden = !(summary && err.status !== 401 && err.status !== 403);
      session.fail(err);
    }
  }

  // ---- drawing ----------------------------------------------------------------------------------

  function render(data, q) {
    showRange(data, q);
    drawTargets(data.targets);
    drawTrends(data.trends, data.targets);
    fillParetoScopes(data.pareto);
    drawPareto(data.pareto);
    drawBacklog(data.backlog);
    drawAtRisk(data.atRisk);
    drawEscalations(data.escalations);
  }

  /** The range the figures are for; a manager limited to their department sees it named instead of the choice. */
  function showRange(data, q) {
    const from = data.from ? new Date(data.from) : null;
    const to = data.to ? new Date(data.to) : null;
    // `to` is exclusive: the last day shown is the one before it.
    const lastDay = to ? new Date(to.getTime() - 1) : null;
    if (from && !fromInput.value) fromInput.value = utcDay(from);
    if (lastDay && !toInput.value) toInput.value = utcDay(lastDay);
    $('range').textContent = from && lastDay ? `Received ${utcDay(from)} to ${utcDay(lastDay)} (UTC)` : '';
    const forced = data.filters && data.filters.department;
    if (forced && !q.get('department')) {
      // Asked for every department and got one: the token's owner sees only theirs.
      departmentField.hidden = true;
      departmentFixed.hidden = false;
      $('department-name').textContent = optionText(forced);
    }
  }
  const optionText = (code) => {
    const option = Array.from(departmentSelect.options).find((o) => o.value === code);
    return option ? `${option.textContent} (${code})` : code;
  };

  const TARGET_LABELS = {
    on_time_handling_rate: 'On-time handling (every SLA deadline met)',
    satisfaction_rate: 'Satisfaction (survey answers scoring 4–5)',
    on_time_analysis_rate: 'On-time analysis (root cause within its deadline)',
    effective_resolution_rate: 'Effective resolution (closed, not reopened, solved)',
    complaint_reduction: 'Complaint reduction against the period before',
    survey_response_rate: 'Survey response rate',
    reopen_rate: 'Reopen rate',
    time_to_acknowledge_median: 'Time to acknowledge, median',
    time_to_acknowledge_p90: 'Time to acknowledge, 90th percentile',
    time_to_triage_median: 'Time to triage, median',
    time_to_triage_p90: 'Time to triage, 90th percentile',
    time_to_resolve_median: 'Time to resolve, median',
    time_to_resolve_p90: 'Time to resolve, 90th percentile',
  };

  function drawTargets(report) {
    const body = $('targets-body');
    body.replaceChildren();
    const rows = report.rows || [];
    const withTarget = rows.filter((r) => r.target !== null);
    const others = rows.filter((r) => r.target === null);
    const group = (text) => el('tr', { className: 'group' }, el('td', { colSpan: 5, text }));
    if (withTarget.length) body.append(group('Process targets'));
    for (const r of withTarget) body.append(targetRow(r));
    if (others.length) body.append(group('Other figures'));
    for (const r of others) body.append(targetRow(r));
    const met = withTarget.filter((r) => r.met === true).length;
    const missed = withTarget.filter((r) => r.met === false).length;
    $('targets-summary').textContent = `${met} met, ${missed} missed${withTarget.length - met - missed ? `, ${withTarget.length - met - missed} without data` : ''}`;
  }

  function targetRow(r) {
    const value = r.unit === 'seconds' ? duration(r.value) : percent(r.value);
    const target = r.target === null ? '' : `≥ ${percent(r.target)}`;
    let mark;
    if (r.met === true) mark = el('span', { className: 'mark met', text: '✓ met' });
    else if (r.met === false) mark = el('span', { className: 'mark missed', text: '✗ missed' });
    else mark = el('span', { className: 'mark none', text: r.target === null ? '—' : 'no data' });
    let basis;
    if (r.name === 'complaint_reduction') basis = `${r.count} received, ${r.base ?? 0} in the period before`;
    else if (r.unit === 'seconds') basis = `${r.count} complaint${r.count === 1 ? '' : 's'}`;
    else basis = `${r.count} of ${r.base ?? 0}`;
    return el('tr', { dataset: { name: r.name, met: String(r.met) } },
      el('td', { text: TARGET_LABELS[r.name] || label(r.name) }),
      el('td', { className: 'num', text: value }),
      el('td', { className: 'num', text: target }),
      el('td', {}, mark),
      el('td', { className: 'num', text: basis }));
  }

  /** Replaces the chart on canvas `id`. */
  function draw(id, config) {
    if (charts[id]) charts[id].destroy();
    charts[id] = new Chart($(id), config);
    return charts[id];
  }

  function drawTrends(report, targets) {
    const rows = report.rows || [];
    const per = report.interval === 'month' ? 'month' : 'week';
    $('volume-title').textContent = `Complaints per ${per}`;
    $('satisfaction-title').textContent = `Satisfaction rate per ${per}`;
    const labels = rows.map((r) => r.period);
    const line = (name, key, color, extra = {}) => ({
      label: name, data: rows.map((r) => r[key]), borderColor: color, backgroundColor: color,
      cubicInterpolationMode: 'monotone', pointRadius: 3, borderWidth: 2, clip: false, ...extra,
    });
    draw('chart-volume', {
      type: 'line',
      data: {
        labels,
        datasets: [
          line('Received', 'received', COLORS.received),
          line('Breached', 'breached', COLORS.breached),
          line('Closed', 'closed', COLORS.closed),
          line('Reduction target (most received)', 'receivedTarget', COLORS.target, { borderDash: [5, 4], pointRadius: 0, borderWidth: 1.5, spanGaps: true }),
        ],
      },
      options: {
        interaction: { mode: 'index', intersect: false },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'complaints' } } },
        plugins: { legend: { position: 'bottom' } },
      },
    });

    const target = (targets.rows || []).find((r) => r.name === 'satisfaction_rate');
    const pct = (v) => (v === null || v === undefined ? null : Math.round(v * 1000) / 10);
    const datasets = [{
      label: 'Satisfaction rate', data: rows.map((r) => pct(r.satisfactionRate)),
      borderColor: COLORS.satisfaction, backgroundColor: COLORS.satisfaction, spanGaps: true, cubicInterpolationMode: 'monotone', pointRadius: 4, borderWidth: 2, clip: false,
    }];
    if (target && target.target !== null) {
      datasets.push({
        label: `Target ${percent(target.target)}`, data: rows.map(() => pct(target.target)),
        borderColor: COLORS.target, backgroundColor: COLORS.target, borderDash: [5, 4], pointRadius: 0, borderWidth: 1.5,
      });
    }
    draw('chart-satisfaction', {
      type: 'line',
      data: { labels, datasets },
      options: {
        interaction: { mode: 'index', intersect: false },
        scales: { y: { min: 0, max: 100, ticks: { callback: (v) => `${v}%` } } },
        plugins: {
          legend: { position: 'bottom' },
          tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${c.parsed.y === null ? 'no answers' : `${c.parsed.y}%`}` } },
        },
      },
    });
    const answers = rows.reduce((n, r) => n + (r.answers || 0), 0);
    $('satisfaction-note').textContent = answers ? `${answers} survey answer${answers === 1 ? '' : 's'} in these ${per}s` : `No survey answers in these ${per}s yet`;
  }

  /** The Pareto's choices: overall, and each department and category it has rows for. */
  function fillParetoScopes(report) {
    const current = paretoSelect.value || 'overall|';
    const seen = new Set();
    const options = [el('option', { value: 'overall|', text: 'All complaints' })];
    for (const r of report.rows || []) {
      if (r.scope === 'overall') continue;
      const key = `${r.scope}|${r.group ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      options.push(el('option', { value: key, text: `${label(r.scope)}: ${r.group === null ? 'none' : label(r.group)}` }));
    }
    paretoSelect.replaceChildren(...options);
    paretoSelect.value = seen.has(current) || current === 'overall|' ? current : 'overall|';
  }

  function drawPareto(report) {
    const [scope, group] = paretoSelect.value.split('|');
    const rows = (report.rows || []).filter((r) => r.scope === scope && (scope === 'overall' || (r.group ?? '') === group));
    const total = rows.reduce((n, r) => n + r.count, 0);
    $('pareto-note').textContent = rows.length
      ? `${total} complaint${total === 1 ? '' : 's'} with a root cause; the darker bars are the causes behind the first 80%`
      : 'No root causes recorded for the complaints of this range yet';
    draw('chart-pareto', {
      data: {
        labels: rows.map((r) => label(r.rootCause)),
        datasets: [
          {
            type: 'line', label: 'Cumulative share', data: rows.map((r) => Math.round(r.cumulativeShare * 1000) / 10), yAxisID: 'share',
            borderColor: COLORS.cumulative, backgroundColor: COLORS.cumulative, pointRadius: 3, borderWidth: 2, tension: 0, clip: false,
          },
          {
            type: 'bar', label: 'Complaints', data: rows.map((r) => r.count), yAxisID: 'count',
            backgroundColor: rows.map((r) => (r.vitalFew ? COLORS.vital : '#a9c5e8')), borderRadius: 3,
          },
        ],
      },
      options: {
        interaction: { mode: 'index', intersect: false },
        scales: {
          count: { position: 'left', beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'complaints' } },
          share: { position: 'right', min: 0, max: 100, grid: { drawOnChartArea: false }, ticks: { callback: (v) => `${v}%` } },
        },
        plugins: { legend: { position: 'bottom' } },
      },
    });
  }

  function drawBacklog(report) {
    const rows = report.rows || [];
    const stages = [...new Set(rows.map((r) => r.stage))];
    const buckets = [...new Set(rows.map((r) => r.ageBucket))];
    const count = (stage, bucket) => rows.filter((r) => r.stage === stage && r.ageBucket === bucket).reduce((n, r) => n + r.count, 0);
    const open = rows.reduce((n, r) => n + r.count, 0);
    const atRisk = rows.reduce((n, r) => n + r.atRisk, 0);
    $('backlog-note').textContent = `${open} open, ${atRisk} at risk${report.asOf ? ` · as of ${dateTime(report.asOf)}` : ''}`;
    draw('chart-backlog', {
      type: 'bar',
      data: {
        labels: stages.map(label),
        datasets: buckets.map((bucket, i) => ({
          label: `${bucket} old`, data: stages.map((s) => count(s, bucket)), backgroundColor: COLORS.ages[i % COLORS.ages.length], borderRadius: 2,
        })),
      },
      options: {
        interaction: { mode: 'index', intersect: false },
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'open complaints' } } },
        plugins: {
          legend: { position: 'bottom' },
          tooltip: {
            callbacks: {
              footer: (items) => {
                const stage = stages[items[0].dataIndex];
                const risky = rows.filter((r) => r.stage === stage).reduce((n, r) => n + r.atRisk, 0);
                return `${risky} at risk`;
              },
            },
          },
        },
      },
    });
  }

  function drawAtRisk(report) {
    const rows = report.rows || [];
    const body = $('at-risk-body');
    body.replaceChildren();
    $('at-risk-empty').hidden = rows.length > 0;
    $('at-risk-table').hidden = rows.length === 0;
    $('at-risk-count').textContent = rows.length ? `${rows.length}${report.limit && rows.length >= report.limit ? '+' : ''}` : '';
    for (const r of rows) {
      const link = el('a', { href: `/dashboard/complaints/${encodeURIComponent(r.id)}`, text: r.reference });
      const breached = r.breachedClocks
        ? el('span', { className: 'pill breached', text: `breached: ${r.breachedClocks.split(',').map(label).join(', ')}` })
        : el('span', { className: 'pill warning', text: 'past warning point' });
      const next = r.clock
        ? el('span', {}, `${label(r.clock)} due ${dateTime(r.dueAt)}`, el('br'), el('small', { text: relative(r.dueAt) }))
        : el('span', { text: r.stage === 'waiting_on_customer' ? 'paused (waiting on the customer)' : '—' });
      body.append(el('tr', { dataset: { id: String(r.id), reference: r.reference } },
        el('td', {}, link),
        el('td', {}, breached),
        el('td', { text: label(r.stage) }),
        el('td', {}, r.severity ? el('span', { className: `pill ${r.severity}`, text: label(r.severity) }) : '—'),
        el('td', { text: r.department ?? '—' }),
        el('td', { text: r.category ? label(r.category) : '—' }),
        el('td', {}, next),
        el('td', { text: r.ageBucket })));
    }
  }

  function drawEscalations(report) {
    const body = $('escalations-body');
    body.replaceChildren();
    for (const r of report.rows || []) {
      body.append(el('tr', {},
        el('td', { text: label(r.level) }),
        el('td', { className: 'num', text: r.escalations }),
        el('td', { className: 'num', text: r.complaints }),
        el('td', { className: 'num', text: r.triage }),
        el('td', { className: 'num', text: r.firstResponse }),
        el('td', { className: 'num', text: r.resolution })));
    }
  }
})();
