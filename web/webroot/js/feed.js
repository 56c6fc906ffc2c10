// The live alert feed: a bounded store fed by the websocket from the moment the page loads, and its view.

import { get, load, save } from './api.js';
import { clock, fill, h, notice, num, problem, stamp } from './dom.js';
import { announce, notificationsAvailable, toggle, wants } from './notify.js';

const MAX_ROWS = 2000;
const MAX_WAITING = 5000;
const HISTORY_LIMIT = 1000;

/** What the feed holds, whether or not its page is shown. */
const store = {
  rows: [], // newest first, at most MAX_ROWS
  ids: new Set(),
  paused: false,
  waiting: [], // oldest first, while paused, at most MAX_WAITING
  notKept: 0, // alerts that arrived while paused beyond MAX_WAITING
  dropped: 0, // alerts the node dropped for this client (`dropped` frames)
  filter: load('feed.filter', { rules: null, symbols: null }),
  subscribed: null, // the subscription the node confirmed last (`subscribed` frame)
  view: null, // the mounted view: {added(alerts), reset(), counters()}
};

let socket = null;

/** Starts receiving: loads the recent history, then connects (resuming after its newest alert). */
export async function startFeed(alertSocket) {
  socket = alertSocket;
  socket.addEventListener('alerts', (e) => arrived(e.detail));
  socket.addEventListener('dropped', (e) => {
    store.dropped += e.detail.count;
    notice(`the node dropped ${e.detail.count} alerts this browser could not take in time`, 'error');
    store.view?.counters();
  });
  socket.addEventListener('gap', (e) => {
    notice(`alerts after ${e.detail.after} are no longer in the node's history (${e.detail.reason}); `
      + 'reloading the recent ones', 'error');
    reloadHistory();
  });
  socket.addEventListener('subscribed', (e) => {
    store.subscribed = e.detail;
    store.view?.counters();
  });
  socket.addEventListener('error', (e) => notice('the alert connection: ' + e.detail.error, 'error'));
  subscribe();
  const newest = await reloadHistory();
  socket.start(newest);
}

/** Loads the node's recent alerts into the store; returns the id of the newest, or null. */
async function reloadHistory() {
  try {
    const reply = await get('/api/alerts?limit=' + HISTORY_LIMIT);
    const alerts = reply.alerts || [];
    merge(alerts);
    return alerts.length ? alerts[0].alert_id : null;
  } catch (e) {
    notice('recent alerts could not be loaded: ' + e.message, 'error');
    return null;
  }
}

/** Puts alerts (any order) among the rows, keeping the rows newest first; for history, not for live frames. */
function merge(alerts) {
  const fresh = alerts.filter((a) => !store.ids.has(a.alert_id));
  if (!fresh.length) {
    return;
  }
  store.rows = store.rows.concat(fresh)
    .sort((a, b) => b.ts - a.ts || (a.alert_id < b.alert_id ? 1 : a.alert_id > b.alert_id ? -1 : 0))
    .slice(0, MAX_ROWS);
  store.ids = new Set(store.rows.map((a) => a.alert_id));
  store.view?.reset();
}

/** One frame of alerts, oldest first. */
function arrived(alerts) {
  announce(alerts);
  if (store.paused) {
    store.waiting.push(...alerts);
    const over = store.waiting.length - MAX_WAITING;
    if (over > 0) {
      store.waiting.splice(0, over);
      store.notKept += over;
    }
    store.view?.counters();
    return;
  }
  add(alerts);
}

function add(alerts) {
  const fresh = alerts.filter((a) => !store.ids.has(a.alert_id));
  for (const alert of fresh) {
    store.ids.add(alert.alert_id);
  }
  store.rows.unshift(...fresh.reverse());
  for (const gone of store.rows.splice(MAX_ROWS)) {
    store.ids.delete(gone.alert_id);
  }
  store.view?.added(fresh);
}

function setPaused(paused) {
  store.paused = paused;
  if (!paused) {
    const waiting = store.waiting;
    store.waiting = [];
    add(waiting);
  }
  store.view?.counters();
}

function subscribe() {
  socket.subscribe(store.filter.rules, store.filter.symbols);
}

function passes(alert) {
  const { rules, symbols } = store.filter;
  return (!rules || rules.includes(alert.rule_id)) && (!symbols || symbols.includes(alert.symbol));
}

function metricsCell(metrics) {
  return h('td.metrics', null, Object.entries(metrics || {}).map(([name, value]) =>
    h('span.metric', null, name + ' ', h('b', null, num(value)))));
}

function row(alert, fresh) {
  const open = () => { location.hash = '#/symbol/' + encodeURIComponent(alert.symbol); };
  return h('tr' + (fresh ? '.fresh' : ''), { dataset: { rule: alert.rule_id, symbol: alert.symbol }, onclick: open,
    title: `${alert.alert_id} at ${stamp(alert.ts)}` },
  h('td.time', null, clock(alert.ts)),
  h('td.rule', { title: alert.rule_id }, alert.rule_name || alert.rule_id),
  h('td.symbol', null, h('a', { href: '#/symbol/' + encodeURIComponent(alert.symbol) }, alert.symbol)),
  h('td.num', null, num(alert.price)),
  metricsCell(alert.metrics));
}

const parseSymbols = (text) => {
  const symbols = text.split(/[\s,]+/).filter(Boolean);
  return symbols.length ? symbols : null;
};

/** Shows the feed in `view`; returns what removes it. */
export function mountFeed(view) {
  const tbody = h('tbody');
  const counters = h('span.counters');
  const pause = h('button#feed-pause', { type: 'button', onclick: () => setPaused(!store.paused) });
  const symbolsInput = h('input#feed-symbols', { type: 'search', placeholder: 'symbols, comma separated (all)',
    value: (store.filter.symbols || []).join(', '),
    onchange: () => {
      store.filter = { ...store.filter, symbols: parseSymbols(symbolsInput.value) };
      filterChanged();
    } });
  const rulesBox = h('div.rule-filter', null, h('p.muted', null, 'loading rules…'));
  const rulesProblem = h('p.problem', { hidden: true });
  view.append(h('section.feed', null,
    h('aside.side', null,
      h('h2', null, 'Rules'),
      h('p.hint', null, 'Tick rules to see only them (none ticked: all). ♪ beeps, ✉ notifies, per rule.'),
      rulesProblem, rulesBox,
      h('h2', null, 'Symbols'), symbolsInput),
    h('div.main', null,
      h('div.toolbar', null, pause, counters),
      h('table#feed.grid', null,
        h('thead', null, h('tr', null, h('th', null, 'time'), h('th', null, 'rule'), h('th', null, 'symbol'),
          h('th.num', null, 'price'), h('th', null, 'metrics'))),
        tbody))));

  function filterChanged() {
    save('feed.filter', store.filter);
    subscribe();
    reset();
  }

  function reset() {
    tbody.replaceChildren(...store.rows.filter(passes).map((a) => row(a, false)));
    showCounters();
  }

  function showCounters() {
    pause.textContent = store.paused ? 'resume' : 'pause';
    pause.classList.toggle('active', store.paused);
    const shown = tbody.rows.length;
    fill(counters,
      h('span', null, `${shown} shown of ${store.rows.length} kept (at most ${MAX_ROWS})`),
      store.paused ? h('span.warn#feed-waiting', { dataset: { count: String(store.waiting.length) } },
        `paused: ${store.waiting.length} waiting`) : null,
      store.notKept ? h('span.warn', null, `${store.notKept} not kept while paused`) : null,
      store.dropped ? h('span.bad#dropped', null, `${store.dropped} dropped by the node`) : null,
      store.rows.length ? h('span', null, `newest ${stamp(store.rows[0].ts)}`) : null,
      store.subscribed ? h('span#feed-subscribed', { title: 'the subscription the node confirmed' },
        'the node sends: ' + (store.subscribed.rules ? store.subscribed.rules.join(', ') : 'every rule') + ' · '
        + (store.subscribed.symbols ? store.subscribed.symbols.join(', ') : 'every symbol')) : null);
  }

  store.view = {
    added(alerts) {
      const shown = alerts.filter(passes);
      if (shown.length) {
        const rows = shown.map((a) => row(a, true));
        tbody.prepend(...rows.reverse());
        while (tbody.rows.length > MAX_ROWS) {
          tbody.lastElementChild.remove();
        }
      }
      showCounters();
    },
    reset,
    counters: showCounters,
  };
  reset();
  get('/api/rules').then((reply) => rulesBox.replaceChildren(...reply.rules.map(ruleLine)))
    .catch((e) => problem(rulesProblem, 'the rules could not be loaded: ' + e.message));

  function ruleLine(rule) {
    const chosen = h('input', { type: 'checkbox', checked: Boolean(store.filter.rules?.includes(rule.id)),
      onchange: () => {
        const rules = new Set(store.filter.rules || []);
        if (chosen.checked) {
          rules.add(rule.id);
        } else {
          rules.delete(rule.id);
        }
        store.filter = { ...store.filter, rules: rules.size ? [...rules] : null };
        filterChanged();
      } });
    const switchFor = (kind, mark, what) => {
      const button = h('button.switch', { type: 'button', title: what, 'aria-pressed': String(wants(rule.id, kind)),
        disabled: kind === 'notify' && !notificationsAvailable(),
        onclick: async () => {
          const on = await toggle(rule.id, kind, !wants(rule.id, kind));
          button.setAttribute('aria-pressed', String(on));
        } }, mark);
      return button;
    };
    return h('div.rule-line', { dataset: { rule: rule.id } },
      h('label', { title: rule.when || '' }, chosen, ' ', rule.name || rule.id,
        rule.enabled === false ? h('span.muted', null, ' (disabled)') : null),
      switchFor('sound', '♪', 'beep on this rule\'s alerts'),
      switchFor('notify', '✉', 'a browser notification on this rule\'s alerts'));
  }

  return () => { store.view = null; };
}
