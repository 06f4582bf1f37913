import { ruleTester } from '../rule-tester.js';
import { portPolicyMismatch } from './port-policy-mismatch.js';

const WEB = 'services:\n  web:\n    image: app:1.2.3\n    ports:\n      - "80:8080"\n      - "127.0.0.1:9229:9229"\n';
const manifest = (compose: string, port_policy: unknown) =>
  JSON.stringify({ manifest_version: 2, runner: 'docker-compose', docker_compose_file: compose, port_policy }, null, 2);

const NGINX_PP = `services:
  proxy:
    image: nginx:1.27.3
    ports: ["443:443"]
    configs:
      - source: site
        target: /etc/nginx/conf.d/default.conf
configs:
  site:
    content: |
      server { listen 443 proxy_protocol; }
`;

ruleTester(portPolicyMismatch, {
  valid: [
    { name: 'no port_policy', compose: WEB },
    {
      name: 'restrict_mode listing the published port',
      appCompose: manifest(WEB, { restrict_mode: true, ports: [{ port: 80 }] }),
    },
    { name: 'no restrict_mode: unlisted ports stay open', appCompose: manifest(WEB, { ports: [{ port: 8443 }] }) },
    {
      name: 'pp on a port whose server is configured for it',
      appCompose: manifest(NGINX_PP, { ports: [{ port: 443, pp: true }] }),
    },
    {
      name: 'pp with HAProxy accept-proxy in the command',
      appCompose: manifest(
        'services:\n  lb:\n    image: haproxy:3.0.5\n    ports: ["443:443"]\n    command: ["haproxy", "-f", ' +
          '"/cfg"]\n    labels:\n      note: "bind :443 accept-proxy"\n',
        {
          ports: [{ port: 443, pp: true }],
        },
      ),
    },
    {
      name: 'pp on a port nobody publishes (host network, or not this compose)',
      appCompose: manifest(WEB, { ports: [{ port: 7000, pp: true }] }),
    },
  ],
  invalid: [
    {
      name: 'restrict_mode with no published port listed: one warning at restrict_mode',
      code: { appCompose: manifest(WEB, { restrict_mode: true, ports: [] }) },
      errors: [
        {
          file: 'app-compose.json',
          line: 6,
          severity: 'warning',
          message: /none of the published ports \(80\) is listed/,
        },
      ],
    },
    {
      name: 'restrict_mode listing one of two published ports: info at the other port',
      code: {
        appCompose: manifest('services:\n  web:\n    image: app:1.2.3\n    ports: ["80:8080", "8443:8443"]\n', {
          restrict_mode: true,
          ports: [{ port: 80 }],
        }),
      },
      errors: [
        {
          file: 'app-compose.json#docker_compose_file',
          line: 4,
          service: 'web',
          severity: 'info',
          message: 'port 8443',
        },
      ],
    },
    {
      name: 'pp: true on a plain app server',
      code: { appCompose: manifest(WEB, { ports: [{ port: 80, pp: true }] }) },
      errors: [
        {
          file: 'app-compose.json',
          severity: 'warning',
          message: /port 80 has pp: true.*"web" shows no PROXY-protocol setting/,
        },
      ],
    },
    {
      name: '.preflight.yml points at the pp entry',
      code: {
        compose: WEB,
        config: 'deployment:\n  port_policy:\n    ports:\n      - port: 80\n        pp: true\n',
      },
      errors: [{ file: '.preflight.yml', line: 5, message: 'port 80 has pp: true' }],
    },
  ],
});
