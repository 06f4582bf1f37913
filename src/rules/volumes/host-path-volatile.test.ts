import { ruleTester } from '../rule-tester.js';
import { hostPathVolatile } from './host-path-volatile.js';

ruleTester(hostPathVolatile, {
  valid: [
    {
      name: 'persistent disk paths',
      compose: `
      services:
        db: { image: postgres:16, volumes: ["/dstack/persistent/pg:/var/lib/postgresql/data"] }
        app: { image: app:1, volumes: ["/var/volatile/dstack/persistent/app:/data"] }
    `,
    },
    {
      name: 'guest-agent, tappd and docker sockets',
      compose: `
      services:
        app:
          image: app:1
          volumes:
            - /var/run/dstack.sock:/var/run/dstack.sock
            - /var/run/tappd.sock:/var/run/tappd.sock
            - /var/run/docker.sock:/var/run/docker.sock
    `,
    },
    {
      name: 'node-exporter set up as its docs say',
      compose: `
      services:
        node-exporter:
          image: prom/node-exporter:v1.8.2
          pid: host
          command: ["--path.rootfs=/host"]
          volumes:
            - /:/host:ro,rslave
            - /proc:/host/proc:ro
            - /sys:/host/sys:ro
    `,
    },
    {
      name: 'cAdvisor read-only mounts',
      compose: `
      services:
        cadvisor:
          image: gcr.io/cadvisor/cadvisor:v0.49.1
          volumes:
            - /:/rootfs:ro
            - /var/run:/var/run:ro
            - /sys:/sys:ro
            - /var/lib/docker/:/var/lib/docker:ro
            - /dev/disk/:/dev/disk:ro
    `,
    },
    {
      name: 'time zone and configfs for TDX quotes',
      compose: `
      services:
        app:
          image: app:1
          volumes: ["/etc/localtime:/etc/localtime:ro", "/sys/kernel/config:/sys/kernel/config"]
    `,
    },
    {
      name: 'scratch host paths',
      compose: `
      services:
        app: { image: app:1, volumes: ["/tmp/x:/tmp/x"] }
    `,
    },
    {
      name: 'relative paths are another rule',
      compose: `
      services:
        app: { image: app:1, volumes: ["./data:/data"] }
    `,
    },
    {
      name: 'file the pre-launch script creates',
      appCompose: JSON.stringify({
        manifest_version: 2,
        name: 'motd',
        runner: 'docker-compose',
        pre_launch_script: '#!/bin/sh\necho hello > /tapp/motd\n',
        docker_compose_file: 'services:\n  box:\n    image: busybox:1.36\n    volumes:\n      - /tapp/motd:/etc/motd\n',
      }),
    },
  ],
  invalid: [
    {
      name: 'a database at a host path under /tmp is still data (the throwaway exception is for caches)',
      code: `
        services:
          db: { image: postgres:16, volumes: ["/tmp/pgdata:/var/lib/postgresql/data"] }
      `,
      errors: [
        {
          service: 'db',
          severity: 'error',
          messageId: 'volatileData',
          message: 'keeps data at host path /tmp/pgdata (the PostgreSQL data directory /var/lib/postgresql/data)',
        },
      ],
    },
    {
      name: 'Zulip (old galexrt compose): two volatile host paths, one finding each',
      // zulip/docker-zulip docker-compose.yml (2015): database: volumes:
      // ["/opt/postgresql/data:/var/lib/postgresql:rw"],
      // redis: volumes: ["/opt/docker/redis:/var/lib/redis:rw"]
      code: `
        services:
          database:
            image: "docker.io/sameersbn/postgresql:9.4-4"
            volumes:
              - "/opt/postgresql/data:/var/lib/postgresql:rw"
          redis:
            image: "sameersbn/redis:latest"
            volumes:
              - "/opt/docker/redis:/var/lib/redis:rw"
      `,
      errors: [
        { line: 5, service: 'database', message: 'keeps data at host path /opt/postgresql/data' },
        { line: 9, service: 'redis', message: 'keeps data at host path /opt/docker/redis' },
      ],
    },
    {
      name: 'data directory on a volatile host path: error',
      code: `
        services:
          db:
            image: postgres:16
            volumes:
              - /opt/pgdata:/var/lib/postgresql/data
      `,
      errors: [
        {
          line: 5,
          column: 9,
          service: 'db',
          message: 'keeps data at host path /opt/pgdata (the PostgreSQL data directory',
          severity: 'error',
        },
      ],
    },
    {
      name: 'home directory',
      code: `
        services:
          game: { image: app:1, volumes: ["~/game_data:/data"] }
      `,
      errors: [{ message: 'host path ~/game_data', severity: 'error' }],
    },
    {
      name: 'config directory written by the app: warning',
      code: `
        services:
          pihole: { image: pihole/pihole:2024.07.0, volumes: ["/etc/pihole:/etc/pihole"] }
      `,
      errors: [{ message: 'mounts host path /etc/pihole', severity: 'warning' }],
    },
    {
      name: 'read-only config file that is not shipped',
      code: `
        services:
          app:
            image: app:1
            volumes:
              - type: bind
                source: /etc/app/config.yml
                target: /config.yml
                read_only: true
      `,
      errors: [{ line: 5, message: 'reads host path /etc/app/config.yml', severity: 'warning' }],
    },
    {
      name: 'writable root mount is not the exporter setup',
      code: `
        services:
          app: { image: app:1, volumes: ["/home/user/uploads:/app/uploads"] }
      `,
      errors: [{ severity: 'error', message: 'keeps data at host path /home/user/uploads' }],
    },
    {
      name: 'the same file without a pre-launch script that creates it',
      code: {
        appCompose: JSON.stringify({
          manifest_version: 2,
          name: 'motd',
          runner: 'docker-compose',
          docker_compose_file:
            'services:\n  box:\n    image: busybox:1.36\n    volumes:\n      - /tapp/motd:/etc/motd\n',
        }),
      },
      errors: [
        {
          line: 5,
          service: 'box',
          message: 'mounts host path /tapp/motd',
          file: 'app-compose.json#docker_compose_file',
        },
      ],
    },
    {
      name: 'a named volume bound to a volatile directory',
      code: `
        services:
          app: { image: app:1, volumes: ["files:/files"] }
        volumes:
          files:
            driver_opts: { type: none, o: bind, device: /srv/files }
      `,
      errors: [{ line: 5, message: 'volume "files" binds host directory /srv/files', severity: 'error' }],
    },
  ],
});
