/**
 * Host paths inside a dstack CVM, for the volume rules. Each entry names its source
 * (docs/platform.md, which cites the dstack source for each).
 */

/** Host directories on the LUKS-encrypted persistent disk: bind mounts below them survive restarts and upgrades. */
export const PERSISTENT_HOST_PATHS: { path: string; source: string }[] = [
  { path: '/var/volatile/dstack/persistent', source: 'docs/platform.md#host-paths: where the data disk is mounted' },
  { path: '/dstack/persistent', source: 'docs/platform.md#host-paths: the data disk through the /dstack bind mount' },
  {
    path: '/var/lib/docker',
    source: "docs/platform.md#boot-sequence step 3: Docker's data root is bind-mounted from the data disk",
  },
];

/**
 * Host paths that are the kernel's or the OS image's, not app data: never flagged by host-path-volatile.
 * `/proc`, `/sys` and `/dev` are pseudo filesystems (TDX quotes go through configfs under /sys/kernel/config).
 */
export const KERNEL_HOST_PATHS: { path: string; source: string }[] = [
  { path: '/proc', source: 'procfs: node-exporter docs mount /proc:/host/proc:ro' },
  { path: '/sys', source: 'sysfs/configfs: node-exporter docs mount /sys:/host/sys:ro; configfs-tsm quotes' },
  { path: '/dev', source: 'device nodes (/dev/tdx_guest, /dev/kvm…), not data' },
];

/**
 * Host paths exporters and log shippers read from the OS; not data when mounted read-only.
 * `/` is the node-exporter root mount (`/:/host:ro,rslave`), cAdvisor reads /var/run, /var/lib/docker, /dev/disk.
 */
export const READ_ONLY_SYSTEM_HOST_PATHS: { path: string; source: string }[] = [
  { path: '/', source: 'https://github.com/prometheus/node_exporter#docker (/:/host:ro,rslave)' },
  { path: '/var/run', source: 'https://github.com/google/cadvisor#quick-start-running-cadvisor-in-a-docker-container' },
  { path: '/run', source: 'same as /var/run' },
  { path: '/var/log', source: 'log shippers (promtail, fluent-bit) read host logs' },
  { path: '/etc/localtime', source: 'time zone of the host, commonly mounted read-only' },
  { path: '/etc/timezone', source: 'time zone of the host, commonly mounted read-only' },
  { path: '/etc/machine-id', source: 'host identity read by log/metrics agents' },
  { path: '/etc/os-release', source: 'host OS identity read by metrics agents' },
  { path: '/etc/hostname', source: 'host name read by metrics agents' },
  { path: '/lib/modules', source: 'kernel modules read by eBPF agents' },
];
