/**
 * The seccomp profile of dynos and build containers, with Docker's default-profile semantics: an
 * allowlist. Anything not listed answers EPERM (`defaultAction` errno); only the native
 * architecture is in the filter, so 32-bit (`int 0x80`, where `socketcall` would bypass the socket
 * family rules) and x32 calls are refused as a foreign architecture. Syscalls newer than runc's
 * libseccomp get ENOSYS from runc's stub, so libc falls back to the older call.
 *
 * Compared with Docker's default profile for a container without capabilities, this one also
 * denies `io_uring_*` (a large, often-exploited kernel surface Docker has since dropped too),
 * `memfd_secret`, `ptrace`/`process_vm_*`/`kcmp`/`pidfd_getfd`/`process_madvise`, `userfaultfd`,
 * `name_to_handle_at`, the clock-adjusting calls, and every socket family but AF_UNIX, AF_INET,
 * AF_INET6 and AF_NETLINK (so AF_VSOCK, AF_ALG, AF_PACKET, AF_KEY, AF_TIPC… are refused, and
 * never autoload their kernel modules). Pure data; runc skips names its libseccomp does not know.
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
  defaultAction: 'SCMP_ACT_ERRNO';
  defaultErrnoRet: number;
  architectures: string[];
  syscalls: SeccompRule[];
}

const EPERM = 1;
const ENOSYS = 38;

/** Allowed whatever their arguments (64-bit names; the 32-bit ones are outside the filter's arch). */
export const ALLOWED_SYSCALLS: readonly string[] = [
  // files and directories
  'access', 'chdir', 'chmod', 'chown', 'close', 'close_range', 'copy_file_range', 'creat', 'dup', 'dup2', 'dup3',
  'faccessat', 'faccessat2', 'fadvise64', 'fallocate', 'fchdir', 'fchmod', 'fchmodat', 'fchmodat2', 'fchown', 'fchownat',
  'fcntl', 'fdatasync', 'fgetxattr', 'flistxattr', 'flock', 'fremovexattr', 'fsetxattr', 'fstat', 'fstatfs', 'fsync',
  'ftruncate', 'futimesat', 'ioctl', 'pipe', 'pipe2', 'getcwd', 'getdents', 'getdents64', 'getxattr', 'lchown', 'lgetxattr', 'link', 'linkat',
  'listxattr', 'llistxattr', 'lremovexattr', 'lseek', 'lsetxattr', 'lstat', 'mkdir', 'mkdirat', 'mknod', 'mknodat',
  'newfstatat', 'open', 'openat', 'openat2', 'pread64', 'preadv', 'preadv2', 'pwrite64', 'pwritev', 'pwritev2', 'read',
  'readahead', 'readlink', 'readlinkat', 'readv', 'removexattr', 'rename', 'renameat', 'renameat2', 'rmdir', 'sendfile',
  'setxattr', 'splice', 'stat', 'statfs', 'statx', 'symlink', 'symlinkat', 'sync', 'sync_file_range', 'syncfs', 'tee',
  'truncate', 'umask', 'unlink', 'unlinkat', 'utime', 'utimensat', 'utimes', 'vmsplice', 'write', 'writev',
  // polling, events, timers
  'epoll_create', 'epoll_create1', 'epoll_ctl', 'epoll_ctl_old', 'epoll_pwait', 'epoll_pwait2', 'epoll_wait',
  'epoll_wait_old', 'eventfd', 'eventfd2', 'fanotify_mark', 'inotify_add_watch', 'inotify_init', 'inotify_init1',
  'inotify_rm_watch', 'pause', 'poll', 'ppoll', 'pselect6', 'select', 'signalfd', 'signalfd4', 'timerfd_create',
  'timerfd_gettime', 'timerfd_settime', 'alarm', 'getitimer', 'setitimer', 'timer_create', 'timer_delete',
  'timer_getoverrun', 'timer_gettime', 'timer_settime', 'nanosleep', 'clock_nanosleep', 'clock_getres', 'clock_gettime',
  'gettimeofday', 'time', 'times',
  // classic AIO (not io_uring)
  'io_cancel', 'io_destroy', 'io_getevents', 'io_pgetevents', 'io_setup', 'io_submit',
  // memory
  'brk', 'madvise', 'membarrier', 'memfd_create', 'mincore', 'mlock', 'mlock2', 'mlockall', 'mmap', 'mprotect',
  'mremap', 'msync', 'munlock', 'munlockall', 'munmap', 'pkey_alloc', 'pkey_free', 'pkey_mprotect', 'remap_file_pages',
  'map_shadow_stack', 'mseal',
  // processes, threads, signals
  'arch_prctl', 'capget', 'capset', 'execve', 'execveat', 'exit', 'exit_group', 'fork', 'vfork', 'futex', 'futex_waitv',
  'get_robust_list', 'set_robust_list', 'get_thread_area', 'set_thread_area', 'set_tid_address', 'getcpu', 'getpgid',
  'getpgrp', 'getpid', 'getppid', 'getpriority', 'getrlimit', 'getrusage', 'getsid', 'gettid', 'ioprio_get', 'ioprio_set',
  'kill', 'modify_ldt', 'pidfd_open', 'pidfd_send_signal', 'process_mrelease', 'prctl', 'prlimit64', 'restart_syscall', 'rseq',
  'rt_sigaction', 'rt_sigpending', 'rt_sigprocmask', 'rt_sigqueueinfo', 'rt_sigreturn', 'rt_sigsuspend',
  'rt_sigtimedwait', 'rt_tgsigqueueinfo', 'sched_getaffinity', 'sched_getattr', 'sched_getparam',
  'sched_get_priority_max', 'sched_get_priority_min', 'sched_getscheduler', 'sched_rr_get_interval',
  'sched_setaffinity', 'sched_setattr', 'sched_setparam', 'sched_setscheduler', 'sched_yield', 'seccomp', 'setpgid',
  'setpriority', 'setrlimit', 'setsid', 'sigaltstack', 'tgkill', 'tkill', 'wait4', 'waitid', 'uretprobe',
  'landlock_add_rule', 'landlock_create_ruleset', 'landlock_restrict_self',
  // identity (no capabilities: only switches among the process's own ids)
  'getegid', 'geteuid', 'getgid', 'getgroups', 'getresgid', 'getresuid', 'getuid', 'setfsgid', 'setfsuid', 'setgid',
  'setgroups', 'setregid', 'setresgid', 'setresuid', 'setreuid', 'setuid',
  // System V and POSIX IPC (own IPC namespace)
  'msgctl', 'msgget', 'msgrcv', 'msgsnd', 'semctl', 'semget', 'semop', 'semtimedop', 'shmat', 'shmctl', 'shmdt', 'shmget',
  'mq_getsetattr', 'mq_notify', 'mq_open', 'mq_timedreceive', 'mq_timedsend', 'mq_unlink',
  // sockets (socket and socketpair themselves are family-checked below)
  'accept', 'accept4', 'bind', 'connect', 'getpeername', 'getsockname', 'getsockopt', 'listen', 'recvfrom', 'recvmmsg',
  'recvmsg', 'sendmmsg', 'sendmsg', 'sendto', 'setsockopt', 'shutdown',
  // system information
  'getrandom', 'sysinfo', 'uname',
  // arm64
  'sync_file_range2',
];

/** Socket families a dyno may open: unix, IPv4, IPv6, netlink (interface lists, `ip addr`). */
export const ALLOWED_SOCKET_FAMILIES: Readonly<Record<string, number>> = Object.freeze({ AF_UNIX: 1, AF_INET: 2, AF_INET6: 10, AF_NETLINK: 16 });

/** Names this profile refuses on purpose (documentation and tests: none of them is in the allowlist). */
export const DENIED_SYSCALLS: readonly string[] = [
  'io_uring_setup', 'io_uring_enter', 'io_uring_register', 'memfd_secret', 'socketcall', 'ptrace', 'process_vm_readv',
  'process_vm_writev', 'kcmp', 'pidfd_getfd', 'process_madvise', 'userfaultfd', 'bpf', 'perf_event_open', 'keyctl',
  'add_key', 'request_key', 'mount', 'umount2', 'pivot_root', 'chroot', 'fsopen', 'fsmount', 'fsconfig', 'fspick',
  'move_mount', 'open_tree', 'mount_setattr', 'unshare', 'setns', 'kexec_load', 'kexec_file_load', 'init_module',
  'finit_module', 'delete_module', 'reboot', 'swapon', 'swapoff', 'syslog', 'acct', 'quotactl', 'quotactl_fd',
  'open_by_handle_at', 'name_to_handle_at', 'settimeofday', 'clock_settime', 'clock_adjtime', 'adjtimex', 'iopl',
  'ioperm', 'sethostname', 'setdomainname', 'vhangup', 'mbind', 'set_mempolicy', 'migrate_pages', 'move_pages',
  'fanotify_init', 'lookup_dcookie', 'statmount', 'listmount',
];

/** Namespace flags of clone(2): allowed only when none is set (CLONE_NEWNS…CLONE_NEWNET, 0x7E020000). */
const CLONE_NAMESPACE_MASK = 0x7e020000;

/** personality(2) values Docker allows: PER_LINUX, PER_LINUX32, UNAME26 with each, and the query. */
const PERSONALITY_ALLOWED: readonly number[] = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff];

/** Only the native architecture: 32-bit and x32 calls reach the kernel through another table. */
export function seccompArchitectures(arch: string): string[] {
  switch (arch) {
    case 'x64':
      return ['SCMP_ARCH_X86_64'];
    case 'arm64':
      return ['SCMP_ARCH_AARCH64'];
    case 'ia32':
      return ['SCMP_ARCH_X86'];
    case 'arm':
      return ['SCMP_ARCH_ARM'];
    default:
      return [];
  }
}

export function dynoSeccompProfile(arch: string): SeccompProfile {
  const syscalls: SeccompRule[] = [{ names: [...ALLOWED_SYSCALLS], action: 'SCMP_ACT_ALLOW' }];
  for (const family of Object.values(ALLOWED_SOCKET_FAMILIES)) {
    syscalls.push({ names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: family, op: 'SCMP_CMP_EQ' }] });
  }
  syscalls.push({ names: ['socketpair'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: ALLOWED_SOCKET_FAMILIES.AF_UNIX, op: 'SCMP_CMP_EQ' }] });
  // s390 passes clone's flags second; everywhere else first.
  syscalls.push({
    names: ['clone'],
    action: 'SCMP_ACT_ALLOW',
    args: [{ index: arch === 's390x' ? 1 : 0, value: CLONE_NAMESPACE_MASK, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
  });
  // clone3 passes its flags in memory seccomp cannot read: ENOSYS makes libc fall back to clone.
  syscalls.push({ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS });
  for (const value of PERSONALITY_ALLOWED) {
    syscalls.push({ names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value, op: 'SCMP_CMP_EQ' }] });
  }
  return { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: EPERM, architectures: seccompArchitectures(arch), syscalls };
}
