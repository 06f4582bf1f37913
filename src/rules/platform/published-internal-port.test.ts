import { ruleTester } from '../rule-tester.js';
import { publishedInternalPort } from './published-internal-port.js';

ruleTester(publishedInternalPort, {
  valid: [
    {
      name: 'Elasticsearch 8 turns security on by default (the first start generates the password)',
      compose: `
      services:
        es: { image: docker.elastic.co/elasticsearch/elasticsearch:8.15.0, ports: ["9200:9200"] }
        es9: { image: elasticsearch:9.1.0, ports: ["9201:9200"], environment: [discovery.type=single-node] }
    `,
    },
    {
      name: "the app's web port",
      compose: `
      services:
        web: { image: ghcr.io/acme/shop:1.4.2, ports: ["80:8080"] }
    `,
    },
    {
      name: 'a database only exposed, or not published at all',
      compose: `
      services:
        cache: { image: redis:7, expose: ["6379"] }
        mongo: { image: mongo:7 }
    `,
    },
    {
      name: 'bound to 127.0.0.1: not reachable through the gateway (docs/platform.md#ingress)',
      compose: `
      services:
        cache: { image: redis:7, ports: ["127.0.0.1:6379:6379"] }
        db:
          image: mongo:7
          ports: [{ target: 27017, published: 27017, host_ip: "::1" }]
    `,
    },
    {
      name:
        'authentication the file shows: --requirepass, MONGO_INITDB_ROOT_PASSWORD, Postgres (password required by ' +
        'its image)',
      compose: `
      services:
        cache:
          image: redis:7
          command: redis-server --requirepass "\${REDIS_PASSWORD}"
          ports: ["6379:6379"]
        mongo:
          image: mongo:7
          environment: { MONGO_INITDB_ROOT_USERNAME: root, MONGO_INITDB_ROOT_PASSWORD: "\${MONGO_PASSWORD}" }
          ports: ["27017:27017"]
        db: { image: postgres:16, environment: { POSTGRES_PASSWORD: "\${DB_PASSWORD}" }, ports: ["5432:5432"] }
    `,
    },
    {
      name: 'a port of the image the table does not list (Redis with a sidecar port)',
      compose: `
      services:
        cache: { image: redis:7, ports: ["9121:9121"] }
    `,
    },
    {
      name: 'restrict_mode port_policy that does not list the port: the gateway refuses it',
      compose: `
      services:
        cache: { image: redis:7, ports: ["6379:6379"] }
    `,
      config: `
        deployment:
          port_policy: { restrict_mode: true, ports: [{ port: 80 }] }
      `,
    },
  ],
  invalid: [
    {
      name: 'network_mode: host: every port it listens on is reachable, ports: or not (one finding, at network_mode)',
      code: `
        services:
          cache:
            image: redis:7.4
            network_mode: host
            ports: ["6379:6379"]
          db: { image: postgres:17, network_mode: host }
      `,
      errors: [
        {
          service: 'cache',
          line: 4,
          messageId: 'hostNetwork',
          message:
            'sets network_mode: host, so 6379 (Redis) is reachable through the gateway with no authentication ' +
            "the compose file shows, and it shares the guest's network stack",
        },
      ],
    },
    {
      name: 'Elasticsearch 8 with security turned off, Elasticsearch 7, and a tag of no version',
      code: `
        services:
          es8:
            image: elasticsearch:8.15.0
            ports: ["9200:9200"]
            environment: [discovery.type=single-node, xpack.security.enabled=false]
          es7: { image: elasticsearch:7.17.0, ports: ["9201:9200"] }
          esvar: { image: "elasticsearch:\${ES_VERSION}", ports: ["9202:9200"] }
      `,
      errors: [
        { service: 'es8', message: 'Elasticsearch HTTP' },
        { service: 'es7', message: '9200 (Elasticsearch HTTP) as 9201' },
        { service: 'esvar', message: '9200 (Elasticsearch HTTP) as 9202' },
      ],
    },
    {
      name: 'Redis published without a password',
      code: `
        services:
          cache:
            image: redis:7-alpine
            ports:
              - "6379:6379"
      `,
      errors: [
        {
          line: 5,
          service: 'cache',
          messageId: 'published',
          message: '(Redis, a cache) publishes port 6379 (Redis)',
          severity: 'warning',
        },
      ],
    },
    {
      name: 'Postgres with trust auth, published on another host port',
      code: `
        services:
          db:
            image: postgres:16
            environment: { POSTGRES_HOST_AUTH_METHOD: trust }
            ports: ["15432:5432"]
      `,
      errors: [{ service: 'db', messageId: 'published', message: '5432 (PostgreSQL) as 15432' }],
    },
    {
      name: 'an admin UI and a queue, several ports of one service in one finding',
      code: `
        services:
          nats: { image: nats:2.10, ports: ["4222:4222", "8222:8222"] }
          ui: { image: provectuslabs/kafka-ui, ports: ["8080:8080"] }
      `,
      errors: [
        { service: 'nats', message: 'ports 4222 (NATS client), 8222 (NATS monitoring)' },
        { service: 'ui', message: '(Kafka UI, an admin UI)' },
      ],
    },
    {
      name: 'a port policy listing the port: the gateway accepts it',
      code: {
        compose: `
          services:
            es: { image: elasticsearch:7.17.0, ports: ["9200:9200"] }
        `,
        config: `
          deployment:
            port_policy: { restrict_mode: true, ports: [{ port: 9200 }] }
        `,
      },
      errors: [{ service: 'es', message: 'Elasticsearch HTTP' }],
    },
    {
      name: 'shared through an anchor: one finding for both services',
      code: `
        x-cache: &cache
          image: redis:7
          ports: ["6379"]
        services:
          a: { <<: *cache }
          b: { <<: *cache }
      `,
      errors: [{ messageId: 'published', message: 'services "a" and "b"' }],
    },
  ],
});
