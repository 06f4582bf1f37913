import type { Project } from '../../compose/project.js';
import type { Rule } from '../types.js';

/**
 * The size limits on what a deployment sends, each measured the way its platform measures it
 * (docs/platform.md#payload-limits).
 */
export const PAYLOAD_LIMITS = {
  /**
   * `MAX_COMPOSE_PAYLOAD_BYTES` of @phala/cloud 0.2.9: UTF-8 bytes of docker_compose_file + pre_launch_script, checked
   * client-side.
   */
  phalaCloud: 200 * 1024,
  /** dstack v0.5.5–v0.5.11: size of the whole app-compose.json file the guest copies. */
  dstackRelease: 256 * 1024,
  /** dstack main (53210996): the same file. */
  dstackMain: 50 * 1024 * 1024,
} as const;
/** Warn from this share of a limit on: the next inlined config pushes it over. */
export const PAYLOAD_WARN_RATIO = 0.8;

// Grouped by hand, not with toLocaleString: the first Intl call loads ICU data, ~30 ms of every
// `check` start-up for one number in a message (bench start-up figures).
const bytes = (n: number) => `${String(n).replace(/\B(?=(\d{3})+$)/g, ',')} bytes`;
const utf8 = (s: string | undefined) => (s ? Buffer.byteLength(s, 'utf8') : 0);

/**
 * The sizes each platform checks: Phala's compose + script, and the manifest file (exact, or estimated from the compose
 * project).
 */
export function payloadSizes(project: Project): { compose: number; script: number; manifest: number; exact: boolean } {
  const composeText = project.composeFiles.map((f) => project.sources.get(f)?.text ?? '').join('\n');
  const script = project.deployment.settings.pre_launch_script;
  if (project.manifest) {
    const text = project.sources.get(project.manifest.file)?.text ?? '';
    return { compose: utf8(composeText), script: utf8(script), manifest: utf8(text), exact: true };
  }
  // What the platform would write: the settings and the compose text as JSON (its own extra fields not counted).
  const manifest = utf8(JSON.stringify({ ...project.deployment.settings, docker_compose_file: composeText }));
  return { compose: utf8(composeText), script: utf8(script), manifest, exact: false };
}

export const payloadTooLarge: Rule = {
  id: 'payload-too-large',
  section: 'upgrades',
  severity: 'error',
  title: 'Deployment payload over (or near) the size the platform accepts',
  rationale:
    "Phala Cloud's client (`@phala/cloud`, `MAX_COMPOSE_PAYLOAD_BYTES`) refuses a deploy or update whose " +
    'docker_compose_file plus pre_launch_script is over 200 KiB (204,800 bytes of UTF-8). The guest itself ' +
    'refuses an app-compose.json file over 256 KiB on dstack v0.5.5–v0.5.11 (the boot fails), 50 MiB on dstack ' +
    'main; that counts the whole file, with the compose text JSON-escaped (docs/platform.md#payload-limits). ' +
    'Apps grow there by inlining configs and scripts, so the limit tends to bite at an upgrade.',
  fixHint:
    'Move large inline configs and scripts into the image (or fetch them at start from a pinned, verified URL); ' +
    'keep the compose file to service definitions.',
  example: {
    repeat: { line: `      location /api/v1/items { proxy_pass http://web:8080; }`, times: 4000 },
    bad: `services:
  proxy:
    image: nginx:1.27
    configs:
      - source: site
        target: /etc/nginx/conf.d/site.conf
configs:
  site:
    content: |
      location /api/v1/items { proxy_pass http://web:8080; }
`,
    good: `services:
  proxy:
    image: ghcr.io/acme/proxy:1.4.2 # nginx with site.conf copied in at build time
`,
  },
  check(ctx) {
    const s = payloadSizes(ctx.project);
    const phala = s.compose + s.script;
    const parts = s.script
      ? `compose ${bytes(s.compose)} + pre_launch_script ${bytes(s.script)}`
      : `compose ${bytes(s.compose)}`;
    const manifestIs = s.exact
      ? `app-compose.json is ${bytes(s.manifest)}`
      : `app-compose.json would be at least ${bytes(s.manifest)}`;
    const viaPhala = ctx.project.deployment.source !== 'app-compose.json';
    const loc = ctx.deploymentLocation(
      ctx.project.deployment.source === 'app-compose.json' ? 'docker_compose_file' : undefined,
    );
    const report = (severity: 'error' | 'warning', message: string) => ctx.report({ loc, severity, message });

    if (s.manifest > PAYLOAD_LIMITS.dstackMain)
      return report(
        'error',
        `${manifestIs}, over the ${bytes(PAYLOAD_LIMITS.dstackMain)} (50 MiB) every dstack guest accepts: the ` +
          `boot fails`,
      );
    if (s.manifest > PAYLOAD_LIMITS.dstackRelease)
      return report(
        'error',
        `${manifestIs}, over the 256 KiB (${bytes(PAYLOAD_LIMITS.dstackRelease)}) a dstack v0.5.x guest copies: ` +
          `the boot fails (dstack main allows 50 MiB)`,
      );
    if (phala > PAYLOAD_LIMITS.phalaCloud)
      return report(
        viaPhala ? 'error' : 'warning',
        `${parts} = ${bytes(phala)}, over Phala Cloud's ${bytes(PAYLOAD_LIMITS.phalaCloud)} (200 KiB): ` +
          `@phala/cloud refuses the deploy or update${viaPhala ? '' : ' if it goes through Phala Cloud'}`,
      );
    const share = Math.max(phala / PAYLOAD_LIMITS.phalaCloud, s.manifest / PAYLOAD_LIMITS.dstackRelease);
    if (share < PAYLOAD_WARN_RATIO) return;
    report(
      'warning',
      phala / PAYLOAD_LIMITS.phalaCloud >= s.manifest / PAYLOAD_LIMITS.dstackRelease
        ? `${parts} = ${bytes(phala)}, ${Math.round(share * 100)}% of Phala ` +
            `Cloud's ${bytes(PAYLOAD_LIMITS.phalaCloud)} limit`
        : `${manifestIs}, ${Math.round(share * 100)}% of the 256 KiB a dstack v0.5.x guest accepts`,
    );
  },
};
