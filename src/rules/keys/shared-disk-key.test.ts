import { ruleTester } from '../rule-tester.js';
import { sharedDiskKey } from './shared-disk-key.js';

const COMPOSE = 'services:\n  app:\n    image: app:1\n';

ruleTester(sharedDiskKey, {
  valid: [
    COMPOSE,
    { name: 'explicitly false', compose: COMPOSE, config: 'deployment:\n  no_instance_id: false\n' },
    {
      name: 'app-compose.json without the field',
      appCompose: JSON.stringify({ manifest_version: 2, kms_enabled: true, docker_compose_file: COMPOSE }),
    },
  ],
  invalid: [
    {
      name: '.preflight.yml',
      code: { compose: COMPOSE, config: 'deployment:\n  kms_enabled: true\n  no_instance_id: true\n' },
      errors: [{ file: '.preflight.yml', line: 3, column: 3, message: 'share one disk encryption key' }],
    },
    {
      name: 'app-compose.json: points at the field, no service',
      code: {
        appCompose: JSON.stringify(
          { manifest_version: 2, no_instance_id: true, docker_compose_file: COMPOSE },
          null,
          2,
        ),
      },
      errors: [{ file: 'app-compose.json', line: 3, column: 3, message: 'no_instance_id is true' }],
    },
  ],
});
