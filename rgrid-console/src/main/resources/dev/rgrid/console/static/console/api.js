// The console's only way to the server: the public REST API under /api/v1, authenticated by the
// session cookie. State-changing calls carry the session's CSRF token in a header, which a page of
// another origin cannot read nor set.

let csrfToken = null;

/** An answer other than 2xx, with the API's error body ({code, message, hint}). */
export class ApiError extends Error {
  constructor(status, error) {
    super(error && error.message ? error.message : 'HTTP ' + status);
    this.status = status;
    this.code = error && error.code;
    this.hint = error && error.hint;
  }
}

/** Remembers (or forgets, with null) the token sent with state-changing calls. */
export function setCsrfToken(token) {
  csrfToken = token;
}

/** Calls the API: method, path under /api/v1 (with its query), optional JSON body. */
export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) {
    headers['X-CSRF-Token'] = csrfToken;
  }
  const response = await fetch('/api/v1' + path, {
    method, headers, credentials: 'same-origin', cache: 'no-store',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch (e) {
    json = null;
  }
  if (response.status === 401 && path !== '/session') {
    // The session ended (expired, signed out elsewhere, key revoked): back to the sign-in form.
    window.dispatchEvent(new Event('rgrid:unauthorized'));
  }
  if (!response.ok) {
    throw new ApiError(response.status, json && json.error ? json.error : { message: text });
  }
  return json;
}

/** The address of a WebSocket route of the API on this page's own host. */
export function socketUrl(path) {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return scheme + '//' + location.host + '/api/v1' + path;
}
