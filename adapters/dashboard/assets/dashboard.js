// Dashboard page script: draws the overview charts with uPlot and keeps every
// [data-live] region current by re-fetching the page every few seconds.
(function () {
  'use strict';
  var pollMs = Number(document.body.getAttribute('data-poll-ms')) || 5000;
  var COLORS = { turns: '#1f5fbf', solved: '#2e7d32', escalated: '#b35900', p50: '#1f5fbf', p95: '#b3261e', errors: '#b3261e' };
  var charts = [];

  function seriesFor(kind) {
    if (kind === 'turns') return [{ label: 'Turns', key: 'turns', color: COLORS.turns, bars: true }];
    if (kind === 'outcomes') return [{ label: 'Solved', key: 'solved', color: COLORS.solved }, { label: 'Escalated', key: 'escalated', color: COLORS.escalated }];
    if (kind === 'latency') return [{ label: 'p50 ms', key: 'p50Ms', color: COLORS.p50 }, { label: 'p95 ms', key: 'p95Ms', color: COLORS.p95 }];
    return [{ label: 'Error rate %', key: 'errorRate', color: COLORS.errors, scale: 100 }];
  }

  function columns(points, defs) {
    var data = [points.map(function (p) { return p.t; })];
    defs.forEach(function (d) {
      data.push(points.map(function (p) { var v = p[d.key]; return v === null || v === undefined ? null : v * (d.scale || 1); }));
    });
    return data;
  }

  function describe(el, points, defs) {
    var total = defs.map(function (d) {
      var values = points.map(function (p) { return p[d.key]; }).filter(function (v) { return v !== null && v !== undefined; });
      if (d.key === 'turns' || d.key === 'solved' || d.key === 'escalated') return d.label + ' ' + values.reduce(function (a, b) { return a + b; }, 0) + ' in total';
      return d.label + ' latest ' + (values.length ? Math.round(values[values.length - 1] * (d.scale || 1)) : 'none');
    }).join(', ');
    var caption = el.closest('figure').querySelector('figcaption').textContent;
    el.setAttribute('aria-label', caption + ': ' + total);
    el.setAttribute('data-points', String(points.filter(function (p) { return p.turns > 0; }).length));
  }

  function drawAll(window, points) {
    document.querySelectorAll('.chart[data-window="' + window + '"]').forEach(function (el) {
      var defs = seriesFor(el.getAttribute('data-chart'));
      var data = columns(points, defs);
      describe(el, points, defs);
      var existing = charts.find(function (c) { return c.el === el; });
      if (existing) { existing.plot.setData(data); return; }
      var opts = {
        width: Math.max(260, el.clientWidth),
        height: 200,
        scales: { x: { time: true } },
        axes: [{ stroke: '#1a1a1a', grid: { stroke: '#e3e5e8' } }, { stroke: '#1a1a1a', grid: { stroke: '#e3e5e8' }, size: 50 }],
        series: [{ label: 'Time' }].concat(defs.map(function (d) {
          var s = { label: d.label, stroke: d.color, width: 2, spanGaps: false, points: { show: true, size: 5 } };
          if (d.bars) { s.fill = d.color + '99'; s.paths = uPlot.paths.bars({ size: [0.7, 40] }); s.points = { show: false }; }
          return s;
        })),
      };
      charts.push({ el: el, plot: new uPlot(opts, data, el) });
    });
  }

  function loadCharts() {
    if (!document.getElementById('charts') || typeof uPlot === 'undefined') return Promise.resolve();
    return Promise.all(['24h', '30d'].map(function (w) {
      return fetch('/dashboard/api/series?window=' + w, { credentials: 'same-origin' }).then(function (r) {
        if (r.status === 401) { window.location.reload(); throw new Error('signed out'); }
        return r.json();
      }).then(function (points) { drawAll(w, points); });
    })).catch(function () {});
  }

  function refreshLive() {
    var regions = document.querySelectorAll('[data-live][id]');
    if (regions.length === 0) return Promise.resolve();
    return fetch(window.location.href, { credentials: 'same-origin', headers: { 'x-dashboard-refresh': '1' } }).then(function (r) {
      if (r.status === 401) { window.location.reload(); return; }
      if (!r.ok) return;
      return r.text().then(function (text) {
        var doc = new DOMParser().parseFromString(text, 'text/html');
        regions.forEach(function (el) {
          // Leave a region alone while the keyboard is in it, so focus is not lost.
          if (el.contains(document.activeElement)) return;
          var fresh = doc.getElementById(el.id);
          if (fresh && fresh.innerHTML !== el.innerHTML) el.innerHTML = fresh.innerHTML;
        });
      });
    }).catch(function () {});
  }

  window.addEventListener('resize', function () {
    charts.forEach(function (c) { c.plot.setSize({ width: Math.max(260, c.el.clientWidth), height: 200 }); });
  });
  loadCharts();
  setInterval(function () { refreshLive(); loadCharts(); }, pollMs);
})();
