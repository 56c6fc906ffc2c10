// REST calls to the node and what this browser remembers (localStorage).

/** Reads a JSON value kept under `tickscan.<key>`; `fallback` when absent or unreadable. */
export function load(key, fallback) {
  try {
    const text = localStorage.getItem('tickscan.' + key);
    return text === null ? fallback : JSON.parse(text);
  } catch (e) {
    return fallback;
  }
}

/** Keeps a JSON value under `tickscan.<key>` (silently not, when storage is refused). */
export function save(key, value) {
  try {
    localStorage.setItem('tickscan.' + key, JSON.stringify(value));
  } catch (e) {
    // private browsing or a full quota: the setting lasts for this page only
  }
}

export function token() {
  return load('token', '');
}

/** A failed call: `status` 0 when the node could not be reached; `body` the parsed JSON reply, if any. */
class ApiError extends Error {
  constructor(method, path, status, body, cause) {
    const said = body && typeof body.error === 'string' ? body.error : cause ? cause.message : '';
    super(`${method} ${path}: ` + (status === 0 ? 'the node could not be reached' : `${status}`)
      + (said ? ` ${said}` : '') + (status === 401 ? ' (set the API token in settings)' : ''));
    this.status = status;
    this.body = body;
  }
}

/**
 * Calls the API and returns the parsed JSON body of a 2xx reply. Anything else throws an ApiError, which keeps the
 * reply's body (a 422 carries the rule errors). Changes carry the token as `Authorization: Bearer`.
 */
export async function api(method, path, body, { signal } = {}) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
  }
  if (method !== 'GET' && token()) {
    headers.authorization = 'Bearer ' + token();
  }
  let response;
  try {
    response = await fetch(path, {
      method, headers, signal, cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    if (e.name === 'AbortError') {
      throw e;
    }
    throw new ApiError(method, path, 0, null, e);
  }
  const text = await response.text();
  let parsed = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      parsed = { error: text.slice(0, 200) };
    }
  }
  if (!response.ok) {
    throw new ApiError(method, path, response.status, parsed);
  }
  return parsed;
}

export const get = (path, options) => api('GET', path, undefined, options);
