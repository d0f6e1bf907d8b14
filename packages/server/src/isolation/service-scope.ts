/**
 * The data plane outlives the control plane: the router process and each dyno's conmon are started
 * outside the platform process's kill scope, so a SIGKILL of the platform's whole process group
 * (`kill -KILL -<pgid>`, a terminal closing) or of its service's cgroup (`systemctl kill -s KILL`,
 * systemd's stop with KillMode=control-group) leaves routed traffic flowing while the control plane
 * restarts and re-adopts them.
 *
 * - Process group and session: the caller spawns with `detached: true` (setsid), always.
 * - cgroup: where systemd is PID 1 (`/run/systemd/system` exists), the command is wrapped in
 *   `systemd-run --scope`, which moves itself into a new transient scope unit and then execs the
 *   command in place (same pid, same fds and environment, so an IPC channel or conmon's sync pipe
 *   survive). Without systemd there is no service cgroup to leave; the new session is enough.
 */
import { existsSync } from 'node:fs';

/** Exists when systemd is the init system (sd_booted(3)). */
export const SYSTEMD_BOOTED_PATH = '/run/systemd/system';

export function systemdBooted(probePath: string = SYSTEMD_BOOTED_PATH): boolean {
  return existsSync(probePath);
}

/** Characters systemd accepts in a unit name; anything else becomes `_`. */
function unitName(name: string): string {
  return name.replace(/[^A-Za-z0-9:_.-]/g, '_');
}

/** Pure: the command line that runs `cmd args` in its own systemd scope `<unit>.scope`, or as is without systemd. */
export function outsideKillScope(cmd: string, args: readonly string[], opts: { systemd: boolean; unit: string; systemdRun?: string }): { cmd: string; args: string[] } {
  if (!opts.systemd) return { cmd, args: [...args] };
  return {
    cmd: opts.systemdRun ?? 'systemd-run',
    args: ['--scope', '--quiet', '--collect', `--unit=${unitName(opts.unit)}`, '--', cmd, ...args],
  };
}
