// The page's frame: hash routes, the theme, the settings (API token) and the connection's state.

import { save, token } from './api.js';
import { h, notice } from './dom.js';
import { mountFeed, startFeed } from './feed.js';
import { mountRules } from './rules.js';
import { mountScreener } from './screener.js';
import { AlertSocket } from './socket.js';
import { mountStatus } from './status.js';
import { mountSymbol } from './symbol.js';

const socket = new AlertSocket();

/** `#/path/parts` -> the page and its arguments. */
const routes = [
  [/^\/?$/, 'feed', () => (view) => mountFeed(view)],
  [/^\/screener(?:\/(.+))?$/, 'screener', (rule) => (view) => mountScreener(view, socket, rule)],
  [/^\/rules$/, 'rules', () => (view) => mountRules(view, null)],
  [/^\/rules\/new$/, 'rules', () => (view) => mountRules(view, { create: true })],
  [/^\/rules\/edit\/(.+)$/, 'rules', (id) => (view) => mountRules(view, { edit: id })],
  [/^\/symbol\/(.+)$/, 'feed', (symbol) => (view) => mountSymbol(view, symbol)],
  [/^\/status$/, 'status', () => (view) => mountStatus(view)],
];

let unmount = null;

function route() {
  const path = decodeURIComponent(location.hash.replace(/^#/, ''));
  const view = document.getElementById('view');
  if (unmount) {
    unmount();
    unmount = null;
  }
  view.replaceChildren();
  for (const [pattern, section, page] of routes) {
    const match = pattern.exec(path);
    if (match) {
      document.querySelectorAll('nav a').forEach((a) => a.classList.toggle('current', a.dataset.route === section));
      unmount = page(...match.slice(1))(view) || null;
      return;
    }
  }
  view.append(h('p.problem', null, `There is no page ${path}. `, h('a', { href: '#/' }, 'Back to the feed.')));
}

function setUpTheme() {
  const button = document.getElementById('theme-toggle');
  const show = () => { button.textContent = document.documentElement.dataset.theme === 'dark' ? '☀ light' : '☾ dark'; };
  button.addEventListener('click', () => {
    const theme = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
    document.documentElement.dataset.theme = theme;
    save('theme', theme);
    show();
    window.dispatchEvent(new CustomEvent('themechange'));
  });
  show();
}

function setUpSettings() {
  const form = document.getElementById('settings');
  const toggle = document.getElementById('settings-toggle');
  const input = document.getElementById('token');
  toggle.addEventListener('click', () => {
    form.hidden = !form.hidden;
    toggle.setAttribute('aria-expanded', String(!form.hidden));
    input.value = token();
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    save('token', input.value.trim());
    form.hidden = true;
    toggle.setAttribute('aria-expanded', 'false');
    notice(token() ? 'token saved; reconnecting' : 'token cleared; reconnecting');
    socket.reconnect();
  });
}

function setUpConnectionBadge() {
  const badge = document.getElementById('conn');
  socket.addEventListener('state', (e) => {
    badge.dataset.state = e.detail.state;
    badge.textContent = e.detail.text;
  });
}

window.addEventListener('unhandledrejection', (e) => {
  notice('unexpected: ' + (e.reason && e.reason.message ? e.reason.message : e.reason), 'error');
});
setUpTheme();
setUpSettings();
setUpConnectionBadge();
window.addEventListener('hashchange', route);
route();
startFeed(socket);
