import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allowedHosts, checkRequest, displayHost, isLoopback, newToken, sameToken, tokenCookie } from '../../../src/cli/ui/security.js';
import type { RequestFacts, ServedAddress } from '../../../src/cli/ui/security.js';

const token = newToken();
const served: ServedAddress = { port: 4321, token, hosts: allowedHosts('127.0.0.1', 4321) };

function facts(fields: Partial<RequestFacts> & { headers?: Record<string, string> }): RequestFacts {
  return { method: 'GET', path: '/api/state', queryToken: null, ...fields, headers: { host: '127.0.0.1:4321', ...fields.headers } };
}

function verdict(fields: Partial<RequestFacts> & { headers?: Record<string, string> }): string {
  const v = checkRequest(facts(fields), served);
  return v.ok ? `ok via ${v.via}` : `${v.status} ${v.code}`;
}

describe('the ui token', () => {
  it('has at least 128 random bits, and differs every time', () => {
    assert.match(token, /^[A-Za-z0-9_-]{43}$/); // 32 bytes
    assert.notEqual(newToken(), token);
  });

  it('goes in a cookie scripts cannot read and other sites never send', () => {
    assert.equal(tokenCookie(4321, 'abc'), 'tasktree-ui-4321=abc; HttpOnly; SameSite=Strict; Path=/');
  });

  it('is compared whole', () => {
    assert.equal(sameToken(token, token), true);
    assert.equal(sameToken(token.slice(0, -1), token), false);
    assert.equal(sameToken(`${token}x`, token), false);
  });
});

describe('checkRequest', () => {
  it('refuses a request without a token with 401, and one with a wrong token with 403', () => {
    assert.equal(verdict({}), '401 NO_TOKEN');
    assert.equal(verdict({ headers: { authorization: 'Bearer nope' } }), '403 BAD_TOKEN');
    assert.equal(verdict({ headers: { cookie: 'tasktree-ui-4321=nope' } }), '403 BAD_TOKEN');
  });

  it('takes the token from the cookie of this port or a Bearer header', () => {
    assert.equal(verdict({ headers: { cookie: `other=1; tasktree-ui-4321=${token}` } }), 'ok via cookie');
    assert.equal(verdict({ headers: { cookie: `tasktree-ui-9999=${token}` } }), '401 NO_TOKEN');
    assert.equal(verdict({ headers: { authorization: `Bearer ${token}` } }), 'ok via header');
  });

  it('takes the token from the address only for the first load of the page', () => {
    assert.equal(verdict({ path: '/', queryToken: token }), 'ok via query');
    assert.equal(verdict({ path: '/api/state', queryToken: token }), '401 NO_TOKEN');
    assert.equal(verdict({ path: '/', queryToken: 'nope' }), '403 BAD_TOKEN');
    // A stale cookie from an earlier run on this port does not stand in the way of the new address.
    assert.equal(verdict({ path: '/', queryToken: token, headers: { cookie: 'tasktree-ui-4321=old' } }), 'ok via query');
  });

  it('refuses a Host that does not name the server, even with the token (DNS rebinding)', () => {
    assert.equal(verdict({ headers: { host: 'evil.example:4321', cookie: `tasktree-ui-4321=${token}` } }), '403 BAD_HOST');
    assert.equal(verdict({ headers: { host: '127.0.0.1:80', cookie: `tasktree-ui-4321=${token}` } }), '403 BAD_HOST');
    assert.equal(verdict({ headers: { host: 'localhost:4321', cookie: `tasktree-ui-4321=${token}` } }), 'ok via cookie');
  });

  it('refuses any request from another origin, and a cookie-only POST that names no origin', () => {
    const cookie = `tasktree-ui-4321=${token}`;
    assert.equal(verdict({ method: 'POST', path: '/api/cancel', headers: { cookie, origin: 'http://127.0.0.1:4321' } }), 'ok via cookie');
    assert.equal(verdict({ method: 'POST', path: '/api/cancel', headers: { cookie, origin: 'http://evil.example' } }), '403 BAD_ORIGIN');
    assert.equal(verdict({ method: 'POST', path: '/api/cancel', headers: { cookie, origin: 'null' } }), '403 BAD_ORIGIN');
    assert.equal(verdict({ method: 'POST', path: '/api/cancel', headers: { cookie } }), '403 BAD_ORIGIN');
    // Nor may another origin read anything.
    assert.equal(verdict({ headers: { cookie, origin: 'http://127.0.0.1:9999' } }), '403 BAD_ORIGIN');
    assert.equal(verdict({ headers: { cookie, origin: 'http://127.0.0.1:4321' } }), 'ok via cookie');
    // A program (no browser, so no Origin) with the token in a header may.
    assert.equal(verdict({ method: 'POST', path: '/api/cancel', headers: { authorization: `Bearer ${token}` } }), 'ok via header');
  });
});

describe('hosts', () => {
  it('allows the served address, and for a wildcard every address of the machine', () => {
    assert.deepEqual([...allowedHosts('127.0.0.1', 5)].sort(), ['127.0.0.1:5', 'localhost:5']);
    assert.ok(allowedHosts('0.0.0.0', 5).has('127.0.0.1:5'));
    assert.ok(allowedHosts('::1', 5).has('[::1]:5'));
    assert.ok(allowedHosts('127.0.0.1', 80).has('127.0.0.1'));
  });

  it('tells loopback addresses from the others', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) assert.equal(isLoopback(host), true, host);
    for (const host of ['0.0.0.0', '::', '10.0.0.1', 'example.com']) assert.equal(isLoopback(host), false, host);
  });

  it('prints a loopback address for a wildcard', () => {
    assert.equal(displayHost('0.0.0.0'), '127.0.0.1');
    assert.equal(displayHost('::'), '[::1]');
    assert.equal(displayHost('::1'), '[::1]');
    assert.equal(displayHost('example.com'), 'example.com');
  });
});
