// Renders the server's OpenAPI document with Swagger UI. "Try it out" works with an API key
// (Authorize) or, signed in to the console, with its session: calls that change something then
// carry the session's CSRF token, as the console's own do.

let csrfToken = null;

fetch('/api/v1/session', { credentials: 'same-origin' })
  .then((r) => (r.ok ? r.json() : null))
  .then((s) => {
    csrfToken = s && s.csrfToken;
  })
  .catch(() => {});

window.addEventListener('DOMContentLoaded', () => {
  window.ui = SwaggerUIBundle({
    url: '/api/v1/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    requestInterceptor: (request) => {
      if (csrfToken && request.method && !['GET', 'HEAD', 'OPTIONS'].includes(
        request.method.toUpperCase())) {
        request.headers['X-CSRF-Token'] = csrfToken;
      }
      return request;
    },
  });
});
