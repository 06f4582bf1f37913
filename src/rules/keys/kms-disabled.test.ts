import { ruleTester } from '../rule-tester.js';
import { kmsDisabled } from './kms-disabled.js';

const AGENT_COMPOSE =
  'services:\n  app:\n    image: app:1\n    volumes:\n      - /var/run/dstack.sock:/var/run/dstack.sock\n';

ruleTester(kmsDisabled, {
  valid: [
    {
      name: 'Phala Cloud defaults: KMS on',
      compose: AGENT_COMPOSE,
    },
    {
      name: 'app-compose.json with kms_enabled true',
      appCompose: JSON.stringify(
        { manifest_version: 2, kms_enabled: true, docker_compose_file: AGENT_COMPOSE },
        null,
        2,
      ),
    },
    {
      name: 'no KMS but nobody uses the guest agent',
      compose: `
        services:
          app: { image: app:1 }
      `,
      config: `
        deployment:
          kms_enabled: false
      `,
    },
    {
      name: 'explicit key_provider kms',
      compose: AGENT_COMPOSE,
      config: `
        deployment:
          key_provider: kms
      `,
    },
  ],
  invalid: [
    {
      name: '.preflight.yml turns KMS off: points at kms_enabled',
      code: {
        compose: AGENT_COMPOSE,
        config: `
          deployment:
            public_logs: false
            kms_enabled: false
        `,
      },
      errors: [
        {
          file: '.preflight.yml',
          line: 3,
          column: 3,
          severity: 'error',
          message: 'service "app" uses the guest agent',
        },
      ],
    },
    {
      name: 'app-compose.json without kms_enabled (dstack default false), legacy socket too',
      code: {
        appCompose: JSON.stringify({
          manifest_version: 2,
          docker_compose_file:
            'services:\n  a:\n    image: a:1\n    volumes: ["/var/run/tappd.sock:/var/run/tappd.sock"]\n  ' +
            'b:\n    image: b:1\n    volumes: ["/var/run/dstack.sock:/var/run/dstack.sock"]\n',
        }),
      },
      errors: [
        {
          file: 'app-compose.json',
          line: 1,
          severity: 'error',
          message: 'services "a", "b" use the guest agent for keys, but there is no key provider',
        },
      ],
    },
    {
      name: 'local key provider: warning, points at key_provider',
      code: {
        appCompose: JSON.stringify(
          { manifest_version: '3', kms_enabled: false, key_provider: 'local', docker_compose_file: AGENT_COMPOSE },
          null,
          2,
        ),
      },
      errors: [{ file: 'app-compose.json', line: 4, severity: 'warning', message: 'the key provider is "local"' }],
    },
  ],
});
