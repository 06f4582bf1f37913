import { fixTester } from '../../../test/support/fix-tester.js';
import { anonymousVolume } from './anonymous-volume.js';

fixTester(anonymousVolume, {
  apply: [
    {
      name: 'short syntax gets a name in front and a top-level declaration',
      code: `
        services:
          app:
            image: ghcr.io/acme/app:1.0.0
            volumes:
              - "/srv/uploads"   # user files
        volumes:
          other:
      `,
      output: `
        services:
          app:
            image: ghcr.io/acme/app:1.0.0
            volumes:
              - "app-data:/srv/uploads"   # user files
        volumes:
          other:
          app-data:
      `,
      header: 'changes behaviour: the data at /srv/uploads outlives the container',
    },
    {
      name: 'long syntax gets a source; a taken name is not reused',
      code: `
        services:
          app:
            image: ghcr.io/acme/app:1.0.0
            volumes:
              - type: volume
                target: /srv/uploads
          other:
            image: ghcr.io/acme/other:1.0.0
            volumes: ["app-data:/data"]
        volumes:
          app-data: {}
      `,
      output: `
        services:
          app:
            image: ghcr.io/acme/app:1.0.0
            volumes:
              - type: volume
                target: /srv/uploads
                source: app-data-2
          other:
            image: ghcr.io/acme/other:1.0.0
            volumes: ["app-data:/data"]
        volumes:
          app-data: {}
          app-data-2:
      `,
    },
    {
      name: 'no top-level volumes yet: the key is added at the end',
      code: `
        services:
          app:
            image: ghcr.io/acme/app:1.0.0
            volumes: [/srv/uploads]
      `,
      output: `
        services:
          app:
            image: ghcr.io/acme/app:1.0.0
            volumes: [app-data:/srv/uploads]
        volumes:
          app-data:
      `,
    },
  ],
  refuse: [
    {
      name: 'the volume list is an anchor several services share',
      code: `
        x-vols: &vols
          - /srv/uploads
        services:
          app: { image: "ghcr.io/acme/app:1.0.0", volumes: *vols }
          worker: { image: "ghcr.io/acme/app:1.0.0", volumes: *vols }
      `,
      reason: 'anchor &vols',
    },
  ],
});
