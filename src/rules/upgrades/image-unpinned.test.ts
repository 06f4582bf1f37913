import { ruleTester } from '../rule-tester.js';
import { imageUnpinned } from './image-unpinned.js';
import { movingTag } from '../../knowledge/moving-tags.js';
import { it } from 'node:test';
import assert from 'node:assert/strict';

ruleTester(imageUnpinned, {
  valid: [
    {
      name: 'version tags, including variants and registries with ports',
      compose: `
        services:
          db: { image: postgres:16.4-alpine }
          cache: { image: "redis:7.4" }
          app: { image: "registry.example.com:5000/team/app:1.4.2" }
          proxy: { image: nginx:1.27-alpine-slim }
          tool: { image: ghcr.io/org/tool:v2.0.0-rc.1 }
      `,
    },
    {
      name: 'a moving tag pinned by digest',
      compose: `
        services:
          app:
            image: nginx:latest@sha256:0000000000000000000000000000000000000000000000000000000000000000
      `,
    },
    {
      name: 'a built service is left to build-in-cvm',
      compose: `
        services:
          app:
            image: app:latest
            build: .
      `,
    },
    {
      name: 'words that merely contain a moving tag',
      compose: `
        services:
          a: { image: "app:mainnet-1.2" }
          b: { image: "app:stable-2024.06.01-x" }
          c: { image: "app:devnet" }
      `,
    },
  ],
  invalid: [
    {
      name: 'no tag points at the image value',
      code: `
        services:
          web:
            image: nginx
      `,
      errors: [{ line: 3, column: 12, service: 'web', message: 'without a tag' }],
    },
    {
      name: 'latest and other moving tags',
      code: `
        services:
          a: { image: "postgres:latest" }
          b: { image: "ghcr.io/org/app:main" }
          c: { image: "node:lts" }
          d: { image: "redis:alpine" }
          e: { image: "traefik:edge" }
          f: { image: "app:nightly" }
          g: { image: "node:lts-slim" }
          h: { image: "app:Stable" }
      `,
      errors: [
        { line: 2, service: 'a', message: 'moving tag "latest"' },
        { line: 3, service: 'b', message: '"main"' },
        { line: 4, service: 'c', message: '"lts"' },
        { line: 5, service: 'd', message: '"alpine"' },
        { line: 6, service: 'e', message: '"edge"' },
        { line: 7, service: 'f', message: '"nightly"' },
        { line: 8, service: 'g', message: '"lts-slim"' },
        { line: 9, service: 'h', message: '"Stable"' },
      ],
    },
    {
      name: 'tag from an interpolated variable',
      code: {
        compose: `
          services:
            app:
              image: "org/app:\${TAG:-latest}"
        `,
      },
      errors: [{ line: 3, service: 'app', message: 'org/app:latest' }],
    },
  ],
});

it('moving-tag table: version tags are not moving', () => {
  for (const t of [
    '1',
    '16.4',
    'v1.2.3',
    '1.27-alpine',
    '3.12-slim-bookworm',
    '2024.06.01',
    'sha-abc123',
    'main-a1b2c3d',
    'stable-2024.06.01',
  ])
    assert.equal(movingTag(t), undefined, t);
  for (const t of ['latest', 'LATEST', 'master', 'bookworm', 'latest-alpine', 'alpine-latest'])
    assert.ok(movingTag(t), t);
});
