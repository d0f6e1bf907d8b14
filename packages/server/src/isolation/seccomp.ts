/**
 * The seccomp profile of a dyno: allow by default, answer EPERM to what Docker's default profile
 * keeps from an unprivileged container (kernel modules, mounts, tracing, keyrings, namespaces,
 * clocks, swap, reboot, bpf…). Pure data; runc skips syscall names its libseccomp does not know.
 */

export interface SeccompArg {
  index: number;
  /** For SCMP_CMP_MASKED_EQ: the mask; `valueTwo` is what the masked argument must equal. */
  value: number;
  valueTwo?: number;
  op: 'SCMP_CMP_EQ' | 'SCMP_CMP_NE' | 'SCMP_CMP_MASKED_EQ';
}

export interface SeccompRule {
  names: string[];
  action: 'SCMP_ACT_ERRNO' | 'SCMP_ACT_ALLOW';
  errnoRet?: number;
  args?: SeccompArg[];
}

export interface SeccompProfile {
  defaultAction: 'SCMP_ACT_ALLOW';
  architectures: string[];
  syscalls: SeccompRule[];
}

const EPERM = 1;
const ENOSYS = 38;

/** Denied whatever their arguments. */
export const BLOCKED_SYSCALLS: readonly string[] = [
  // filesystems and mounts
  'mount', 'umount', 'umount2', 'pivot_root', 'chroot', 'fsopen', 'fsconfig', 'fsmount', 'fspick', 'move_mount',
  'open_tree', 'mount_setattr', 'open_by_handle_at', 'name_to_handle_at', 'quotactl', 'quotactl_fd', 'nfsservctl',
  // kernel and modules
  'kexec_load', 'kexec_file_load', 'init_module', 'finit_module', 'delete_module', 'create_module',
  'get_kernel_syms', 'query_module', 'reboot', 'swapon', 'swapoff', 'syslog', 'acct', 'uselib', 'ustat', 'sysfs',
  '_sysctl', 'lookup_dcookie', 'vhangup', 'iopl', 'ioperm',
  // tracing, introspection, other processes' memory
  'ptrace', 'process_vm_readv', 'process_vm_writev', 'kcmp', 'perf_event_open', 'bpf', 'userfaultfd',
  'fanotify_init',
  // keyrings
  'keyctl', 'add_key', 'request_key',
  // namespaces
  'unshare', 'setns',
  // clocks
  'settimeofday', 'stime', 'clock_settime', 'clock_settime64', 'clock_adjtime', 'clock_adjtime64', 'adjtimex',
  // NUMA placement (needs CAP_SYS_NICE in Docker's profile)
  'mbind', 'set_mempolicy', 'migrate_pages', 'move_pages',
];

const CLONE_NAMESPACE_FLAGS: readonly number[] = [
  0x00020000, // CLONE_NEWNS
  0x02000000, // CLONE_NEWCGROUP
  0x04000000, // CLONE_NEWUTS
  0x08000000, // CLONE_NEWIPC
  0x10000000, // CLONE_NEWUSER
  0x20000000, // CLONE_NEWPID
  0x40000000, // CLONE_NEWNET
];

/** personality(2) flags that weaken the address space (ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC). */
const PERSONALITY_BAD_FLAGS: readonly number[] = [0x0040000, 0x0400000];

export function seccompArchitectures(arch: string): string[] {
  switch (arch) {
    case 'x64':
      return ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'];
    case 'arm64':
      return ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM'];
    case 'ia32':
      return ['SCMP_ARCH_X86'];
    case 'arm':
      return ['SCMP_ARCH_ARM'];
    default:
      return [];
  }
}

export function dynoSeccompProfile(arch: string): SeccompProfile {
  const syscalls: SeccompRule[] = [{ names: [...BLOCKED_SYSCALLS], action: 'SCMP_ACT_ERRNO', errnoRet: EPERM }];
  // clone with any namespace flag; one rule per flag because rules are OR-ed and args AND-ed.
  for (const flag of CLONE_NAMESPACE_FLAGS) {
    syscalls.push({
      names: ['clone'],
      action: 'SCMP_ACT_ERRNO',
      errnoRet: EPERM,
      args: [{ index: arch === 's390x' ? 1 : 0, value: flag, valueTwo: flag, op: 'SCMP_CMP_MASKED_EQ' }],
    });
  }
  // clone3 passes its flags in memory seccomp cannot read: ENOSYS makes libc fall back to clone.
  syscalls.push({ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS });
  for (const flag of PERSONALITY_BAD_FLAGS) {
    syscalls.push({
      names: ['personality'],
      action: 'SCMP_ACT_ERRNO',
      errnoRet: EPERM,
      // mask includes bit 31 so that the query personality(0xffffffff) stays allowed
      args: [{ index: 0, value: (flag | 0x80000000) >>> 0, valueTwo: flag, op: 'SCMP_CMP_MASKED_EQ' }],
    });
  }
  return { defaultAction: 'SCMP_ACT_ALLOW', architectures: seccompArchitectures(arch), syscalls };
}
