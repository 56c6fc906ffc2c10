// The node's status (`GET /api/status`), shown whatever keys it has: scalars as a key-value table, lists of
// objects as tables, nested objects as their own sections.

import { get } from './api.js';
import { duration, h, num, problem, stamp } from './dom.js';

const REFRESH_MS = 2000;
const label = (key) => key.replace(/_/g, ' ');

/** A scalar, read by its key: `*_ms` and `uptime` durations in words, `*_ts`/`*_at` epoch ms as dates. */
function scalar(key, value) {
  if (typeof value === 'number') {
    if ((/(^|_)uptime/.test(key) || key.endsWith('_ms')) && value >= 1000) {
      return `${duration(value)} (${num(value, 0)} ms)`;
    }
    if (key.endsWith('_ms')) {
      return `${num(value, 3)} ms`;
    }
    if (/(_ts|_at|^ts)$/.test(key) && value > 1e11) {
      return stamp(value);
    }
    return num(value);
  }
  if (typeof value === 'boolean') {
    return value ? 'yes' : 'no';
  }
  return value === null ? '—' : String(value);
}

const isScalar = (v) => v === null || typeof v !== 'object';

function render(value, key = '') {
  if (isScalar(value)) {
    return document.createTextNode(scalar(key, value));
  }
  if (Array.isArray(value)) {
    if (value.length === 0) {
      return h('span.muted', null, 'none');
    }
    if (value.every(isScalar)) {
      return document.createTextNode(value.map((v) => scalar(key, v)).join(', '));
    }
    const columns = [...new Set(value.flatMap((row) => (isScalar(row) ? [''] : Object.keys(row))))];
    return h('table.grid', null,
      h('thead', null, h('tr', null, columns.map((c) => h('th', null, label(c))))),
      h('tbody', null, value.map((row) => h('tr', null, columns.map((c) =>
        h('td', null, render(isScalar(row) ? (c === '' ? row : null) : row[c], c)))))));
  }
  const entries = Object.entries(value);
  const simple = entries.filter(([, v]) => isScalar(v) || (Array.isArray(v) && v.every(isScalar)));
  const nested = entries.filter((e) => !simple.includes(e));
  return h('div.status-block', null,
    simple.length ? h('table.kv', null, h('tbody', null, simple.map(([k, v]) =>
      h('tr', { dataset: { key: k } }, h('th', null, label(k)), h('td', null, render(v, k)))))) : null,
    nested.map(([k, v]) => h('section', { dataset: { key: k } }, h('h2', null, label(k)), render(v, k))));
}

/** Shows the status in `view`, refreshed every two seconds; returns what removes it. */
export function mountStatus(view) {
  const box = h('p.problem', { hidden: true });
  const updated = h('span.counters');
  const content = h('div#status');
  view.append(h('section.page', null, h('div.toolbar', null, h('h1', null, 'Node status'), updated), box, content));
  let stopped = false;

  async function refresh() {
    try {
      const status = await get('/api/status');
      if (!stopped) {
        problem(box, null);
        content.replaceChildren(render(status));
        updated.textContent = 'updated ' + stamp(Date.now());
      }
    } catch (e) {
      problem(box, 'the status could not be loaded: ' + e.message);
    }
  }
  refresh();
  const timer = setInterval(refresh, REFRESH_MS);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
