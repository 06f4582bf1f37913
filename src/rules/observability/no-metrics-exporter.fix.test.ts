import { fixTester } from '../../../test/support/fix-tester.js';
import { noMetricsExporter } from './no-metrics-exporter.js';

fixTester(noMetricsExporter, {
  apply: [
    {
      name: 'node-exporter as its README runs it, under services, before the top-level volumes',
      code: {
        // The rule is opt-in: the project turns it on.
        config: 'rules:\n  no-metrics-exporter: warning\n',
        compose: `
          services:
            app:
              image: ghcr.io/acme/app:1.0.0
              volumes: [data:/data]
          volumes:
            data:
        `,
      },
      output: `
        services:
          app:
            image: ghcr.io/acme/app:1.0.0
            volumes: [data:/data]
          # host metrics on :9100 of the compose network; scrape them through an authenticated route
          node-exporter:
            image: quay.io/prometheus/node-exporter:v1.9.1
            command:
              - --path.rootfs=/host
            pid: host
            restart: unless-stopped
            volumes:
              - /:/host:ro,rslave
        volumes:
          data:
      `,
      header: 'changes behaviour: a new container "node-exporter" runs',
    },
  ],
  refuse: [],
});
