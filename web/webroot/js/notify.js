// Sound (a WebAudio beep) and browser notifications for the rules the user picked; kept in localStorage.

import { load, save } from './api.js';
import { notice } from './dom.js';

const prefs = load('notify', {}); // rule id -> {sound: bool, notify: bool}
let audio = null;

// A page may start audio only after a user gesture: after a reload, the first click or key brings the beep back.
if (Object.values(prefs).some((p) => p.sound)) {
  const unlock = () => {
    removeEventListener('pointerdown', unlock);
    removeEventListener('keydown', unlock);
    audio = audio || new AudioContext();
    audio.resume();
  };
  addEventListener('pointerdown', unlock);
  addEventListener('keydown', unlock);
}

export const notificationsAvailable = () => typeof Notification !== 'undefined';

export function wants(ruleId, kind) {
  return Boolean(prefs[ruleId] && prefs[ruleId][kind]);
}

/** Turns `kind` ('sound' or 'notify') on or off for a rule; called from a click, so audio and permission may start. */
export async function toggle(ruleId, kind, on) {
  if (on && kind === 'sound') {
    audio = audio || new AudioContext();
    await audio.resume();
  }
  if (on && kind === 'notify') {
    if (!notificationsAvailable()) {
      notice('this browser has no notifications here (they need https or localhost)', 'error');
      return false;
    }
    if (Notification.permission !== 'granted' && await Notification.requestPermission() !== 'granted') {
      notice('notifications were not allowed by the browser', 'error');
      return false;
    }
  }
  prefs[ruleId] = { ...prefs[ruleId], [kind]: on };
  save('notify', prefs);
  return on;
}

function beep() {
  if (!audio || audio.state !== 'running') {
    return;
  }
  const oscillator = audio.createOscillator();
  const gain = audio.createGain();
  oscillator.frequency.value = 880;
  gain.gain.setValueAtTime(0.15, audio.currentTime);
  gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.18);
  oscillator.connect(gain).connect(audio.destination);
  oscillator.start();
  oscillator.stop(audio.currentTime + 0.2);
}

/** One frame's alerts: at most one beep, and one notification per rule, however many alerts the frame holds. */
export function announce(alerts) {
  if (alerts.some((a) => wants(a.rule_id, 'sound'))) {
    beep();
  }
  if (!notificationsAvailable() || Notification.permission !== 'granted') {
    return;
  }
  const byRule = new Map();
  for (const alert of alerts) {
    if (wants(alert.rule_id, 'notify')) {
      byRule.set(alert.rule_id, [...(byRule.get(alert.rule_id) || []), alert]);
    }
  }
  for (const [ruleId, fired] of byRule) {
    const first = fired[0];
    const symbols = fired.map((a) => a.symbol);
    const notification = new Notification(first.rule_name || ruleId, {
      body: symbols.length > 5 ? `${symbols.slice(0, 5).join(', ')} and ${symbols.length - 5} more` : symbols.join(', '),
      tag: 'tickscan-' + ruleId,
    });
    notification.onclick = () => {
      window.focus();
      location.hash = '#/symbol/' + encodeURIComponent(first.symbol);
    };
  }
}
