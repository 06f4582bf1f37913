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
      name: "a tag from a variable is image-from-variable's finding (Immich: immich-server:${IMMICH_VERSION:-release})",
      // immich-app/immich docker/docker-compose.yml: image: ghcr.io/immich-app/immich-server:${IMMICH_VERSION:-release}
      compose: `
        services:
          immich-server:
            image: "ghcr.io/immich-app/immich-server:\${IMMICH_VERSION:-release}"
          app:
            image: "org/app:\${TAG:-latest}"
      `,
    },
    {
      name: 'a moving tag only under an inactive profile (n8n self-hosted-ai-starter-kit x-ollama)',
      // n8n-io/self-hosted-ai-starter-kit docker-compose.yml: x-ollama: &service-ollama {image: ollama/ollama:latest}
      // merged into ollama-cpu and ollama-gpu, each under a profile the CVM never starts.
      compose: `
        x-ollama: &service-ollama
          image: ollama/ollama:latest
        services:
          ollama-cpu:
            profiles: ["cpu"]
            <<: *service-ollama
          ollama-gpu:
            profiles: ["gpu-nvidia"]
            <<: *service-ollama
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
      name: 'one finding for an image every service takes from an x- block (n8n self-hosted-ai-starter-kit)',
      // n8n-io/self-hosted-ai-starter-kit docker-compose.yml: x-n8n: &service-n8n {image: n8nio/n8n:latest, …},
      // merged with `<<: *service-n8n` into n8n-import and n8n.
      code: `
        x-n8n: &service-n8n
          image: n8nio/n8n:latest
          networks: ['demo']
        services:
          n8n-import:
            <<: *service-n8n
            command: import
          n8n:
            <<: *service-n8n
            restart: unless-stopped
        networks:
          demo:
      `,
      errors: [
        {
          line: 2,
          column: 10,
          service: 'n8n-import',
          messageId: 'movingTag',
          message: 'services "n8n-import" and "n8n" use image n8nio/n8n:latest on the moving tag "latest"',
          related: [
            { line: 5, column: 3, service: 'n8n-import' },
            { line: 8, column: 3, service: 'n8n' },
          ],
        },
      ],
    },
    {
      name: 'an alias of the image value points each service at its own image key',
      code: `
        services:
          web:
            image: &img nginx
          worker:
            image: *img
      `,
      errors: [
        {
          line: 3,
          service: 'web',
          messageId: 'noTag',
          message: 'services "web" and "worker" use image nginx without a tag',
          related: [
            { line: 3, column: 5, service: 'web' },
            { line: 5, column: 5, service: 'worker' },
          ],
        },
      ],
    },
    {
      name: 'extends: one finding on the base image, the extending services related',
      code: `
        services:
          base:
            image: app:latest
          api:
            extends: base
          jobs:
            extends: { service: base }
            command: jobs
      `,
      errors: [
        {
          line: 3,
          service: 'base',
          message: 'services "base", "api" and "jobs" use image app:latest',
          related: [
            { line: 3, service: 'base' },
            { line: 4, service: 'api' },
            { line: 6, service: 'jobs' },
          ],
        },
      ],
    },
    {
      name: 'services that write the same image each on its own line are separate findings',
      code: `
        services:
          a: { image: "redis:latest" }
          b: { image: "redis:latest" }
      `,
      errors: [
        { line: 2, service: 'a', message: 'service "a" uses image redis:latest', related: [] },
        { line: 3, service: 'b', message: 'service "b" uses image redis:latest', related: [] },
      ],
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
