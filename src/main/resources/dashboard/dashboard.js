// Gantry's live dashboard: polls dashboard/data and draws it with uPlot. No build step, no
// dependencies beyond uPlot (served by Gantry from its webjar), nothing fetched from elsewhere.
(function () {
  'use strict';

  var REFRESH_MS = 2000;
  var HEIGHT = 220;
  var PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];

  // Error kinds keep their colour however many of them are in the window (a closed set).
  var KIND_COLORS = {
    upstream_status: '#dc2626', upstream_unavailable: '#9f1239', upstream_timeout: '#d97706',
    stream_interrupted: '#7c3aed', upstream_malformed: '#db2777', internal: '#111827',
    client_invalid: '#2563eb', model_not_found: '#0891b2', auth: '#4b5563',
    rate_limited: '#16a34a', client_disconnected: '#9ca3af'
  };

  var state = { charts: {}, data: null, updates: 0, timer: null };

  // ---- formatting -------------------------------------------------------------------------
  function num(v, digits) {
    if (v == null || !isFinite(v)) return '–';
    if (v === 0) return '0';
    if (Math.abs(v) >= 100) return Math.round(v).toLocaleString('en-US');
    if (Math.abs(v) >= 10) return v.toFixed(1);
    return v.toFixed(digits == null ? 2 : digits);
  }
  function seconds(v) {
    if (v == null || !isFinite(v)) return '–';
    if (v === 0) return '0';
    if (v < 0.001) return (v * 1e6).toFixed(0) + ' µs';
    if (v < 1) return (v * 1000).toFixed(v < 0.01 ? 1 : 0) + ' ms';
    return v.toFixed(v < 10 ? 2 : 1) + ' s';
  }
  function percent(v) {
    if (v == null || !isFinite(v)) return '–';
    var p = v * 100;
    return (p === 0 || p === 100 ? p.toFixed(0) : p < 1 ? p.toFixed(2) : p.toFixed(1)) + ' %';
  }
  function ago(iso) {
    if (!iso) return 'never';
    var s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    return s < 60 ? s + ' s ago' : Math.round(s / 60) + ' min ago';
  }
  function clock(epochSeconds, withSeconds) {
    var d = new Date(epochSeconds * 1000);
    var pad = function (n) { return (n < 10 ? '0' : '') + n; };
    return pad(d.getHours()) + ':' + pad(d.getMinutes()) + (withSeconds ? ':' + pad(d.getSeconds()) : '');
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text != null) node.textContent = text;
    return node;
  }

  // ---- tiles ------------------------------------------------------------------------------
  function tile(id, value, text, extra, mood) {
    var t = document.getElementById(id);
    t.dataset.value = value == null ? '' : String(value);
    t.querySelector('.value').textContent = text;
    if (extra != null) t.querySelector('.extra').textContent = extra;
    t.classList.toggle('bad', mood === 'bad');
    t.classList.toggle('good', mood === 'good');
  }

  function drawTiles(d) {
    var c = d.current;
    tile('tile-rps', c.requests_per_second, num(c.requests_per_second),
      c.inflight_requests + ' in flight · ' + c.requests_total.toLocaleString('en-US') + ' total');
    tile('tile-latency', c.latency_p95_seconds,
      seconds(c.latency_p50_seconds) + ' / ' + seconds(c.latency_p95_seconds));
    tile('tile-ttft', c.ttft_p95_seconds,
      seconds(c.ttft_p50_seconds) + ' / ' + seconds(c.ttft_p95_seconds));
    tile('tile-tokens', c.output_tokens_per_second, num(c.output_tokens_per_second, 1));
    tile('tile-errors', c.error_ratio, percent(c.error_ratio),
      num(c.errors_per_second) + ' errors/s now', c.error_ratio > 0.05 ? 'bad' : null);
    var s = d.sessions;
    var counted = s.error_free + s.errored;
    tile('tile-sessions', s.error_free_ratio, percent(s.error_free_ratio),
      counted === 0 ? 'no session ended yet'
        : s.error_free + ' of ' + counted + ' sessions had no error',
      s.error_free_ratio == null ? null : s.error_free_ratio >= 0.99 ? 'good' : s.error_free_ratio < 0.9 ? 'bad' : null);
    var jobs = d.background_jobs || {};
    var queued = jobs.queued || 0;
    var running = jobs.in_progress || 0;
    tile('tile-jobs', queued + running, String(queued + running),
      queued + ' queued · ' + running + ' running');
  }

  // ---- charts -----------------------------------------------------------------------------
  var CHARTS = [
    { id: 'chart-requests', unit: 'rate', lines: function (d) {
      return [['requests/s', d.series.requests_per_second], ['errors/s', d.series.errors_per_second]];
    } },
    { id: 'chart-latency', unit: 'seconds', lines: function (d) {
      return [['p50', d.series.latency_p50_seconds], ['p95', d.series.latency_p95_seconds]];
    } },
    { id: 'chart-ttft', unit: 'seconds', lines: function (d) {
      return [['p50', d.series.ttft_p50_seconds], ['p95', d.series.ttft_p95_seconds]];
    } },
    { id: 'chart-tokens', unit: 'rate', lines: function (d) {
      return [['output tokens/s', d.series.output_tokens_per_second], ['input tokens/s', d.series.input_tokens_per_second]];
    } },
    { id: 'chart-errors', unit: 'rate', colors: KIND_COLORS, lines: function (d) {
      var kinds = d.series.errors_by_kind || {};
      return Object.keys(kinds).sort().map(function (k) { return [k, kinds[k]]; });
    } }
  ];

  function maxOf(values) {
    var m = 0;
    for (var i = 0; i < values.length; i++) if (values[i] != null && values[i] > m) m = values[i];
    return m;
  }

  function chartWidth(figure) {
    return Math.max(240, figure.querySelector('.plot').clientWidth || figure.clientWidth - 24);
  }

  // The x axis ends now and starts at the oldest point, showing at least two minutes and at most
  // the sampler's window: a fresh gateway's first points are not squeezed against the right edge.
  function xRange() {
    var d = state.data;
    var now = d ? d.now : Date.now() / 1000;
    if (!d) return [now - 120, now];
    var first = d.time.length ? d.time[0] : now;
    return [Math.max(now - d.window_seconds, Math.min(first, now - 120)), now];
  }

  function options(spec, lines, width) {
    var fmt = spec.unit === 'seconds' ? seconds : function (v) { return num(v); };
    var series = [{}];
    lines.forEach(function (line, i) {
      series.push({
        label: line[0],
        stroke: (spec.colors && spec.colors[line[0]]) || PALETTE[i % PALETTE.length],
        width: 2,
        // Quantiles are missing where nothing finished: a gap, and dots so a lone value shows.
        spanGaps: false,
        points: spec.unit === 'seconds' ? { show: true, size: 4 } : { show: false },
        value: function (u, v) { return v == null ? '–' : fmt(v); }
      });
    });
    return {
      width: width,
      height: HEIGHT,
      series: series,
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: true, range: xRange },
        y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.15 : 1]; } }
      },
      axes: [
        { stroke: '#6b7280', grid: { stroke: '#eef0f3' }, ticks: { stroke: '#e5e7eb' }, space: 80,
          values: function (u, splits) {
            var span = u.scales.x.max - u.scales.x.min;
            return splits.map(function (t) { return clock(t, span <= 180); });
          } },
        { stroke: '#6b7280', grid: { stroke: '#eef0f3' }, ticks: { stroke: '#e5e7eb' }, size: 64,
          values: function (u, splits) { return splits.map(fmt); } }
      ]
    };
  }

  function drawChart(spec, d) {
    var figure = document.getElementById(spec.id);
    var lines = spec.lines(d);
    var key = lines.map(function (l) { return l[0]; }).join('|');
    var aligned = [d.time].concat(lines.map(function (l) { return l[1]; }));
    var max = lines.length ? maxOf(lines[0][1]) : 0;
    lines.forEach(function (l) { max = Math.max(max, maxOf(l[1])); });
    figure.dataset.points = String(d.time.length);
    figure.dataset.max = String(max);
    figure.dataset.series = key;
    figure.classList.toggle('is-empty', max === 0);
    var chart = state.charts[spec.id];
    if (chart && chart.gantryKey !== key) {
      chart.destroy();
      chart = null;
    }
    if (!chart) {
      chart = new uPlot(options(spec, lines, chartWidth(figure)), aligned, figure.querySelector('.plot'));
      chart.gantryKey = key;
      state.charts[spec.id] = chart;
    } else {
      chart.setData(aligned);
    }
  }

  function resizeCharts() {
    CHARTS.forEach(function (spec) {
      var chart = state.charts[spec.id];
      if (chart) chart.setSize({ width: chartWidth(document.getElementById(spec.id)), height: HEIGHT });
    });
  }

  // ---- tables -----------------------------------------------------------------------------
  function fill(tbody, rows, columns, placeholder) {
    tbody.replaceChildren();
    if (rows.length === 0) {
      var tr = el('tr', { 'class': 'placeholder' });
      tr.appendChild(el('td', { colspan: String(columns) }, placeholder));
      tbody.appendChild(tr);
      return;
    }
    rows.forEach(function (r) { tbody.appendChild(r); });
  }

  function drawBackends(d) {
    var rows = d.backends.map(function (b) {
      var tr = el('tr', { 'data-backend': b.name, 'data-up': String(b.up) });
      tr.appendChild(el('td', { 'class': 'name' }, b.name));
      var st = el('td', { 'class': 'state' });
      st.appendChild(el('span', { 'class': 'pill ' + (b.up ? 'up' : 'down') }, b.up ? 'up' : 'down'));
      tr.appendChild(st);
      tr.appendChild(el('td', null, b.dialect));
      tr.appendChild(el('td', { 'class': 'url' }, b.url));
      var models = el('td', { 'class': 'models-list' }, b.models.length ? b.models.join(', ') : '–');
      tr.appendChild(models);
      tr.appendChild(el('td', { 'class': 'num' }, num(b.requests_per_second)));
      tr.appendChild(el('td', { 'class': 'num' }, String(b.inflight)));
      tr.appendChild(el('td', { 'class': 'error' }, b.up ? '' : (b.last_error || '')));
      tr.appendChild(el('td', { 'class': 'checked', title: b.checked_at || '' }, ago(b.checked_at)));
      return tr;
    });
    fill(document.querySelector('#backends tbody'), rows, 9,
      'No backend configured or discovered: start one, e.g. ./gantry simulate --dialect openai');
  }

  function drawModels(d) {
    var rows = d.models.map(function (m) {
      var tr = el('tr', { 'data-model': m.model });
      tr.appendChild(el('td', null, m.model));
      tr.appendChild(el('td', { 'class': 'num' }, num(m.requests_per_second)));
      tr.appendChild(el('td', { 'class': 'num' }, num(m.errors_per_second)));
      tr.appendChild(el('td', { 'class': 'num' }, percent(m.error_ratio)));
      var kinds = Object.keys(m.errors_by_kind).sort().map(function (k) {
        return k + ' ' + num(m.errors_by_kind[k]) + '/s';
      });
      tr.appendChild(el('td', { 'class': 'kinds' }, kinds.join(', ')));
      return tr;
    });
    fill(document.querySelector('#models tbody'), rows, 5, 'No requests in the last minute.');
  }

  // ---- refresh loop -----------------------------------------------------------------------
  function status(stateName, text) {
    var s = document.getElementById('status');
    s.dataset.state = stateName;
    s.textContent = text;
  }

  function render(d) {
    state.data = d;
    document.getElementById('interval').textContent = String(d.interval_seconds);
    document.getElementById('window').textContent = String(Math.round(d.window_seconds / 60));
    drawTiles(d);
    CHARTS.forEach(function (spec) { drawChart(spec, d); });
    drawBackends(d);
    drawModels(d);
    state.updates += 1;
    document.body.dataset.updates = String(state.updates);
    status('ok', 'live · updated ' + new Date(d.now * 1000).toLocaleTimeString());
  }

  function refresh() {
    clearTimeout(state.timer);
    fetch('dashboard/data', { cache: 'no-store', headers: { Accept: 'application/json' } })
      .then(function (r) {
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.json();
      })
      .then(render)
      .catch(function (e) {
        status('error', 'cannot reach Gantry (' + e.message + '); retrying');
      })
      .then(function () {
        if (!document.hidden) state.timer = setTimeout(refresh, REFRESH_MS);
      });
  }

  document.addEventListener('visibilitychange', function () {
    if (!document.hidden) refresh();
  });
  if (window.ResizeObserver) {
    new ResizeObserver(resizeCharts).observe(document.getElementById('charts'));
  } else {
    window.addEventListener('resize', resizeCharts);
  }
  refresh();
})();
