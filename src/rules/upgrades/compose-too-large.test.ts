import { ruleTester } from '../rule-tester.js';
import { composeTooLarge } from './compose-too-large.js';

/** A compose file of about `kb` KB: one service with a long inline config. */
function composeOf(kb: number): string {
  const line = '      # ' + 'x'.repeat(90) + '\n';
  const lines = Math.ceil((kb * 1024) / line.length);
  return 'services:\n  app:\n    image: app:1\n' + 'configs:\n  big:\n    content: |\n' + line.repeat(lines);
}

ruleTester(composeTooLarge, {
  valid: [composeOf(10), { name: 'just under the warning threshold', compose: composeOf(155) }],
  invalid: [
    {
      name: 'near the cap: warning',
      code: composeOf(180),
      errors: [{ line: 1, severity: 'warning', message: "of Phala Cloud's ~200.0 KB cap" }],
    },
    {
      name: 'over the cap: error',
      code: composeOf(210),
      errors: [{ line: 1, severity: 'error', message: 'the deploy is refused' }],
    },
    {
      name: 'the pre-launch script counts too (app-compose.json)',
      code: {
        appCompose: JSON.stringify(
          {
            manifest_version: 2,
            docker_compose_file: composeOf(120),
            pre_launch_script: '#!/bin/sh\n' + 'echo hi\n'.repeat(12_000),
          },
          null,
          2,
        ),
      },
      errors: [
        {
          file: 'app-compose.json',
          severity: 'error',
          message: /compose 1\d\d\.\d KB \+ pre_launch_script \d+\.\d KB/,
        },
      ],
    },
  ],
});
