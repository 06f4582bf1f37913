import { it } from 'node:test';
import assert from 'node:assert/strict';
import { validateComposePayloadSize } from '@phala/cloud';
import { ruleTester } from '../rule-tester.js';
import { PAYLOAD_LIMITS, payloadTooLarge } from './payload-too-large.js';

/** A compose file of exactly `size` UTF-8 bytes: one service and an inline config made of `unit` lines. */
function composeOf(size: number, unit = 'x'.repeat(80)): string {
  const head = 'services:\n  app:\n    image: app:1.2.3\nconfigs:\n  big:\n    content: |\n';
  const line = `      ${unit}\n`;
  let text = head;
  while (Buffer.byteLength(text) + Buffer.byteLength(line) + 100 <= size) text += line;
  const rest = size - Buffer.byteLength(text);
  return `${text}      ${'x'.repeat(rest - 7)}\n`;
}

const manifest = (compose: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ manifest_version: 2, runner: 'docker-compose', docker_compose_file: compose, ...extra });

ruleTester(payloadTooLarge, {
  valid: [
    composeOf(10_000),
    { name: 'just under 80% of the Phala limit', compose: composeOf(Math.floor(PAYLOAD_LIMITS.phalaCloud * 0.79)) },
    {
      name: 'an app-compose.json of 150,000 bytes',
      appCompose: manifest(composeOf(150_000)),
    },
  ],
  invalid: [
    {
      name: 'exactly one byte over 204,800 bytes on Phala Cloud (UTF-8 bytes, not characters)',
      code: composeOf(PAYLOAD_LIMITS.phalaCloud + 1, 'é'.repeat(40)),
      errors: [
        {
          line: 1,
          severity: 'error',
          message: /compose 204,801 bytes = 204,801 bytes, over Phala Cloud's 204,800 bytes/,
        },
      ],
    },
    {
      name: 'exactly at the limit is accepted, but near it',
      code: composeOf(PAYLOAD_LIMITS.phalaCloud),
      errors: [{ severity: 'warning', message: "100% of Phala Cloud's 204,800 bytes limit" }],
    },
    {
      name: 'the pre-launch script counts (.preflight.yml deployment)',
      code: {
        compose: composeOf(190_000),
        config: `deployment:\n  pre_launch_script: |\n${'    echo hello world\n'.repeat(1000)}`,
      },
      errors: [
        { severity: 'error', message: /compose 190,000 bytes \+ pre_launch_script 17,000 bytes = 207,000 bytes/ },
      ],
    },
    {
      name: 'an app-compose.json over Phala but under 256 KiB: a warning naming Phala Cloud',
      code: { appCompose: manifest(composeOf(210_000)) },
      errors: [{ file: 'app-compose.json', severity: 'warning', message: 'if it goes through Phala Cloud' }],
    },
    {
      name: 'the whole app-compose.json counts for the guest: JSON escaping makes it larger than its compose',
      code: { appCompose: manifest(composeOf(150_000, '"'.repeat(20))) },
      errors: [
        { severity: 'error', message: /app-compose\.json is 2\d\d,\d{3} bytes, over the 256 KiB .* v0\.5\.x guest/ },
      ],
    },
  ],
});

it(
  'measures as the real @phala/cloud client does: 204,800 bytes of compose + script pass, one more byte is ' +
    'refused',
  () => {
    const refused = (compose: string, script?: string) => {
      const issues: unknown[] = [];
      validateComposePayloadSize(compose, script, { addIssue: (issue: unknown) => issues.push(issue) } as never);
      return issues.length > 0;
    };
    const script = 'echo é\n'.repeat(1000); // 8,000 bytes, 7,000 characters
    assert.equal(Buffer.byteLength(script), 8000);
    assert.equal(refused(composeOf(PAYLOAD_LIMITS.phalaCloud - 8000, 'é'.repeat(40)), script), false);
    assert.equal(refused(composeOf(PAYLOAD_LIMITS.phalaCloud - 8000 + 1, 'é'.repeat(40)), script), true);
    assert.equal(refused(composeOf(PAYLOAD_LIMITS.phalaCloud)), false);
    assert.equal(refused(composeOf(PAYLOAD_LIMITS.phalaCloud + 1, 'é'.repeat(40))), true);
  },
);
