// The rules: the list (enable, disable, delete) and the editor (validation as you type, errors at their place,
// a preview of what the draft matches now, save).

import { api, get } from './api.js';
import { debounce, fill, h, notice, num, problem, stamp } from './dom.js';

const CHECK_DELAY_MS = 350;

/** The `when` text equivalent to a rule in the seeds' JSON form (all conditions must hold). */
function conditionsText(conditions) {
  return conditions.map((c) => {
    if (c.op === 'between' && Array.isArray(c.value)) {
      return `${c.metric} between ${c.value[0]} and ${c.value[1]}`;
    }
    return `${c.metric} ${c.op} ${c.metric2 !== undefined ? c.metric2 : c.value}`;
  }).join(' and ');
}

function whenOf(rule) {
  return typeof rule.when === 'string' ? rule.when : Array.isArray(rule.conditions) ? conditionsText(rule.conditions) : '';
}

function universeText(universe) {
  if (!universe) {
    return '';
  }
  const parts = [];
  if (universe.symbols) {
    parts.push(universe.symbols.length > 4 ? `${universe.symbols.slice(0, 4).join(', ')} +${universe.symbols.length - 4}`
      : universe.symbols.join(', '));
  }
  if (universe.min_price !== undefined || universe.max_price !== undefined) {
    parts.push(`${universe.min_price ?? '…'} ≤ price ≤ ${universe.max_price ?? '…'}`);
  }
  return parts.join(' · ');
}

/** `mode`: null (the list alone), {create: true} or {edit: id}. Returns what removes the page. */
export function mountRules(view, mode) {
  const box = h('p.problem', { hidden: true });
  const list = h('table#rules.grid');
  const editorHost = h('div.editor-host');
  const version = h('span.counters');
  view.append(h('section.rules' + (mode ? '.editing' : ''), null,
    h('div.list', null,
      h('div.toolbar', null, h('a.button', { href: '#/rules/new' }, 'new rule'), version),
      box, list),
    editorHost));
  let closeEditor = null;

  async function refresh() {
    try {
      const reply = await get('/api/rules');
      problem(box, null);
      version.textContent = `version ${reply.version} · ${reply.rules.length} rules`;
      showList(reply.rules);
      return reply.rules;
    } catch (e) {
      problem(box, 'the rules could not be loaded: ' + e.message);
      return null;
    }
  }

  function showList(rules) {
    list.replaceChildren(
      h('thead', null, h('tr', null, ['on', 'id', 'name', 'when', 'cooldown', 'universe', ''].map((t) =>
        h('th', null, t)))),
      h('tbody', null, rules.map(ruleRow)));
  }

  function ruleRow(rule) {
    const enabled = rule.enabled !== false;
    const toggle = h('input', { type: 'checkbox', checked: enabled, title: enabled ? 'disable' : 'enable',
      onchange: async () => {
        toggle.disabled = true;
        try {
          await api('POST', `/api/rules/${encodeURIComponent(rule.id)}/${toggle.checked ? 'enable' : 'disable'}`);
          notice(`${rule.id} ${toggle.checked ? 'enabled' : 'disabled'}`);
          refresh();
        } catch (e) {
          toggle.checked = !toggle.checked;
          toggle.disabled = false;
          notice(e.message, 'error');
        }
      } });
    let armed = null;
    const remove = h('button.danger', { type: 'button', onclick: async () => {
      if (!armed) {
        remove.textContent = 'really delete?';
        armed = setTimeout(() => { armed = null; remove.textContent = 'delete'; }, 4000);
        return;
      }
      clearTimeout(armed);
      try {
        await api('DELETE', `/api/rules/${encodeURIComponent(rule.id)}`);
        notice(`${rule.id} deleted`);
        refresh();
      } catch (e) {
        notice(e.message, 'error');
      }
    } }, 'delete');
    return h('tr' + (enabled ? '' : '.disabled'), { dataset: { rule: rule.id } },
      h('td', null, toggle),
      h('td.mono', null, rule.id),
      h('td', { title: rule.description || '' }, rule.name || rule.id),
      h('td.mono.when', null, whenOf(rule),
        rule.when === undefined && rule.conditions ? h('span.muted', null, ' (JSON conditions)') : null),
      h('td.num', null, rule.cooldown_sec ?? 60, ' s'),
      h('td', null, universeText(rule.universe)),
      h('td.actions', null,
        h('a', { href: '#/rules/edit/' + encodeURIComponent(rule.id) }, 'edit'), ' ',
        h('a', { href: '#/screener/' + encodeURIComponent(rule.id) }, 'screener'), ' ',
        remove));
  }

  refresh().then((rules) => {
    if (!mode || !rules) {
      return;
    }
    const rule = mode.edit ? rules.find((r) => r.id === mode.edit) : null;
    if (mode.edit && !rule) {
      problem(box, `there is no rule ${mode.edit}`);
      return;
    }
    closeEditor = mountEditor(editorHost, rule);
  });
  return () => closeEditor?.();
}

/** Where a rule error belongs, from its `place`: a field name of the form, or '' for the form as a whole. */
function fieldOf(place) {
  const p = place || '';
  if (p.startsWith('when') || p.startsWith('conditions')) {
    return 'when';
  }
  for (const field of ['id', 'name', 'description', 'cooldown_sec', 'enabled', 'universe.symbols',
    'universe.min_price', 'universe.max_price']) {
    if (p === field || p.startsWith(field + '.') || p.startsWith(field + '[')) {
      return field;
    }
  }
  return '';
}

/** The editor of `rule` (null: a new one) in `host`; returns what stops it. */
function mountEditor(host, rule) {
  const creating = rule === null;
  const fields = {};
  const errors = {};
  const input = (name, attrs) => {
    fields[name] = h(attrs.multiline ? 'textarea' : 'input', { id: 'rule-' + name.replace('.', '-'),
      name, spellcheck: 'false', autocomplete: 'off', ...attrs, multiline: undefined });
    errors[name] = h('div.field-error', { id: `rule-${name.replace('.', '-')}-error`, hidden: true });
    return fields[name];
  };
  const row = (label, name, attrs, hint) => h('label.field', null, h('span.label', null, label),
    input(name, attrs), hint ? h('span.hint', null, hint) : null, errors[name] || null);

  const universe = rule?.universe || {};
  const mirror = h('div.when-mirror', { 'aria-hidden': 'true' });
  const caret = h('pre.caret', { hidden: true });
  const general = h('div.field-error#rule-errors', { hidden: true });
  const preview = h('div.preview#rule-preview', null, 'Type a condition to see what it matches now.');
  const saveButton = h('button#rule-save', { type: 'submit' }, creating ? 'create' : 'save');
  const form = h('form.editor', { onsubmit: (e) => { e.preventDefault(); submit(); } },
    h('h2', null, creating ? 'New rule' : `Edit ${rule.id}`),
    row('id', 'id', { value: rule?.id ?? '', readOnly: !creating, placeholder: 'momentum-5m' },
      creating ? '1 to 64 of a-z A-Z 0-9 _ -' : 'the id of a saved rule cannot change'),
    row('name', 'name', { value: rule?.name ?? '', placeholder: 'defaults to the id' }),
    row('description', 'description', { value: rule?.description ?? '', multiline: true, rows: 2 }),
    h('label.field', null, h('span.label', null, 'when'),
      h('div.when-box', null, mirror, input('when', { value: rule ? whenOf(rule) : '', multiline: true, rows: 3,
        placeholder: 'change_pct(5m) > 0.5 and rel_volume(5m) > 1.5' })),
      caret, errors.when,
      rule && rule.when === undefined && rule.conditions
        ? h('span.hint', null, 'Written as JSON conditions; saving stores this equivalent text.') : null),
    h('div.pair', null,
      row('cooldown (s)', 'cooldown_sec', { value: rule?.cooldown_sec ?? 60, inputMode: 'numeric' }),
      h('label.check', null, input('enabled', { type: 'checkbox', checked: rule?.enabled !== false }), ' enabled',
        errors.enabled)),
    h('fieldset', null, h('legend', null, 'universe (optional)'),
      row('symbols', 'universe.symbols', { value: (universe.symbols || []).join(', '),
        placeholder: 'all symbols; or AAPL, MSFT' }),
      h('div.pair', null,
        row('min price', 'universe.min_price', { value: universe.min_price ?? '', inputMode: 'decimal' }),
        row('max price', 'universe.max_price', { value: universe.max_price ?? '', inputMode: 'decimal' }))),
    general, preview,
    h('div.toolbar', null, saveButton, h('a', { href: '#/rules' }, 'cancel')));
  host.replaceChildren(form);

  const whenField = fields.when;
  whenField.addEventListener('scroll', () => { mirror.scrollTop = whenField.scrollTop; });
  new ResizeObserver(() => { mirror.style.height = whenField.offsetHeight + 'px'; }).observe(whenField);

  function numberOrText(value) {
    const text = value.trim();
    if (text === '') {
      return undefined;
    }
    const n = Number(text);
    return Number.isFinite(n) ? n : text; // the node says what is wrong with text
  }

  /** The rule as the form has it; fields the form does not show are kept from the saved rule. */
  function draft() {
    const out = { ...(rule || {}) };
    delete out.conditions;
    out.id = fields.id.value.trim();
    for (const key of ['name', 'description']) {
      const value = fields[key].value.trim();
      if (value) {
        out[key] = value;
      } else {
        delete out[key];
      }
    }
    out.when = fields.when.value;
    const cooldown = numberOrText(fields.cooldown_sec.value);
    if (cooldown === undefined) {
      delete out.cooldown_sec;
    } else {
      out.cooldown_sec = cooldown;
    }
    out.enabled = fields.enabled.checked;
    const u = { ...(rule?.universe || {}) };
    const symbols = fields['universe.symbols'].value.split(/[\s,]+/).filter(Boolean);
    if (symbols.length) {
      u.symbols = symbols;
    } else {
      delete u.symbols;
    }
    for (const key of ['min_price', 'max_price']) {
      const value = numberOrText(fields['universe.' + key].value);
      if (value === undefined) {
        delete u[key];
      } else {
        u[key] = value;
      }
    }
    if (Object.keys(u).length) {
      out.universe = u;
    } else {
      delete out.universe;
    }
    return out;
  }

  function showErrors(list) {
    for (const [name, el] of Object.entries(errors)) {
      problem(el, null);
      fields[name].removeAttribute('aria-invalid');
    }
    problem(general, null);
    markColumn(null);
    const byField = new Map();
    for (const raw of list) {
      const error = typeof raw === 'string' ? { message: raw, text: raw } : raw;
      const field = fieldOf(error.place);
      byField.set(field, [...(byField.get(field) || []), error]);
    }
    for (const [field, fieldErrors] of byField) {
      const el = field ? errors[field] : general;
      el.hidden = false;
      el.replaceChildren(...fieldErrors.map((e) =>
        h('div', { title: e.text || '' }, field ? '' : (e.place ? e.place + ': ' : ''), e.message || e.text)));
      if (field) {
        fields[field].setAttribute('aria-invalid', 'true');
      }
      if (field === 'when') {
        const column = fieldErrors.map((e) => /column (\d+)/.exec(e.place || '')).find(Boolean);
        if (column) {
          markColumn(Number(column[1]));
        }
      }
    }
  }

  /** Underlines the character at `column` (1-based, over the whole text) of the `when` field; null clears. */
  function markColumn(column) {
    const text = whenField.value;
    if (column === null) {
      mirror.replaceChildren();
      problem(caret, null);
      return;
    }
    const at = Math.min(Math.max(column - 1, 0), text.length);
    const char = text.slice(at, at + 1);
    mirror.replaceChildren(text.slice(0, at),
      h('mark.when-error', { dataset: { column: String(column) } }, char && char !== '\n' ? char : ' '),
      char === '\n' ? text.slice(at) : text.slice(at + 1));
    mirror.scrollTop = whenField.scrollTop;
    const lineStart = text.lastIndexOf('\n', at - 1) + 1;
    const lineEnd = text.indexOf('\n', at) < 0 ? text.length : text.indexOf('\n', at);
    problem(caret, text.slice(lineStart, lineEnd) + '\n' + ' '.repeat(at - lineStart) + '^ column ' + column);
  }

  let checks = 0;
  let abort = null;
  let knownInvalid = false;

  async function check() {
    const mine = ++checks;
    abort?.abort();
    abort = new AbortController();
    const rule = draft();
    if (!rule.when.trim()) {
      showErrors([]);
      preview.textContent = 'Type a condition to see what it matches now.';
      return;
    }
    try {
      await api('POST', '/api/rules/validate', rule, { signal: abort.signal });
    } catch (e) {
      if (mine !== checks || e.name === 'AbortError') {
        return;
      }
      if (e.status === 422 && e.body && Array.isArray(e.body.errors)) {
        knownInvalid = true;
        saveButton.disabled = true;
        showErrors(e.body.errors);
        preview.textContent = `Not valid: ${e.body.error_count ?? e.body.errors.length} error(s).`;
      } else {
        knownInvalid = false;
        saveButton.disabled = false;
        showErrors([]);
        preview.textContent = 'Cannot check the rule now: ' + e.message;
      }
      return;
    }
    if (mine !== checks) {
      return;
    }
    knownInvalid = false;
    saveButton.disabled = false;
    showErrors([]);
    preview.textContent = 'Valid; asking what it matches…';
    try {
      const reply = await api('POST', '/api/rules/preview', rule, { signal: abort.signal });
      if (mine === checks) {
        showPreview(reply);
      }
    } catch (e) {
      if (mine === checks && e.name !== 'AbortError') {
        preview.textContent = 'Valid, but the preview failed: ' + e.message;
      }
    }
  }

  function showPreview(reply) {
    const matches = reply.matches || [];
    const count = reply.count ?? matches.length;
    const missing = reply.missing || [];
    fill(preview,
      h('strong#rule-preview-count', { dataset: { count: String(count) } },
        `${count} symbol${count === 1 ? '' : 's'} match${count === 1 ? 'es' : ''} now`),
      reply.scan_ts ? ` (scan of ${stamp(reply.scan_ts)})` : '',
      matches.length ? h('div.chips', null, matches.slice(0, 30).map((m) =>
        h('a.chip', { href: '#/symbol/' + encodeURIComponent(m.symbol), title: 'price ' + num(m.price) }, m.symbol)),
      matches.length > 30 ? h('span.muted', null, ` and ${matches.length - 30} more`) : null) : null,
      missing.length ? h('div.warn', null,
        `${missing.length} scanner instance(s) did not answer in time, so this may be fewer: ${missing.join(', ')}`)
        : null);
  }

  const checkSoon = debounce(check, CHECK_DELAY_MS);
  form.addEventListener('input', () => {
    markColumn(null);
    checkSoon();
  });

  async function submit() {
    if (knownInvalid) {
      return;
    }
    saveButton.disabled = true;
    const body = draft();
    try {
      const reply = creating ? await api('POST', '/api/rules', body)
        : await api('PUT', `/api/rules/${encodeURIComponent(rule.id)}`, body);
      notice(`rule ${body.id} saved` + (reply && reply.version !== undefined ? ` (rules version ${reply.version})` : ''));
      location.hash = '#/rules';
    } catch (e) {
      saveButton.disabled = false;
      if (e.status === 422 && e.body && Array.isArray(e.body.errors)) {
        showErrors(e.body.errors);
      } else if (e.status === 409) {
        showErrors([{ place: 'id', message: `a rule with the id ${body.id} exists already` }]);
      } else {
        showErrors([{ place: '', message: e.message }]);
      }
    }
  }

  if (!creating) {
    check();
  }
  (creating ? fields.id : fields.when).focus();
  return () => { abort?.abort(); checks++; };
}
