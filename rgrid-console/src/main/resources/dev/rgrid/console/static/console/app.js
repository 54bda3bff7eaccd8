// The console's shell: who is signed in, and which page the address names. Every page has its own
// address (#/executions?status=FAILED, #/executions/exec_…, #/batches/batch_…, #/workers), so it
// can be shared, reloaded and reached with the browser's back button.

import { api, ApiError, setCsrfToken } from './api.js';
import { replace } from './dom.js';
import * as signIn from './pages/signin.js';
import * as executions from './pages/executions.js';
import * as execution from './pages/execution.js';
import * as batches from './pages/batches.js';
import * as batch from './pages/batch.js';
import * as costs from './pages/costs.js';
import * as workers from './pages/workers.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
const signOutButton = document.getElementById('sign-out');
let session = null;
let leave = () => {};

/** The page for the current address: [page module, path parameter]. */
function route(path) {
  let m;
  if ((m = path.match(/^\/executions\/([A-Za-z0-9_-]+)$/))) {
    return [execution, m[1]];
  }
  if ((m = path.match(/^\/batches\/([A-Za-z0-9_-]+)$/))) {
    return [batch, m[1]];
  }
  if (path === '/batches') {
    return [batches, null];
  }
  if (path === '/costs') {
    return [costs, null];
  }
  if (path === '/workers') {
    return [workers, null];
  }
  return [executions, null];
}

/** The current address as path and query parameters. */
function address() {
  const hash = location.hash.replace(/^#/, '') || '/executions';
  const q = hash.indexOf('?');
  return {
    path: q < 0 ? hash : hash.substring(0, q),
    params: new URLSearchParams(q < 0 ? '' : hash.substring(q + 1)),
  };
}

function show() {
  leave();
  leave = () => {};
  if (!session) {
    nav.hidden = true;
    signOutButton.hidden = true;
    replace(who);
    document.title = 'Sign in · RGrid console';
    leave = signIn.render(main, { onSignedIn: signedIn }) || leave;
    return;
  }
  nav.hidden = false;
  signOutButton.hidden = false;
  replace(who, 'Account ' + session.account + (session.readOnly ? ' (read-only)' : ''));
  const { path, params } = address();
  const [page, id] = route(path);
  // A read-only key may change nothing (the server refuses it with 403): its pages show no action.
  leave = page.render(main, { id, params, readOnly: Boolean(session.readOnly),
    onSignedOut: signedOut }) || leave;
  main.focus({ preventScroll: true });
}

function signedIn(s) {
  session = s;
  setCsrfToken(s.csrfToken);
  show();
}

function signedOut() {
  session = null;
  setCsrfToken(null);
  show();
}

signOutButton.addEventListener('click', async () => {
  try {
    await api('DELETE', '/session');
  } finally {
    signedOut();
  }
});

window.addEventListener('hashchange', show);
window.addEventListener('rgrid:unauthorized', signedOut);

async function start() {
  try {
    signedIn(await api('GET', '/session'));
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401) {
      console.error(e);
    }
    signedOut();
  }
}

start();
