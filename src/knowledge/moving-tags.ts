/**
 * Image tags that are moved to new builds over time. Which build a CVM runs on such a tag depends
 * on when it was pulled: Phala Cloud's default pre-launch script pulls at every boot (since v0.0.15),
 * while dstack's own `compose up` keeps a tag it already has (docs/platform.md#pre-launch-script,
 * docs/platform.md#images); either way two instances may run different builds under one compose hash.
 */
export interface MovingTag {
  /** Exact tag (lower case) or a pattern over the whole tag. */
  tag: string | RegExp;
  why: string;
}

export const MOVING_TAGS: MovingTag[] = [
  { tag: 'latest', why: 'Docker default tag, moved by every push (docs.docker.com/reference/cli/docker/image/tag)' },
  { tag: 'main', why: 'branch build, moved by every commit' },
  { tag: 'master', why: 'branch build, moved by every commit' },
  { tag: 'develop', why: 'branch build, moved by every commit' },
  { tag: 'dev', why: 'development build, moved often' },
  { tag: 'trunk', why: 'branch build, moved by every commit' },
  { tag: 'head', why: 'branch build, moved by every commit' },
  { tag: 'nightly', why: 'rebuilt every night' },
  { tag: 'edge', why: 'tracks the newest (unreleased) version (e.g. alpine:edge, traefik edge)' },
  { tag: 'canary', why: 'pre-release channel, moved by every build' },
  { tag: 'next', why: 'pre-release channel' },
  { tag: 'beta', why: 'pre-release channel' },
  { tag: 'rc', why: 'pre-release channel' },
  { tag: 'preview', why: 'pre-release channel' },
  { tag: 'unstable', why: 'pre-release channel' },
  { tag: 'experimental', why: 'pre-release channel' },
  { tag: 'testing', why: 'pre-release channel' },
  { tag: 'stable', why: 'channel tag, moved to each new release' },
  { tag: 'release', why: 'channel tag, moved to each new release' },
  { tag: 'current', why: 'channel tag, moved to each new release (e.g. node:current)' },
  { tag: 'lts', why: 'channel tag, moved to each new LTS release (e.g. node:lts)' },
  { tag: 'rolling', why: 'channel tag, moved to each new release (e.g. ubuntu:rolling)' },
  { tag: 'prod', why: 'environment tag, moved by each deploy' },
  { tag: 'production', why: 'environment tag, moved by each deploy' },
  { tag: 'staging', why: 'environment tag, moved by each deploy' },
  // Variant-only tags: the variant of whatever version is newest (Docker Official Images tag scheme).
  {
    tag: new RegExp(
      `^(${[
        ...['alpine', 'slim', 'bookworm', 'bullseye', 'buster', 'trixie', 'jammy', 'noble', 'focal', 'bionic'],
        ...['ubi', 'distroless', 'windowsservercore', 'nanoserver'],
      ].join('|')})$`,
    ),
    why: 'variant-only tag: the newest version in that variant',
  },
  {
    tag: /^(latest|stable|lts|current|edge|nightly|main|master|dev)[-_.](?![0-9a-f]{7,}$)[a-z][a-z0-9.-]*$/,
    why: 'a moving channel with a variant suffix (e.g. latest-alpine, lts-slim)',
  },
  {
    tag: /[-_.](latest|nightly|edge|dev|main|master)$/,
    why: 'a variant of a moving channel (e.g. alpine-latest, 3-dev)',
  },
];

/** The moving-tag entry a tag matches (case-insensitive), if any. */
export function movingTag(tag: string): MovingTag | undefined {
  const t = tag.toLowerCase();
  return MOVING_TAGS.find((m) => (typeof m.tag === 'string' ? m.tag === t : m.tag.test(t)));
}
