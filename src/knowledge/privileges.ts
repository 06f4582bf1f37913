/**
 * Container settings that break out of the container's confinement. In a CVM the host is the
 * guest OS that holds the disk key, the guest agent and every container's secrets.
 */

/** Capabilities that give host-level control (capabilities(7)); written with or without `CAP_`. */
export const DANGEROUS_CAPABILITIES: Record<string, string> = {
  ALL: 'every capability, as good as privileged',
  SYS_ADMIN: 'mount, namespaces, bpf and much more: the usual container escape (capabilities(7))',
  SYS_PTRACE: 'trace and read the memory of other processes (capabilities(7))',
  SYS_MODULE: 'load kernel modules (capabilities(7))',
  SYS_RAWIO: 'raw I/O on devices and /dev/mem (capabilities(7))',
  SYS_BOOT: 'reboot the guest (capabilities(7))',
  SYS_TIME: 'set the guest clock, which attestation and TLS rely on (capabilities(7))',
  NET_ADMIN: 'reconfigure the network, firewall and routes of its namespace (capabilities(7))',
  DAC_READ_SEARCH: 'bypass file read permissions; open_by_handle_at escape (capabilities(7))',
  BPF: 'load BPF programs (capabilities(7))',
  PERFMON: 'read kernel and process performance data (capabilities(7))',
  MAC_ADMIN: 'change the mandatory access control policy (capabilities(7))',
  MAC_OVERRIDE: 'bypass the mandatory access control policy (capabilities(7))',
  SYSLOG: 'read the kernel log (capabilities(7))',
};

/** `security_opt` values that turn off a confinement layer (docs.docker.com/engine/security/). */
export const UNCONFINED_SECURITY_OPTS: { pattern: RegExp; what: string }[] = [
  { pattern: /^apparmor[=:]unconfined$/i, what: 'turns AppArmor off' },
  { pattern: /^seccomp[=:]unconfined$/i, what: 'turns the seccomp syscall filter off' },
  { pattern: /^label[=:]disable$/i, what: 'turns SELinux labelling off' },
  { pattern: /^systempaths[=:]unconfined$/i, what: 'unmasks /proc and /sys paths' },
];

export function normalizeCapability(cap: string): string {
  return cap.trim().toUpperCase().replace(/^CAP_/, '');
}
