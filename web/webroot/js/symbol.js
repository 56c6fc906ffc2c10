// One symbol: 1-minute candles and volume (uPlot), last price, session stats, the metrics the rules read, and
// its recent alerts; refreshed every few seconds.

import uPlot from '/webjars/uplot/1.6.30/dist/uPlot.esm.js';
import { get } from './api.js';
import { clock, h, num, problem, stamp } from './dom.js';

const REFRESH_MS = 3000;
const PRICE_HEIGHT = 320;
const VOLUME_HEIGHT = 110;

const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

/** A uPlot `draw` hook that paints candles from series 1 to 4 (open, high, low, close). */
function drawCandles(u) {
  const [t, o, hi, lo, c] = u.data;
  if (t.length === 0) {
    return;
  }
  const ctx = u.ctx;
  const { left, top, width, height } = u.bbox;
  const step = t.length > 1 ? Math.min(...t.slice(1).map((x, i) => x - t[i])) : 60;
  const slot = Math.abs(u.valToPos(t[0] + step, 'x', true) - u.valToPos(t[0], 'x', true));
  const body = Math.max(1, Math.round(slot * 0.7));
  const up = css('--up');
  const down = css('--down');
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  for (let i = 0; i < t.length; i++) {
    if (o[i] === null || c[i] === null) {
      continue;
    }
    const x = Math.round(u.valToPos(t[i], 'x', true));
    const yOpen = u.valToPos(o[i], 'y', true);
    const yClose = u.valToPos(c[i], 'y', true);
    ctx.strokeStyle = ctx.fillStyle = c[i] >= o[i] ? up : down;
    ctx.lineWidth = Math.max(1, Math.round(devicePixelRatio));
    ctx.beginPath();
    ctx.moveTo(x, Math.round(u.valToPos(hi[i], 'y', true)));
    ctx.lineTo(x, Math.round(u.valToPos(lo[i], 'y', true)));
    ctx.stroke();
    ctx.fillRect(x - body / 2, Math.min(yOpen, yClose), body, Math.max(1, Math.abs(yClose - yOpen)));
  }
  ctx.restore();
}

function axes(valueSize) {
  const stroke = css('--muted');
  const grid = { stroke: css('--grid'), width: 1 };
  return [{ stroke, grid, ticks: grid }, { stroke, grid, ticks: grid, size: valueSize }];
}

const hidden = { paths: () => null, points: { show: false } };

/** The price and the volume chart of one symbol in `host`, the cursor shared. */
function makeCharts(host, width, onZoom) {
  const key = 'symbol-' + Math.random().toString(36).slice(2);
  let volume = null; // made after the price chart, whose x scale it follows
  const price = new uPlot({
    width, height: PRICE_HEIGHT,
    cursor: { sync: { key } },
    scales: { x: { time: true } },
    axes: axes(70),
    series: [{}, { label: 'open', ...hidden }, { label: 'high', ...hidden }, { label: 'low', ...hidden },
      { label: 'close', ...hidden }],
    hooks: {
      draw: [drawCandles],
      setSelect: [(u) => { if (u.select.width > 0) onZoom(true); }],
      setScale: [(u, scale) => {
        if (scale === 'x' && volume) {
          volume.setScale('x', { min: u.scales.x.min, max: u.scales.x.max });
        }
      }],
    },
  }, [[], [], [], [], []], host);
  volume = new uPlot({
    width, height: VOLUME_HEIGHT,
    cursor: { sync: { key }, drag: { x: false, y: false } },
    scales: { x: { time: true } },
    axes: axes(70),
    legend: { show: false },
    series: [{}, { label: 'volume', fill: css('--volume'), stroke: css('--volume'),
      paths: uPlot.paths.bars({ size: [0.7, 40] }), points: { show: false } }],
  }, [[], []], host);
  price.over.addEventListener('dblclick', () => onZoom(false));
  return { price, volume };
}

function statsTable(pairs) {
  return h('table.kv', null, h('tbody', null, pairs.map(([k, v]) => h('tr', null, h('th', null, k),
    h('td.num', null, typeof v === 'number' ? num(v) : String(v ?? '—'))))));
}

/** Shows `symbol` in `view`; returns what removes it. */
export function mountSymbol(view, symbol) {
  const title = h('h1.symbol-title', null, symbol);
  const last = h('span.last');
  const box = h('p.problem', { hidden: true });
  const missing = h('p.warn', { hidden: true });
  const chartHost = h('div.chart#chart');
  const session = h('div.session');
  const metrics = h('div.metrics-box');
  const alertsBox = h('div.symbol-alerts');
  view.append(h('section.symbol', null,
    h('div.toolbar', null, title, last, h('a', { href: '#/' }, '← feed')),
    box, missing,
    h('div.symbol-grid', null,
      h('div', null, chartHost, h('p.hint', null, 'Drag to zoom, double-click to see every bar again.')),
      h('div', null, h('h2', null, 'Session'), session, h('h2', null, 'Metrics'), metrics)),
    h('h2', null, 'Recent alerts'), alertsBox));

  let charts = null;
  let zoomed = false;
  let data = null;
  let stopped = false;
  const onZoom = (on) => { zoomed = on; };

  function build() {
    charts?.price.destroy();
    charts?.volume.destroy();
    chartHost.replaceChildren();
    charts = makeCharts(chartHost, Math.max(300, chartHost.clientWidth), onZoom);
    if (data) {
      charts.price.setData(data.price);
      charts.volume.setData(data.volume);
    }
  }

  const resize = new ResizeObserver(() => {
    if (charts) {
      const width = Math.max(300, chartHost.clientWidth);
      charts.price.setSize({ width, height: PRICE_HEIGHT });
      charts.volume.setSize({ width, height: VOLUME_HEIGHT });
    }
  });
  resize.observe(chartHost);
  window.addEventListener('themechange', build);

  async function refresh() {
    try {
      const reply = await get('/api/symbols/' + encodeURIComponent(symbol));
      if (stopped) {
        return;
      }
      problem(box, null);
      show(typeof reply.symbol === 'object' && reply.symbol !== null ? reply.symbol : reply, reply);
    } catch (e) {
      problem(box, e.status === 404 ? `no scanner knows ${symbol} (yet): asking again every few seconds`
        : `${symbol} could not be loaded: ${e.message}`);
    }
  }

  function show(s, reply) {
    const bars = s.bars || [];
    data = {
      price: [bars.map((b) => b.t / 1000), bars.map((b) => b.o), bars.map((b) => b.h), bars.map((b) => b.l),
        bars.map((b) => b.c)],
      volume: [bars.map((b) => b.t / 1000), bars.map((b) => b.v)],
    };
    if (!charts) {
      build();
    } else {
      charts.price.setData(data.price, !zoomed);
      charts.volume.setData(data.volume, !zoomed);
    }
    last.replaceChildren(h('b', null, num(s.last)), s.ts ? ` at ${clock(s.ts)}` : '',
      ` · ${bars.length} one-minute bars`);
    // the session's start is a time, the rest are numbers
    const stats = Object.entries(s.session || {}).map(([k, v]) => [k, k === 'start' && v != null ? stamp(v) : v]);
    session.replaceChildren(stats.length ? statsTable(stats) : h('p.muted', null, 'no session stats'));
    const values = Object.entries(s.metrics || {}).sort(([a], [b]) => a.localeCompare(b));
    metrics.replaceChildren(values.length ? statsTable(values)
      : h('p.muted', null, 'the active rules read no metric of this symbol'));
    const absent = reply.missing || [];
    problem(missing, absent.length ? `scanner instance(s) that did not answer in time: ${absent.join(', ')}` : null);
  }

  async function loadAlerts() {
    try {
      const reply = await get(`/api/alerts?symbol=${encodeURIComponent(symbol)}&limit=50`);
      if (stopped) {
        return;
      }
      const alerts = reply.alerts || [];
      alertsBox.replaceChildren(alerts.length ? h('table.grid', null, h('tbody', null, alerts.map((a) =>
        h('tr', { title: a.alert_id }, h('td.time', null, stamp(a.ts)), h('td', null, a.rule_name || a.rule_id),
          h('td.num', null, num(a.price)),
          h('td.metrics', null, Object.entries(a.metrics || {}).map(([k, v]) =>
            h('span.metric', null, k + ' ', h('b', null, num(v))))))))) : h('p.muted', null, 'none in the node\'s history'));
    } catch (e) {
      alertsBox.replaceChildren(h('p.problem', null, 'the alerts could not be loaded: ' + e.message));
    }
  }

  refresh();
  loadAlerts();
  const timer = setInterval(() => { refresh(); loadAlerts(); }, REFRESH_MS);
  return () => {
    stopped = true;
    clearInterval(timer);
    resize.disconnect();
    window.removeEventListener('themechange', build);
    charts?.price.destroy();
    charts?.volume.destroy();
  };
}
