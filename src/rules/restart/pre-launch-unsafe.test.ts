import { ruleTester } from '../rule-tester.js';
import { preLaunchUnsafe } from './pre-launch-unsafe.js';

const ALWAYS = 'services:\n  app:\n    image: app:1.2.3\n    restart: always\n';
const ON_FAILURE = 'services:\n  app:\n    image: app:1.2.3\n    restart: on-failure:3\n';
const NO_RESTART = 'services:\n  app:\n    image: app:1.2.3\n    restart: "no"\n  job:\n    image: job:1.0.0\n';

const manifest = (script: string, extra: Record<string, unknown> = {}, compose = ALWAYS) =>
  JSON.stringify({
    manifest_version: 2,
    runner: 'docker-compose',
    docker_compose_file: compose,
    pre_launch_script: script,
    ...extra,
  });

/** The shape of Phala Cloud's default script (v0.0.19): login, fail-fast checks that are not gates, pull. */
const DEFAULT_LIKE = `#!/bin/bash
set -e
if [[ -n "$DSTACK_DOCKER_USERNAME" && -n "$DSTACK_DOCKER_PASSWORD" ]]; then
    DOCKER_REGISTRY_TARGET="\${DSTACK_DOCKER_REGISTRY:-docker.io}"
    if ! echo "$DSTACK_DOCKER_PASSWORD" | docker login -u "$DSTACK_DOCKER_USERNAME" --password-stdin; then
        echo "Docker login failed: $DOCKER_REGISTRY_TARGET"
        exit 1
    fi
fi
if ! curl "https://example.com/tool.zip" -o "tool.zip"; then
    exit 1
fi
if ! echo "6ff031a26df7daebbfa3ccddc9af1450 tool.zip" | md5sum -c; then
    echo "MD5 checksum failed"
    exit 1
fi
token=$(curl -sf "https://ghcr.io/token?scope=repository:x:pull" | jq -r '.token // empty' || true)
if [[ -z "$token" ]]; then
    exit 1
fi
http_code=$(curl -s -o /dev/null -w "%{http_code}" "https://ghcr.io/v2/x/manifests/latest")
if [[ "$http_code" != "200" ]]; then
    exit 1
fi
docker compose -f /dstack/docker-compose.yaml pull || true
`;

const GATE = `#!/bin/bash
actual=$(sha256sum /dstack/persistent/model.bin | cut -d' ' -f1)
if [ "$actual" != "$MODEL_HASH" ]; then
  echo "model hash mismatch"
  exit 1
fi
`;

ruleTester(preLaunchUnsafe, {
  valid: [
    { name: 'no pre-launch script', compose: ALWAYS },
    {
      name: 'every variable is assigned, guarded or passed by the guest',
      appCompose: manifest(
        'set -euo pipefail\nDIR=/dstack/persistent\nmkdir -p "$DIR/app"\necho "${OPTIONAL:-none}"\necho ' +
          '"$API_KEY"\nfor f in a b; do echo "$f"; done\nread -r LINE < /etc/hostname\necho "$LINE $HOME $PATH"\n',
        { allowed_envs: ['API_KEY'] },
      ),
    },
    {
      name: 'a variable tested with a default once is known to be optional everywhere',
      appCompose: manifest('if [ -n "${EXTRA:-}" ]; then\n  echo "$EXTRA"\nfi\n'),
    },
    {
      name: 'no expansion in single quotes, comments or quoted here-documents',
      appCompose: manifest(
        "echo '$NOPE'\n# uses $ALSO_NOPE\ncat > /tmp/x <<'EOF'\n$STILL_NOPE\nEOF\necho \\$ESCAPED\n",
      ),
    },
    {
      name: 'the env is unknown (.preflight.yml without allowed_envs or env file): no guess about variables',
      compose: ALWAYS,
      config: 'deployment:\n  pre_launch_script: |\n    echo "$SOMETHING"\n',
    },
    {
      name: 'a script that sources a file may set anything',
      appCompose: manifest('. /dstack/persistent/env.sh\necho "$FROM_FILE"\n'),
    },
    {
      name: "the shape of Phala's default script: login, download checks and pulls are not gates",
      appCompose: manifest(DEFAULT_LIKE, {
        allowed_envs: ['DSTACK_DOCKER_USERNAME', 'DSTACK_DOCKER_PASSWORD'],
      }),
    },
    {
      name: 'a gate when nothing runs before compose up (no restart policy that dockerd acts on) does stop the app',
      appCompose: manifest(GATE, { allowed_envs: ['MODEL_HASH'] }, NO_RESTART),
    },
    {
      name: 'a custom script that logs in itself',
      appCompose: manifest(
        'echo "$DSTACK_DOCKER_PASSWORD" | docker login -u "$DSTACK_DOCKER_USERNAME" --password-stdin\n',
        { allowed_envs: ['DSTACK_DOCKER_USERNAME', 'DSTACK_DOCKER_PASSWORD'] },
      ),
    },
  ],
  invalid: [
    {
      name: 'the script turns on set -u itself: a warning on every version, one finding for all the names',
      code: {
        appCompose: manifest(
          '#!/bin/bash\nset -euo pipefail\nif [ -z "$DEBUG" ]; then echo quiet; fi\necho "$LOG_LEVEL"\n',
        ),
      },
      errors: [
        {
          file: 'app-compose.json',
          severity: 'warning',
          message: new RegExp(
            String.raw`reads \$DEBUG \(line 3\), \$LOG_LEVEL \(line 4\), which nothing sets.*` +
              String.raw`the script turns on set -u \(line 2\)`,
          ),
        },
      ],
    },
    {
      name: 'only dstack main sources it under set -u: info, saying v0.5.11 differs',
      code: { appCompose: manifest('mkdir -p "/dstack/persistent/$APP_DIR"\n') },
      errors: [{ severity: 'info', message: /\$APP_DIR \(line 1\).*dstack main.*v0\.5\.11 sets no option/ }],
    },
    {
      name: 'a manifest for dstack main (manifest_version "3") makes it a warning',
      code: { appCompose: manifest('echo "$MISSING"\n', { manifest_version: '3' }) },
      errors: [{ severity: 'warning', message: '$MISSING' }],
    },
    {
      name: 'an env file known, the variable not in it',
      code: {
        compose: ALWAYS,
        env: 'API_KEY=x\n',
        config: 'deployment:\n  pre_launch_script: |\n    echo "$API_KEY $API_SECRET"\n',
      },
      errors: [{ file: '.preflight.yml', line: 2, message: /reads \$API_SECRET \(line 1\)/ }],
    },
    {
      name: 'a hash gate in pre_launch_script while restart: always containers already run',
      code: { appCompose: manifest(GATE, { allowed_envs: ['MODEL_HASH'] }) },
      errors: [
        { severity: 'warning', message: /line 5 runs `exit 1` when the check on line 3 fails.*"app".*init_script/ },
      ],
    },
    {
      name: 'on-failure containers come back too: dockerd restarts them after a power cut (exit code 255)',
      code: { appCompose: manifest(GATE, { allowed_envs: ['MODEL_HASH'] }, ON_FAILURE) },
      errors: [{ message: /dockerd may already have restarted "app" \(restart: on-failure:3\)/ }],
    },
    {
      name: 'a one-line token gate',
      code: {
        appCompose: manifest('[ "$(cat /dstack/persistent/token)" = "$LAUNCH_TOKEN" ] || exit 2\n', {
          allowed_envs: ['LAUNCH_TOKEN'],
        }),
      },
      errors: [{ message: '`exit 2`' }],
    },
    {
      name: 'DSTACK_DOCKER_* in the env, a custom script without a login',
      code: {
        appCompose: manifest('mkdir -p /dstack/persistent/data\n', {
          allowed_envs: ['DSTACK_DOCKER_USERNAME', 'DSTACK_DOCKER_PASSWORD'],
        }),
      },
      errors: [{ message: /DSTACK_DOCKER_PASSWORD, DSTACK_DOCKER_USERNAME.*never logs in/ }],
    },
  ],
});
