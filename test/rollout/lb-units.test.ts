import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCsvLine } from '../../src/rollout/lb/haproxy-api.js';
import { serverAddress, serverNames } from '../../src/rollout/lb/haproxy-managed.js';
import {
  MIN_HAPROXY,
  parseHaproxyVersion,
  renderHaproxyConfig,
  shellQuote,
  versionAtLeast,
} from '../../src/rollout/lb/index.js';

// Parts of the balancer code that need no HAProxy binary.

describe('managed HAProxy configuration', () => {
  const base = {
    socketPath: '/tmp/x/admin.sock',
    bind: 'fd@3',
    backend: 'fleet',
    servers: [
      { name: 'a', host: '127.0.0.1', port: 8081 },
      { name: 'b', host: '::1', port: 8082 },
    ],
  };

  it('retries refused and unanswered requests on another server, for idempotent methods', () => {
    const cfg = renderHaproxyConfig(base);
    assert.match(cfg, /^ {2}stats socket \/tmp\/x\/admin\.sock mode 600 level admin expose-fd listeners$/m);
    assert.match(cfg, /^ {2}retries 3$/m);
    assert.match(cfg, /^ {2}option redispatch 1$/m);
    assert.match(cfg, /^ {2}retry-on conn-failure empty-response junk-response$/m);
    assert.match(cfg, /^ {2}http-request disable-l7-retry unless METH_GET \|\| METH_OPTIONS$/m);
    assert.match(cfg, /^ {2}balance roundrobin$/m);
    assert.match(cfg, /^ {2}bind fd@3$/m);
    assert.match(cfg, /^ {2}server a 127\.0\.0\.1:8081 check inter 500 fastinter 500 fall 2 rise 1$/m);
    assert.match(cfg, /^ {2}server b \[::1\]:8082 check /m);
    assert.doesNotMatch(cfg, /httpchk/);
  });

  it('health checks: an HTTP path, or none at all', () => {
    const http = renderHaproxyConfig({ ...base, healthCheck: { path: '/healthz', intervalMs: 200, rise: 2, fall: 3 } });
    assert.match(http, /^ {2}option httpchk GET \/healthz$/m);
    assert.match(http, /server a 127\.0\.0\.1:8081 check inter 200 fastinter 200 fall 3 rise 2$/m);
    const none = renderHaproxyConfig({ ...base, healthCheck: false, retryOn: ['conn-failure'], retries: 1 });
    assert.match(none, /^ {2}server a 127\.0\.0\.1:8081$/m);
    assert.match(none, /^ {2}retry-on conn-failure$/m);
    assert.match(none, /^ {2}retries 1$/m);
  });

  it('server names from instance ids are HAProxy-safe and distinct', () => {
    assert.deepEqual(
      [...serverNames(['web-1', 'web 1', 'web_1', 'cvm/abc;x', ''])],
      [
        ['web-1', 'web-1'],
        ['web 1', 'web_1'],
        ['web_1', 'web_1-2'],
        ['cvm/abc;x', 'cvm_abc_x'],
        ['', 'instance'],
      ],
    );
  });

  it('instance URLs: plain HTTP with host and port only', () => {
    assert.deepEqual(serverAddress('http://127.0.0.1:8080/app'), { host: '127.0.0.1', port: 8080 });
    assert.deepEqual(serverAddress('http://[::1]:81'), { host: '::1', port: 81 });
    assert.deepEqual(serverAddress('http://localhost'), { host: 'localhost', port: 80 });
    assert.throws(() => serverAddress('https://x:1', 'i1'), /instance i1: only http:\/\/ URLs, not 'https:'/);
    assert.throws(() => serverAddress('not a url', 'i2'), /instance i2: invalid URL 'not a url'/);
  });
});

describe('haproxy -v', () => {
  it('parses Debian and upstream version lines', () => {
    const deb = parseHaproxyVersion('HAProxy version 2.6.12-1+deb12u4 2026/10/17 - https://haproxy.org/\nStatus: …');
    assert.deepEqual(deb, { major: 2, minor: 6, patch: 12, text: '2.6.12-1+deb12u4' });
    assert.deepEqual(parseHaproxyVersion('HA-Proxy version 1.8.19 2019/02/11'), {
      major: 1,
      minor: 8,
      patch: 19,
      text: '1.8.19',
    });
    assert.equal(parseHaproxyVersion('nginx version: nginx/1.22.1'), undefined);
  });

  it('compares versions against the minimum', () => {
    assert.equal(versionAtLeast({ major: 2, minor: 6, patch: 12, text: '' }, MIN_HAPROXY), true);
    assert.equal(versionAtLeast({ major: 2, minor: 0, patch: 0, text: '' }, MIN_HAPROXY), true);
    assert.equal(versionAtLeast({ major: 1, minor: 9, patch: 16, text: '' }, MIN_HAPROXY), false);
    assert.equal(versionAtLeast({ major: 3, minor: 0, patch: 0, text: '' }, MIN_HAPROXY), true);
  });
});

describe('runtime API answers', () => {
  it('CSV lines with quoted fields', () => {
    assert.deepEqual(parseCsvLine('fleet,a,0,,"DOWN, 1/2","say ""hi""",'), [
      'fleet',
      'a',
      '0',
      '',
      'DOWN, 1/2',
      'say "hi"',
      '',
    ]);
  });

  it('shell quoting makes any value one word', () => {
    assert.equal(shellQuote("it's"), "'it'\\''s'");
    assert.equal(shellQuote(''), "''");
  });
});
