import { ruleTester } from '../rule-tester.js';
import { udpPort } from './udp-port.js';

ruleTester(udpPort, {
  valid: [
    `
    services:
      web:
        image: nginx:1.27
        ports: ["443:443", "8080:80/tcp"]
        expose: ["9000"]
    `,
    {
      name: 'long syntax tcp',
      compose: `
        services:
          web:
            image: nginx:1.27
            ports:
              - target: 80
                published: "8080"
                protocol: tcp
      `,
    },
  ],
  invalid: [
    {
      name: 'short syntax udp points at the item',
      code: `
        services:
          dns:
            image: pihole/pihole:2024.07.0
            ports:
              - "53:53/tcp"
              - "53:53/udp"
      `,
      errors: [{ line: 6, column: 9, service: 'dns', severity: 'error', message: 'publishes UDP port 53' }],
    },
    {
      name: 'long syntax udp',
      code: `
        services:
          vpn:
            image: vpn:1
            ports:
              - target: 51820
                published: 51820
                protocol: udp
      `,
      errors: [{ line: 5, service: 'vpn', message: 'UDP port 51820' }],
    },
    {
      name: 'expose udp: info only',
      code: `
        services:
          stats:
            image: statsd:1
            expose: ["8125/udp"]
      `,
      errors: [{ line: 4, service: 'stats', severity: 'info', message: 'exposes UDP port 8125' }],
    },
  ],
});
