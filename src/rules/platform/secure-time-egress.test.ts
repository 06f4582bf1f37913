import { ruleTester } from '../rule-tester.js';
import { secureTimeEgress } from './secure-time-egress.js';

const COMPOSE = 'services:\n  app:\n    image: app:1.2.3\n';
const manifest = (fields: Record<string, unknown>) =>
  JSON.stringify({ manifest_version: 2, runner: 'docker-compose', docker_compose_file: COMPOSE, ...fields }, null, 2);

ruleTester(secureTimeEgress, {
  valid: [
    { name: 'Phala Cloud defaults (secure_time off)', compose: COMPOSE },
    { name: 'turned off in the manifest', appCompose: manifest({ secure_time: false }) },
    { name: 'turned off in .preflight.yml', compose: COMPOSE, config: 'deployment:\n  secure_time: false\n' },
  ],
  invalid: [
    {
      name: 'written in the manifest',
      code: { appCompose: manifest({ secure_time: true }) },
      errors: [{ file: 'app-compose.json', line: 5, severity: 'info', message: /^secure_time is on: .*UDP 123/ }],
    },
    {
      name: "dstack's default when the manifest omits it",
      code: { appCompose: manifest({}) },
      errors: [{ message: "dstack's default" }],
    },
    {
      name: '.preflight.yml',
      code: { compose: COMPOSE, config: 'deployment:\n  secure_time: true\n' },
      errors: [{ file: '.preflight.yml', line: 2, message: 'secure_time is on:' }],
    },
  ],
});
