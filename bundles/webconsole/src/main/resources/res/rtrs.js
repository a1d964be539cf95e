// The RTRS page's charts: polls data.json every 2 s and draws per-path IOPS and throughput with uPlot. The tables
// are the server's; this script only draws the charts and sends the action forms without leaving the page.
(function () {
  'use strict';

  const POLL_MS = 2000;
  const MIB = 1024 * 1024;
  const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f',
    '#bcbd22', '#17becf'];
  const root = document.getElementById('rtrs');
  const message = document.getElementById('rtrs-message');
  // location.origin: the page's own URL may carry user:password, which fetch() refuses
  const dataUrl = location.origin + root.getAttribute('data-json');
  const charts = {};

  function say(text, isError) {
    message.textContent = text;
    message.classList.toggle('rtrs-error', !!isError);
  }

  // reads + writes of one path, per sample; null where the path was not sampled
  function sum(a, b, scale) {
    return a.map((v, i) => (v === null || b[i] === null) ? null : (v + b[i]) / scale);
  }

  function draw(id, history, first, second, scale, digits) {
    const element = document.getElementById(id);
    const keys = history.series.map(s => s.key).join('|');
    const data = [history.times.map(t => t / 1000)]
      .concat(history.series.map(s => sum(s[first], s[second], scale)));
    let chart = charts[id];
    if (chart && chart.keys === keys) {
      chart.plot.setData(data);
    } else {
      // the set of paths changed: a new chart with one series per path
      if (chart) {
        chart.plot.destroy();
      }
      // one colour per path: its client line solid, its server line dashed
      const paths = [...new Set(history.series.map(s => s.session + ' ' + s.path))];
      const options = {
        title: element.getAttribute('data-title'),
        width: Math.max(element.clientWidth, 320),
        height: 260,
        scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(max, 1)] } },
        legend: { live: false },
        series: [{}].concat(history.series.map(s => ({
          label: s.side + ' ' + s.session + ' ' + s.path,
          stroke: COLORS[paths.indexOf(s.session + ' ' + s.path) % COLORS.length],
          dash: s.side === 'server' ? [6, 4] : undefined,
          width: 2,
          value: (u, v) => v === null ? '-' : v.toFixed(digits)
        }))),
        axes: [{}, { size: 60 }]
      };
      chart = charts[id] = { keys: keys, plot: new uPlot(options, data, element) };
    }
    element.setAttribute('data-series', String(history.series.length));
    element.setAttribute('data-points', String(history.times.length));
  }

  function refresh() {
    fetch(dataUrl, { headers: { Accept: 'application/json' }, cache: 'no-store', credentials: 'same-origin' })
      .then(response => {
        if (!response.ok) {
          throw new Error('data.json: HTTP ' + response.status);
        }
        return response.json();
      })
      .then(data => {
        draw('rtrs-iops-chart', data.history, 'readIops', 'writeIops', 1, 1);
        draw('rtrs-throughput-chart', data.history, 'readBytesPerSecond', 'writeBytesPerSecond', MIB, 2);
        if (data.history.untrackedPaths > 0) {
          say(data.history.untrackedPaths + ' paths are not charted (the sampler\'s maxPaths is reached).', false);
        }
      })
      .catch(e => say('The charts could not be updated: ' + e.message, true))
      .finally(() => setTimeout(refresh, POLL_MS));
  }

  // actions: POST the form, say what happened; reload the tables after a change
  function submit(event) {
    const form = event.target;
    event.preventDefault();
    const confirmText = form.getAttribute('data-confirm');
    if (confirmText && !window.confirm(confirmText)) {
      return;
    }
    fetch(location.origin + form.getAttribute('action'), {
      method: 'POST',
      headers: { Accept: 'application/json' },
      body: new URLSearchParams(new FormData(form)),
      credentials: 'same-origin'
    })
      .then(response => response.json().then(body => ({ ok: response.ok, body: body })))
      .then(result => {
        if (result.ok) {
          sessionStorage.setItem('rtrs-message', result.body.message);
          location.reload();
        } else {
          say(result.body.error, true);
        }
      })
      .catch(e => say('The action failed: ' + e.message, true));
  }

  document.querySelectorAll('form.rtrs-action').forEach(form => form.addEventListener('submit', submit));
  const done = sessionStorage.getItem('rtrs-message');
  if (done) {
    sessionStorage.removeItem('rtrs-message');
    say(done, false);
  }
  window.addEventListener('resize', () => Object.keys(charts).forEach(id => {
    const element = document.getElementById(id);
    charts[id].plot.setSize({ width: Math.max(element.clientWidth, 320), height: 260 });
  }));
  refresh();
})();
