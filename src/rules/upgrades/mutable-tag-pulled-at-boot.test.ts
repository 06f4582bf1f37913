import { ruleTester } from '../rule-tester.js';
import { imageUnpinned } from './image-unpinned.js';
import { mutableTagPulledAtBoot } from './mutable-tag-pulled-at-boot.js';

const LATEST = 'services:\n  web:\n    image: app:latest\n  db:\n    image: postgres:16.4\n';
const OFF = 'rules:\n  image-unpinned: off\n';
const manifest = (extra: Record<string, unknown>) =>
  JSON.stringify({ manifest_version: 2, runner: 'docker-compose', docker_compose_file: LATEST, ...extra });

ruleTester(mutableTagPulledAtBoot, {
  valid: [
    { name: 'image-unpinned runs and says it: no second finding on the image', compose: LATEST },
    {
      name: 'image-unpinned off, but a plain dstack manifest: no pre-launch script, no pull at boot',
      appCompose: manifest({}),
      config: OFF,
    },
    {
      name: 'image-unpinned off, a custom script that does not pull',
      appCompose: manifest({ pre_launch_script: 'mkdir -p /dstack/persistent/x\n' }),
      config: OFF,
    },
    {
      name: 'versioned, pinned and built images',
      compose:
        'services:\n  a: { image: "app:1.2.3" }\n  b: { image: ' +
        '"app:latest@sha256:0000000000000000000000000000000000000000000000000000000000000000" }\n  c: { image: ' +
        '"app:latest", build: . }\n',
      config: OFF,
    },
  ],
  invalid: [
    {
      name: 'image-unpinned off on Phala Cloud defaults: this rule says it',
      code: { compose: LATEST, config: OFF },
      errors: [
        {
          line: 3,
          service: 'web',
          severity: 'warning',
          message: /moving tag "latest": Phala Cloud's default pre-launch script pulls it again at every boot/,
        },
      ],
    },
    {
      name: 'image-unpinned off, a custom script that pulls',
      code: {
        appCompose: manifest({ pre_launch_script: 'docker compose -f /dstack/docker-compose.yaml pull\n' }),
        config: OFF,
      },
      errors: [{ service: 'web', message: 'pulls it again at every boot' }],
    },
  ],
});

// image-unpinned says what a boot does with the moving tag, by deployment (the fold of this rule into it).
ruleTester(imageUnpinned, {
  valid: [],
  invalid: [
    {
      name: 'Phala Cloud defaults: every boot pulls',
      code: LATEST,
      errors: [{ service: 'web', message: /pulls it again at every boot.*\(mutable-tag-pulled-at-boot\)$/ }],
    },
    {
      name: 'plain dstack: the upgrade keeps the old build',
      code: { appCompose: manifest({}) },
      errors: [{ service: 'web', message: /an upgrade will not pull a newer build$/ }],
    },
  ],
});
