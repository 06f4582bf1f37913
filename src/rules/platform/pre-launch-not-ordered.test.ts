import { ruleTester } from '../rule-tester.js';
import { preLaunchNotOrdered } from './pre-launch-not-ordered.js';

const WEB = 'services:\n  web:\n    image: web:1\n    restart: always\n    ports: ["80:8080"]\n';
const withScript = (compose: string) =>
  JSON.stringify({ manifest_version: 2, pre_launch_script: '#!/bin/sh\necho hi\n', docker_compose_file: compose });

const COMPOSE =
  'services:\n  app:\n    image: app:1\n    restart: always\n  job:\n    image: job:1\n    restart: on-failure\n';

ruleTester(preLaunchNotOrdered, {
  valid: [
    { name: 'no pre-launch script', compose: COMPOSE },
    {
      name: 'empty script',
      appCompose: JSON.stringify({ manifest_version: 2, pre_launch_script: '  \n', docker_compose_file: COMPOSE }),
    },
    {
      name: 'script, but no service dockerd restarts by itself',
      appCompose: JSON.stringify({
        manifest_version: 2,
        pre_launch_script: '#!/bin/sh\necho hi\n',
        docker_compose_file: 'services:\n  app:\n    image: app:1\n    restart: on-failure\n',
      }),
    },
    {
      name: 'a service restart-serves-old-version reports: its message says this too (one line, one finding)',
      appCompose: withScript(WEB),
    },
  ],
  invalid: [
    {
      name: 'restart-serves-old-version turned off: this rule reports the service itself',
      code: { appCompose: withScript(WEB), config: 'rules:\n  restart-serves-old-version: off\n' },
      errors: [{ service: 'web', message: 'before the pre_launch_script has run' }],
    },
    {
      name: 'app-compose.json: points at the restart value',
      code: {
        appCompose: JSON.stringify({
          manifest_version: 2,
          pre_launch_script: '#!/bin/sh\ndocker login\n',
          docker_compose_file: COMPOSE,
        }),
      },
      errors: [
        {
          file: 'app-compose.json#docker_compose_file',
          line: 4,
          column: 14,
          service: 'app',
          severity: 'info',
          message: 'restart: always',
        },
      ],
    },
    {
      name: '.preflight.yml deployment.pre_launch_script',
      code: {
        compose: 'services:\n  app:\n    image: app:1\n    restart: unless-stopped\n',
        config: 'deployment:\n  pre_launch_script: |\n    #!/bin/sh\n    mkdir -p /dstack/persistent/app\n',
      },
      errors: [{ line: 4, service: 'app', message: 'unless-stopped' }],
    },
  ],
});
