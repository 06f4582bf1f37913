import { ruleTester } from '../rule-tester.js';
import { preLaunchNotOrdered } from './pre-launch-not-ordered.js';

const WEB = 'services:\n  web:\n    image: web:1\n    restart: always\n    ports: ["80:8080"]\n';
const withScript = (compose: string) =>
  JSON.stringify({ manifest_version: 2, pre_launch_script: '#!/bin/sh\necho hi\n', docker_compose_file: compose });

/**
 * The shape of Phala Cloud's default script (its opening and closing lines; the body in between is
 * a few stand-in lines of what it does, not its text): what Phala Cloud writes into app-compose.json.
 */
const PHALA_DEFAULT = (version: string, extra = '') =>
  [
    '#!/bin/bash',
    'echo "----------------------------------------------"',
    `echo "Running Phala Cloud Pre-Launch Script ${version}"`,
    'echo "----------------------------------------------"',
    'set -e',
    'docker image prune -af',
    'docker compose -f /dstack/docker-compose.yaml pull || true',
    'export DSTACK_APP_ID=app',
    'echo "----------------------------------------------"',
    'echo "Script execution completed"',
    'echo "----------------------------------------------"',
    extra,
  ].join('\n');
const withDefault = (script: string) =>
  JSON.stringify({ manifest_version: 2, pre_launch_script: script, docker_compose_file: WEB });
const NO_OLD_VERSION = 'rules:\n  restart-serves-old-version: off\n';

const COMPOSE =
  'services:\n  app:\n    image: app:1\n    restart: always\n  job:\n    image: job:1\n    restart: on-failure\n';

ruleTester(preLaunchNotOrdered, {
  valid: [
    { name: 'no pre-launch script', compose: COMPOSE },
    {
      name: "Phala Cloud's default script (v0.0.19) prepares nothing a container reads at start",
      appCompose: withDefault(PHALA_DEFAULT('v0.0.19')),
      config: NO_OLD_VERSION,
    },
    {
      name: 'an older default script, with CRLF line ends',
      appCompose: withDefault(PHALA_DEFAULT('v0.0.7').replace(/\n/g, '\r\n')),
      config: NO_OLD_VERSION,
    },
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
      name: 'the default script with a step of its own after it is a custom script',
      code: {
        appCompose: withDefault(PHALA_DEFAULT('v0.0.19', 'mkdir -p /dstack/data && cp /dstack/seed.db /dstack/data/')),
        config: NO_OLD_VERSION,
      },
      errors: [{ service: 'web', message: 'before the pre_launch_script has run' }],
    },
    {
      name: 'a script that only prints the banner is not the default one',
      code: {
        appCompose: withDefault(
          '#!/bin/bash\necho "Running Phala Cloud Pre-Launch Script v0.0.19"\ntouch /dstack/ready\n',
        ),
        config: NO_OLD_VERSION,
      },
      errors: [{ service: 'web', message: 'before the pre_launch_script has run' }],
    },
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
