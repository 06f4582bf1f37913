import { ruleTester } from '../rule-tester.js';
import { composeInvalid } from './compose-invalid.js';

ruleTester(composeInvalid, {
  valid: [
    `
    services:
      web:
        image: nginx:1.27
        restart: unless-stopped
        ports: ["443:8443"]
        healthcheck: { test: ["CMD", "true"], interval: 10s }
    volumes:
      data:
    `,
    {
      name: 'extension fields and long syntax',
      compose: `
        x-common: &common
          restart: always
        services:
          web:
            <<: *common
            image: nginx:1.27
            volumes:
              - type: volume
                source: data
                target: /data
        volumes:
          data: {}
      `,
    },
    {
      name: 'what Compose accepts beyond the schema: durations, restart policies, references',
      compose: `
        services:
          web:
            image: nginx:1.27
            restart: on-failure:3
            stop_grace_period: 1m30s
            healthcheck: { test: ["CMD", "true"], interval: 1.5s, timeout: "0", start_period: 500ms }
            depends_on: { db: { condition: service_healthy } }
            networks: [default, back]
            secrets: [pw]
            configs: [conf]
            volumes: ["data:/data", "./conf:/etc/conf:ro", "/srv:/srv", "/anon"]
          db:
            image: postgres:16
            restart: "no"
          sidecar:
            image: alpine:3.20
            network_mode: service:web
            volumes_from: [web, "container:other"]
        networks: { back: {} }
        volumes: { data: {} }
        secrets: { pw: { environment: PW } }
        configs: { conf: { content: "x=1" } }
      `,
    },
    {
      name: 'a build context without an image, and an image only a variable names (the encrypted env supplies it)',
      compose: `
        services:
          api:
            build: .
          web:
            image: \${IMAGE}
      `,
    },
    {
      name: 'a variable set in .env fills the volume source',
      compose: `
        services:
          web:
            image: nginx:1.27
            volumes: ["\${MEDIA}:/media"]
      `,
      env: 'MEDIA=/srv/media\n',
    },
  ],
  invalid: [
    {
      name: 'durations Compose cannot parse, at the value',
      code: `
        services:
          web:
            image: nginx:1.27
            stop_grace_period: "10"
            healthcheck:
              test: ["CMD", "true"]
              interval: often
              timeout: 5 s
              start_period: 1d
      `,
      errors: [
        { line: 4, column: 24, service: 'web', message: 'services.web.stop_grace_period: "10" is not a duration' },
        { line: 7, service: 'web', message: 'services.web.healthcheck.interval: "often" is not a duration' },
        { line: 8, message: 'healthcheck.timeout: "5 s"' },
        { line: 9, message: 'healthcheck.start_period: "1d"' },
      ],
    },
    {
      name: 'restart policies the engine refuses',
      code: `
        services:
          web: { image: nginx:1.27, restart: sometimes }
          api: { image: api:1, restart: "always:2" }
          job: { image: job:1, restart: On-Failure }
      `,
      errors: [
        { line: 2, service: 'web', message: '"sometimes" is not a restart policy' },
        { line: 3, service: 'api', message: '"always:2"' },
        { line: 4, service: 'job', message: '"On-Failure"' },
      ],
    },
    {
      name: 'depends_on, links, volumes_from and network_mode naming undefined services',
      code: `
        services:
          web:
            image: nginx:1.27
            depends_on: [db]
            links: ["cache:redis"]
            volumes_from: [store]
            network_mode: service:vpn
      `,
      errors: [
        { line: 4, column: 18, service: 'web', message: 'service "web" depends on undefined service "db"' },
        { line: 5, message: 'undefined service "cache"' },
        { line: 6, message: 'undefined service "store"' },
        { line: 7, message: 'undefined service "vpn"' },
      ],
    },
    {
      name: 'a dependency that only a profile starts',
      code: `
        services:
          web:
            image: nginx:1.27
            depends_on:
              db: { condition: service_started, required: false }
          db:
            image: postgres:16
            profiles: [local]
      `,
      errors: [{ line: 5, service: 'web', message: 'which only runs under profile local' }],
    },
    {
      name: 'dependency cycles, each once',
      code: `
        services:
          a: { image: x:1, depends_on: [b] }
          b: { image: x:1, depends_on: [c] }
          c: { image: x:1, depends_on: [a] }
          d: { image: x:1, depends_on: [a, d] }
      `,
      errors: [
        { line: 2, service: 'a', message: 'dependency cycle a → b → c → a' },
        { line: 5, service: 'd', message: 'dependency cycle d → d' },
      ],
    },
    {
      name: 'a cycle through links, volumes_from or network_mode (Compose counts them as dependencies)',
      code: `
        services:
          a: { image: x:1, links: [b] }
          b: { image: x:1, network_mode: "service:c" }
          c: { image: x:1, volumes_from: ["a:ro"] }
      `,
      errors: [{ line: 2, service: 'a', message: 'dependency cycle a → b → c → a' }],
    },
    {
      name: 'undefined secrets, configs, networks and volumes',
      code: `
        services:
          web:
            image: nginx:1.27
            secrets: [pw]
            configs: [{ source: conf, target: /etc/conf }]
            networks: { front: {} }
            volumes: ["data:/data"]
            build: { context: ., secrets: [token] }
      `,
      errors: [
        { line: 4, message: 'undefined secret "pw"' },
        { line: 5, message: 'undefined config "conf"' },
        { line: 6, message: 'undefined network "front"' },
        { line: 7, message: 'undefined volume "data"' },
        { line: 8, message: 'undefined build secret "token"' },
      ],
    },
    {
      name: 'an unset variable leaves an empty volume source; the message shows the text as written',
      code: `
        services:
          web:
            image: nginx:1.27
            volumes: ["\${MEDIA}:/media", "/srv:"]
      `,
      errors: [
        {
          line: 4,
          message: '"${MEDIA}:/media" has an empty section between colons (a variable in it is unset or empty)',
        },
        { line: 4, message: '"/srv:" has an empty section' },
      ],
    },
    {
      // Found by npm run fuzz: the mount reached relative-bind-mount with no target ("internal error").
      name: 'a long-form mount with no target (or an empty one) is refused, and no volume rule sees it',
      code: `
        services:
          web:
            image: nginx:1.27
            restart: always
            volumes:
              - type: bind
                source: ./conf
              - { type: volume, source: data, target: "" }
        volumes:
          data:
      `,
      errors: [
        { line: 6, message: 'services.web.volumes[0]: the mount has no target' },
        { line: 8, message: 'services.web.volumes[1]: the mount has no target' },
      ],
    },
    {
      name: 'a service with neither an image nor a build context',
      code: `
        services:
          worker:
            command: ["run"]
          web:
            image: ""
      `,
      errors: [
        { line: 2, column: 3, service: 'worker', message: 'service "worker" has neither an image nor a build context' },
        { line: 5, service: 'web', message: 'service "web" has neither an image nor a build context' },
      ],
    },
    {
      name: 'unknown service key points at the key',
      code: `
        services:
          web:
            image: nginx:1.27
            restrat: always
      `,
      errors: [{ line: 4, column: 5, service: 'web', message: 'unknown key "restrat"' }],
    },
    {
      name: 'wrong type points at the value',
      code: `
        services:
          web:
            image: nginx:1.27
            privileged: [yes]
      `,
      errors: [{ line: 4, service: 'web', message: 'services.web.privileged: must be' }],
    },
    {
      name: 'bad enum value',
      code: `
        services:
          web:
            image: nginx:1.27
            depends_on:
              db: { condition: when_ready }
          db:
            image: postgres:16
      `,
      errors: [{ line: 5, service: 'web', message: 'must be one of' }],
    },
    {
      name: 'unknown top-level key',
      code: `
        services:
          web: { image: nginx:1.27 }
        volumez:
          data:
      `,
      errors: [{ line: 3, column: 1, message: 'unknown key "volumez"' }],
    },
  ],
});
