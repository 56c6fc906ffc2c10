// The screener: the symbols that satisfy one rule at the last scan, once a second, by websocket (`screen`) or,
// when the websocket does not answer, by polling `GET /api/rules/{id}/matches`.

import { get, load, save } from './api.js';
import { h, num, problem, stamp } from './dom.js';

const LIMIT = 100;
const POLL_MS = 1000;
const SOCKET_PATIENCE_MS = 2500;

/** Shows the screener of `ruleId` (or of the last one chosen) in `view`; returns what removes it. */
export function mountScreener(view, socket, ruleId) {
  const state = { rule: ruleId || load('screener.rule', null), sort: null, order: 'desc', reply: null,
    via: null, lastFrame: 0 };
  const select = h('select#screener-rule', { onchange: () => { location.hash = '#/screener/' + select.value; } });
  const info = h('span.counters');
  const box = h('p.problem', { hidden: true });
  const missing = h('p.warn', { hidden: true });
  const table = h('table#screener.grid');
  view.append(h('section.page', null,
    h('div.toolbar', null, h('label', null, 'Rule ', select), info),
    box, missing, table));

  let pollTimer = null;
  let watchdog = null;
  let stopped = false;

  const onMatches = (e) => {
    if (e.detail.rule === state.rule) {
      state.via = 'websocket';
      state.lastFrame = Date.now();
      stopPolling();
      show(e.detail);
    }
  };
  const onError = (e) => {
    if (!pollTimer) {
      problem(box, `the websocket refused the screener (${e.detail.error}); asking every second instead`);
      startPolling();
    }
  };
  socket.addEventListener('matches', onMatches);
  socket.addEventListener('error', onError);

  get('/api/rules').then((reply) => {
    if (stopped) {
      return;
    }
    select.replaceChildren(...reply.rules.map((r) => h('option', { value: r.id }, `${r.name || r.id} (${r.id})`)));
    if (!reply.rules.length) {
      problem(box, 'there are no rules: create one on the Rules page');
      return;
    }
    if (!reply.rules.some((r) => r.id === state.rule)) {
      state.rule = reply.rules[0].id;
    }
    select.value = state.rule;
    save('screener.rule', state.rule);
    start();
  }).catch((e) => problem(box, 'the rules could not be loaded: ' + e.message));

  function start() {
    socket.screen({ rule: state.rule, ...(state.sort ? { sort: state.sort, order: state.order } : {}), limit: LIMIT });
    // Falls back to polling when no screener frame came in time (no websocket, or a node without `screen`).
    clearInterval(watchdog);
    watchdog = setInterval(() => {
      if (!pollTimer && Date.now() - state.lastFrame > SOCKET_PATIENCE_MS) {
        startPolling();
      }
    }, SOCKET_PATIENCE_MS);
  }

  function startPolling() {
    state.via = 'polling';
    poll();
    pollTimer = setInterval(poll, POLL_MS);
  }

  function stopPolling() {
    clearInterval(pollTimer);
    pollTimer = null;
  }

  let inFlight = false;
  async function poll() {
    if (inFlight) {
      return;
    }
    inFlight = true;
    const query = new URLSearchParams({ limit: LIMIT });
    if (state.sort) {
      query.set('sort', state.sort);
      query.set('order', state.order);
    }
    try {
      const reply = await get(`/api/rules/${encodeURIComponent(state.rule)}/matches?${query}`);
      if (!stopped && state.via === 'polling') {
        problem(box, null);
        show(reply);
      }
    } catch (e) {
      problem(box, 'the screener could not be loaded: ' + e.message);
    } finally {
      inFlight = false;
    }
  }

  function sortBy(column) {
    state.order = state.sort === column && state.order === 'desc' ? 'asc' : 'desc';
    state.sort = column;
    if (state.via === 'websocket') {
      start();
    }
    if (state.reply) {
      show(state.reply);
    }
  }

  function value(match, column) {
    return column === 'symbol' ? match.symbol : column === 'price' ? match.price : match.metrics?.[column];
  }

  function show(reply) {
    state.reply = reply;
    const matches = [...(reply.matches || [])];
    const metrics = [...new Set(matches.flatMap((m) => Object.keys(m.metrics || {})))];
    if (state.sort) {
      const sign = state.order === 'asc' ? 1 : -1;
      matches.sort((a, b) => {
        const x = value(a, state.sort);
        const y = value(b, state.sort);
        if (x === y) {
          return 0;
        }
        if (x === null || x === undefined) {
          return 1;
        }
        if (y === null || y === undefined) {
          return -1;
        }
        return (x < y ? -1 : 1) * sign;
      });
    }
    const header = (column, numeric) => h('th' + (numeric ? '.num' : '') + '.sortable', {
      onclick: () => sortBy(column), title: 'sort by ' + column, dataset: { column },
      'aria-sort': state.sort === column ? (state.order === 'asc' ? 'ascending' : 'descending') : 'none',
    }, column, state.sort === column ? (state.order === 'asc' ? ' ▲' : ' ▼') : '');
    table.replaceChildren(
      h('thead', null, h('tr', null, header('symbol', false), header('price', true),
        metrics.map((m) => header(m, true)))),
      h('tbody', null, matches.map((m) => h('tr', {
        dataset: { symbol: m.symbol }, onclick: () => { location.hash = '#/symbol/' + encodeURIComponent(m.symbol); },
      },
      h('td.symbol', null, h('a', { href: '#/symbol/' + encodeURIComponent(m.symbol) }, m.symbol)),
      h('td.num', null, num(m.price)),
      metrics.map((name) => h('td.num', null, num(m.metrics?.[name])))))));
    const count = reply.count ?? matches.length;
    info.textContent = `${count} matching` + (count > matches.length ? `, ${matches.length} shown` : '')
      + (reply.scan_ts ? ` · scan ${stamp(reply.scan_ts)}` : '') + ` · ${state.via}`
      + (reply.answered !== undefined ? ` · ${reply.answered} scanner instances answered` : '');
    const absent = reply.missing || [];
    problem(missing, absent.length
      ? `${absent.length} scanner instance(s) did not answer in time, so their symbols are missing: ${absent.join(', ')}`
      : null);
  }

  return () => {
    stopped = true;
    stopPolling();
    clearInterval(watchdog);
    socket.removeEventListener('matches', onMatches);
    socket.removeEventListener('error', onError);
    socket.screen(null);
  };
}
