// The `/ws/alerts` connection: reconnects with backoff, resumes after the last alert seen, and re-sends the
// subscription (in the URL, before the resume) and the screen in force after every (re)connection.

import { token } from './api.js';

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 15000;

const CLOSE_REASONS = {
  1001: 'the node is stopping',
  1006: 'connection lost',
  1008: 'too many bad messages',
  4008: 'too slow to take the alerts',
};

/**
 * Events (all `CustomEvent`s, payload in `detail`): `state` {state: 'connecting' | 'open' | 'waiting', text},
 * `hello`, `alerts` (the alerts of one frame, oldest first), `dropped` {count}, `gap` {after, reason},
 * `resumed`, `subscribed`, `matches` (one screener frame), `error` {error}.
 */
export class AlertSocket extends EventTarget {
  constructor() {
    super();
    this.ws = null;
    this.lastAlertId = null;
    this.subscription = null;
    this.screenRequest = null;
    this.failures = 0;
    this.timer = null;
    this.countdown = null;
    this.state = 'connecting';
    this.stateText = 'connecting';
  }

  /** Opens the connection; alerts after `resumeAfter` (an alert id) are sent first, if it is given. */
  start(resumeAfter) {
    if (resumeAfter) {
      this.lastAlertId = resumeAfter;
    }
    this.connect();
  }

  get open() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  /** `rules`, `symbols`: arrays, or null for all. Kept and sent again after a reconnection. */
  subscribe(rules, symbols) {
    this.subscription = { type: 'subscribe' };
    if (rules) {
      this.subscription.rules = rules;
    }
    if (symbols) {
      this.subscription.symbols = symbols;
    }
    this.send(this.subscription);
  }

  /** Starts the screener of one rule (`matches` events once a second), or stops it with null. */
  screen(request) {
    const stopping = request === null && this.screenRequest !== null;
    this.screenRequest = request === null ? null : { type: 'screen', ...request };
    if (this.screenRequest) {
      this.send(this.screenRequest);
    } else if (stopping) {
      this.send({ type: 'unscreen' });
    }
  }

  /** Reconnects now (a new token, say), without waiting for the backoff. */
  reconnect() {
    clearTimeout(this.timer);
    clearInterval(this.countdown);
    if (this.ws) {
      this.ws.onclose = null;
      this.ws.close(1000, 'reconnecting');
      this.ws = null;
    }
    this.failures = 0;
    this.connect();
  }

  send(message) {
    if (this.open) {
      this.ws.send(JSON.stringify(message));
    }
  }

  url() {
    const params = new URLSearchParams();
    if (token()) {
      params.set('token', token());
    }
    // the subscription goes in the URL too, so that a resume is filtered by it
    if (this.subscription?.rules) {
      params.set('rules', this.subscription.rules.join(','));
    }
    if (this.subscription?.symbols) {
      params.set('symbols', this.subscription.symbols.join(','));
    }
    if (this.lastAlertId) {
      params.set('resume', this.lastAlertId);
    }
    const query = params.toString();
    return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/alerts${query ? '?' + query : ''}`;
  }

  connect() {
    this.setState('connecting', this.failures ? `reconnecting (attempt ${this.failures + 1})` : 'connecting');
    const ws = new WebSocket(this.url());
    this.ws = ws;
    ws.onmessage = (event) => this.receive(event.data);
    ws.onclose = (event) => this.closed(event);
  }

  receive(data) {
    let frame;
    try {
      frame = JSON.parse(data);
    } catch (e) {
      this.emit('error', { error: 'the node sent a frame that is not JSON' });
      return;
    }
    switch (frame.type) {
      case 'hello':
        this.failures = 0;
        this.setState('open', `live · ${frame.node}`);
        if (this.screenRequest) {
          this.send(this.screenRequest);
        }
        this.emit('hello', frame);
        break;
      case 'alerts':
        if (frame.alerts.length) {
          this.lastAlertId = frame.alerts[frame.alerts.length - 1].alert_id;
          this.emit('alerts', frame.alerts);
        }
        break;
      case 'dropped':
      case 'gap':
      case 'resumed':
      case 'subscribed':
      case 'matches':
      case 'error':
        this.emit(frame.type, frame);
        break;
      default:
        this.emit('error', { error: `the node sent an unknown frame type '${frame.type}'` });
    }
  }

  closed(event) {
    this.ws = null;
    this.failures++;
    const delay = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (this.failures - 1)) * (1 + Math.random() * 0.3);
    const why = CLOSE_REASONS[event.code] || (event.reason ? event.reason : `code ${event.code}`);
    const until = Date.now() + delay;
    const tell = () => {
      const left = Math.max(0, Math.ceil((until - Date.now()) / 1000));
      this.setState('waiting', `offline (${why}), retrying in ${left} s`);
    };
    tell();
    this.countdown = setInterval(tell, 1000);
    this.timer = setTimeout(() => {
      clearInterval(this.countdown);
      this.connect();
    }, delay);
  }

  setState(state, text) {
    this.state = state;
    this.stateText = text;
    this.emit('state', { state, text });
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
