import { ruleTester } from '../rule-tester.js';
import { privileged } from './privileged.js';

ruleTester(privileged, {
  valid: [
    {
      name: 'narrow capabilities and privileged: false',
      compose: `
        services:
          web:
            image: nginx:1.27
            privileged: false
            cap_add: [NET_BIND_SERVICE, CHOWN]
            cap_drop: [ALL]
            security_opt:
              - no-new-privileges:true
      `,
    },
    {
      name: 'cap_drop ALL is not cap_add ALL',
      compose: `
        services:
          web:
            image: app:1
            cap_drop: [ALL]
      `,
    },
    {
      name: 'GPU reservation through deploy.resources is not a devices mapping',
      compose: `
        services:
          vllm:
            image: vllm/vllm-openai:v0.6.3
            deploy:
              resources:
                reservations:
                  devices:
                    - driver: nvidia
                      count: all
                      capabilities: [gpu]
      `,
    },
  ],
  invalid: [
    {
      name: 'privileged: true points at the key',
      code: `
        services:
          k3s:
            image: rancher/k3s:v1.30.4-k3s1
            privileged: true
      `,
      errors: [{ line: 4, column: 5, service: 'k3s', message: 'runs privileged' }],
    },
    {
      name: 'each dangerous capability, CAP_ prefix and lower case too',
      code: `
        services:
          vpn:
            image: linuxserver/wireguard:1.0.20210914
            cap_add:
              - NET_ADMIN
              - cap_sys_module
              - NET_BIND_SERVICE
      `,
      errors: [
        { line: 5, column: 9, service: 'vpn', message: 'NET_ADMIN' },
        { line: 6, column: 9, service: 'vpn', message: 'SYS_MODULE' },
      ],
    },
    {
      name: 'devices and unconfined security profiles',
      code: `
        services:
          app:
            image: app:1
            devices:
              - /dev/kmsg:/dev/kmsg
            security_opt:
              - apparmor:unconfined
              - seccomp=unconfined
              - no-new-privileges:true
      `,
      errors: [
        { line: 5, service: 'app', message: 'host device /dev/kmsg' },
        { line: 7, service: 'app', message: 'turns AppArmor off' },
        { line: 8, service: 'app', message: 'seccomp' },
      ],
    },
    {
      name: 'privileged inherited through extends is one finding',
      code: `
        services:
          base: { image: app:1, privileged: true, profiles: [never] }
          a: { extends: base, profiles: [] }
          b: { extends: base, profiles: [] }
      `,
      errors: [{ line: 2, messageId: 'privileged', message: 'services "a" and "b" run privileged' }],
    },
  ],
});
