import { ruleTester } from '../rule-tester.js';
import { manifestVersionRequired } from './manifest-version-required.js';

const COMPOSE = 'services:\n  app:\n    image: app:1.2.3\n';
const manifest = (fields: Record<string, unknown>) =>
  JSON.stringify({ runner: 'docker-compose', docker_compose_file: COMPOSE, ...fields }, null, 2);

ruleTester(manifestVersionRequired, {
  valid: [
    { name: 'Phala Cloud defaults', compose: COMPOSE },
    {
      name: 'a version-2 manifest with version-2 fields',
      appCompose: manifest({ manifest_version: 2, init_script: 'echo hi' }),
    },
    { name: 'one init script in a list', appCompose: manifest({ manifest_version: 2, init_script: ['echo hi'] }) },
    {
      name: 'requirements, nerdctl and several init scripts with manifest_version "3"',
      appCompose: manifest({
        manifest_version: '3',
        runner: 'nerdctl-compose',
        requirements: { os_version: '>=0.6.0' },
        init_script: ['echo a', 'echo b'],
      }),
    },
    { name: 'the string form of an older version', appCompose: manifest({ manifest_version: '2' }) },
  ],
  invalid: [
    {
      name: 'requirements without version 3 points at requirements',
      code: { appCompose: manifest({ manifest_version: 2, requirements: { os_version: '>=0.6.0' } }) },
      errors: [
        {
          file: 'app-compose.json',
          line: 5,
          message: /requirements: manifest_version "3" \(a string\) is required, but it is 2/,
        },
      ],
    },
    {
      name: 'nerdctl-compose and several init scripts, manifest_version not set',
      code: { appCompose: manifest({ runner: 'nerdctl-compose', init_script: ['echo a', 'echo b'] }) },
      errors: [{ line: 2, message: 'runner nerdctl-compose' }, { message: /2 init scripts.*not set/ }],
    },
    {
      name: 'the number 3',
      code: { appCompose: manifest({ manifest_version: 3, requirements: {} }) },
      errors: [{ message: /manifest_version 3 is a number.*write the string "3"/ }],
    },
    {
      name: 'above 3',
      code: { appCompose: manifest({ manifest_version: '4' }) },
      errors: [{ message: 'above 3' }],
    },
    {
      name: 'not canonical',
      code: { appCompose: manifest({ manifest_version: '03' }) },
      errors: [{ message: 'not a canonical integer string' }],
    },
    {
      name: '.preflight.yml deployment',
      code: { compose: COMPOSE, config: 'deployment:\n  requirements:\n    os_version: ">=0.6.0"\n' },
      errors: [{ file: '.preflight.yml', line: 2, message: 'but it is 2' }],
    },
  ],
});
