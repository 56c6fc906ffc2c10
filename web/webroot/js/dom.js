// Building elements, formatting values, and notices.

/**
 * Creates an element: `h('td.num', {title: 'x'}, 'text', child)`. The tag may carry `.class` and `#id`.
 * Keys starting with `on` are listeners, `dataset` an object; other strings are attributes, and `value` and every
 * value that is not a string (`hidden: true`, `rows: 3`) a property. Null, undefined and false are left out.
 */
export function h(tag, attrs, ...children) {
  const [name, ...rest] = tag.split(/(?=[.#])/);
  const el = document.createElement(name);
  for (const part of rest) {
    if (part[0] === '.') {
      el.classList.add(part.slice(1));
    } else {
      el.id = part.slice(1);
    }
  }
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) {
        continue;
      }
      if (key.startsWith('on')) {
        el.addEventListener(key.slice(2), value);
      } else if (key === 'dataset') {
        Object.assign(el.dataset, value);
      } else if (key === 'value' || typeof value !== 'string') {
        el[key] = value;
      } else {
        el.setAttribute(key, value);
      }
    }
  }
  append(el, children);
  return el;
}

/** Replaces the children of `el`, leaving out null, undefined and false as `h` does. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) {
      continue;
    }
    if (Array.isArray(child)) {
      append(el, child);
    } else {
      el.append(child instanceof Node ? child : String(child));
    }
  }
}

const numberFormats = new Map();

/** A number for a dense table: at most `digits` fraction digits (fewer for large values), or '—' for none. */
export function num(value, digits = 4) {
  if (value === null || value === undefined || Number.isNaN(value)) {
    return '—';
  }
  if (typeof value !== 'number') {
    return String(value);
  }
  const abs = Math.abs(value);
  const fraction = abs >= 100000 ? 0 : abs >= 1000 ? Math.min(digits, 2) : digits;
  let format = numberFormats.get(fraction);
  if (!format) {
    format = new Intl.NumberFormat(undefined, { maximumFractionDigits: fraction });
    numberFormats.set(fraction, format);
  }
  return format.format(value);
}

const pad = (n, width = 2) => String(n).padStart(width, '0');

/** Epoch ms as the local time of day, `14:03:07`. */
export function clock(ms) {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Epoch ms as local date and time, `2026-03-01 14:03:07`. */
export function stamp(ms) {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${clock(ms)}`;
}

/** A duration in ms as `3 d 4 h`, `12 min 5 s`, `850 ms`. */
export function duration(ms) {
  if (ms < 1000) {
    return `${Math.round(ms)} ms`;
  }
  const s = Math.floor(ms / 1000);
  const parts = [[Math.floor(s / 86400), 'd'], [Math.floor(s / 3600) % 24, 'h'], [Math.floor(s / 60) % 60, 'min'],
    [s % 60, 's']];
  const first = parts.findIndex(([n]) => n > 0);
  return parts.slice(first, first + 2).filter(([n]) => n > 0).map(([n, unit]) => `${n} ${unit}`).join(' ');
}

/** A box in a page saying what failed; `null` message removes it. */
export function problem(box, message) {
  box.hidden = !message;
  box.textContent = message || '';
}

/** A short notice at the top of the page that goes away by itself (errors stay 10 s). */
export function notice(message, kind = 'info') {
  const host = document.getElementById('notices');
  const el = h('div.notice.' + kind, { role: kind === 'error' ? 'alert' : 'status' }, message,
    h('button.close', { type: 'button', title: 'dismiss', onclick: () => el.remove() }, '×'));
  host.append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 10000 : 4000);
}

/** Calls `fn` once `ms` passed without another call. */
export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
