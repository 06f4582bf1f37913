import { fixTester } from '../../../test/support/fix-tester.js';
import { publicLogs } from './public-logs.js';

const COMPOSE = 'services:\n  app:\n    image: ghcr.io/acme/app:1.0.0\n';

fixTester(publicLogs, {
  apply: [
    {
      name: 'no deployment written anywhere: .preflight.yml is created with the setting',
      code: COMPOSE,
      file: '.preflight.yml',
      output: 'deployment:\n  public_logs: false\n',
      header: 'changes behaviour',
    },
    {
      name: 'the setting in .preflight.yml is turned off in place',
      code: {
        compose: COMPOSE,
        config: `
          # how we deploy
          deployment:
            public_logs: true   # for the demo
            kms_enabled: true
        `,
      },
      file: '.preflight.yml',
      output: `
        # how we deploy
        deployment:
          public_logs: false   # for the demo
          kms_enabled: true
      `,
    },
    {
      name: '.preflight.yml without a deployment section gets one',
      code: { compose: COMPOSE, config: 'rules:\n  image-no-digest: off\n' },
      file: '.preflight.yml',
      output: 'rules:\n  image-no-digest: off\ndeployment:\n  public_logs: false\n',
    },
  ],
  refuse: [],
});
