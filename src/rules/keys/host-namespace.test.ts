import { ruleTester } from '../rule-tester.js';
import { hostNamespace } from './host-namespace.js';

ruleTester(hostNamespace, {
  valid: [
    {
      name:
        "an unauthenticated Redis on the host network: published-internal-port's finding says it (one line, one " +
        'finding)',
      compose: `
        services:
          cache: { image: redis:7.4, network_mode: host }
      `,
    },
    {
      name: 'node-exporter as its documentation sets it up (checklist recommendation)',
      compose: `
        services:
          node-exporter:
            image: quay.io/prometheus/node-exporter:v1.8.2
            command: ["--path.rootfs=/host"]
            pid: host
            network_mode: host
            restart: unless-stopped
            volumes:
              - /:/host:ro,rslave
      `,
    },
    {
      name: 'node-exporter with /proc and /sys read-only',
      compose: `
        services:
          node-exporter:
            image: prom/node-exporter:v1.8.2
            pid: host
            volumes:
              - /proc:/host/proc:ro
              - /sys:/host/sys:ro
              - /:/rootfs:ro
      `,
    },
    {
      name: 'service network mode, not host',
      compose: `
        services:
          vpn: { image: vpn:1 }
          app:
            image: app:1
            network_mode: "service:vpn"
            pid: "service:vpn"
      `,
    },
  ],
  invalid: [
    {
      name: 'a Redis with a password on the host network',
      code: {
        compose: `
          services:
            cache:
              image: redis:7.4
              network_mode: host
              command: redis-server --requirepass \${REDIS_PASSWORD}
        `,
      },
      errors: [{ service: 'cache', message: 'every port it listens on is reachable through the gateway' }],
    },
    {
      name: 'published-internal-port turned off: this rule reports the host network itself',
      code: {
        compose: 'services:\n  cache: { image: redis:7.4, network_mode: host }\n',
        config: 'rules:\n  published-internal-port: off\n',
      },
      errors: [{ service: 'cache', message: 'sets network_mode: host' }],
    },
    {
      name: 'network_mode host points at the value',
      code: `
        services:
          webshell:
            image: hackinglab/alpine-ttyd-bash:3.2
            network_mode: host
      `,
      errors: [{ line: 4, column: 19, service: 'webshell', message: 'network_mode: host' }],
    },
    {
      name: 'pid and ipc host on an app',
      code: `
        services:
          app:
            image: app:1
            pid: host
            ipc: host
      `,
      errors: [
        { line: 4, column: 10, service: 'app', message: 'pid: host' },
        { line: 5, column: 10, service: 'app', message: 'ipc: host' },
      ],
    },
    {
      name: 'node-exporter with a writable host mount is not the documented setup',
      code: `
        services:
          node-exporter:
            image: prom/node-exporter:v1.8.2
            pid: host
            volumes:
              - /:/host
      `,
      errors: [{ line: 4, service: 'node-exporter', message: 'pid: host' }],
    },
    {
      name: 'node-exporter with ipc: host (not in its documentation)',
      code: `
        services:
          node-exporter:
            image: prom/node-exporter:v1.8.2
            pid: host
            ipc: host
            volumes:
              - /:/host:ro,rslave
      `,
      errors: [{ line: 5, service: 'node-exporter', message: 'ipc: host' }],
    },
  ],
});
