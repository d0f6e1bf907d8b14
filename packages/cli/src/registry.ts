/**
 * Every command, by id (`ps:scale` lives in `commands/ps/scale.ts`). A static list, so the CLI
 * works the same from source (tsx) and built; registry.test.ts checks it matches the files.
 */
import type { Command } from './framework/command.js';
import accessAddCmd from './commands/access/add.js';
import accessCmd from './commands/access/index.js';
import accessRemoveCmd from './commands/access/remove.js';
import appsCreateCmd from './commands/apps/create.js';
import appsDestroyCmd from './commands/apps/destroy.js';
import appsCmd from './commands/apps/index.js';
import appsInfoCmd from './commands/apps/info.js';
import appsRenameCmd from './commands/apps/rename.js';
import authTokenCmd from './commands/auth/token.js';
import authWhoamiCmd from './commands/auth/whoami.js';
import buildpacksAddCmd from './commands/buildpacks/add.js';
import buildpacksClearCmd from './commands/buildpacks/clear.js';
import buildpacksCmd from './commands/buildpacks/index.js';
import buildpacksSetCmd from './commands/buildpacks/set.js';
import buildsCreateCmd from './commands/builds/create.js';
import buildsCmd from './commands/builds/index.js';
import cleanupCmd from './commands/cleanup.js';
import configGetCmd from './commands/config/get.js';
import configCmd from './commands/config/index.js';
import configSetCmd from './commands/config/set.js';
import configUnsetCmd from './commands/config/unset.js';
import doctorCmd from './commands/doctor.js';
import domainsAddCmd from './commands/domains/add.js';
import domainsCmd from './commands/domains/index.js';
import domainsRemoveCmd from './commands/domains/remove.js';
import drainsAddCmd from './commands/drains/add.js';
import drainsCmd from './commands/drains/index.js';
import drainsRemoveCmd from './commands/drains/remove.js';
import gitCredentialsCmd from './commands/git/credentials.js';
import gitRemoteCmd from './commands/git/remote.js';
import loginCmd from './commands/login.js';
import logoutCmd from './commands/logout.js';
import logsCmd from './commands/logs.js';
import maintenanceCmd from './commands/maintenance/index.js';
import metricsCmd from './commands/metrics.js';
import maintenanceOffCmd from './commands/maintenance/off.js';
import maintenanceOnCmd from './commands/maintenance/on.js';
import pipelinesAddCmd from './commands/pipelines/add.js';
import pipelinesCreateCmd from './commands/pipelines/create.js';
import pipelinesDestroyCmd from './commands/pipelines/destroy.js';
import pipelinesDiffCmd from './commands/pipelines/diff.js';
import pipelinesCmd from './commands/pipelines/index.js';
import pipelinesInfoCmd from './commands/pipelines/info.js';
import pipelinesPromoteCmd from './commands/pipelines/promote.js';
import pipelinesRemoveCmd from './commands/pipelines/remove.js';
import pipelinesUpdateCmd from './commands/pipelines/update.js';
import psAutoscaleDisableCmd from './commands/ps/autoscale/disable.js';
import psAutoscaleEnableCmd from './commands/ps/autoscale/enable.js';
import psAutoscaleCmd from './commands/ps/autoscale/index.js';
import psCmd from './commands/ps/index.js';
import psKillCmd from './commands/ps/kill.js';
import psRestartCmd from './commands/ps/restart.js';
import psScaleCmd from './commands/ps/scale.js';
import psStopCmd from './commands/ps/stop.js';
import psTypeCmd from './commands/ps/type.js';
import releasesCmd from './commands/releases/index.js';
import releasesInfoCmd from './commands/releases/info.js';
import repoCmd from './commands/repo/index.js';
import repoConnectCmd from './commands/repo/connect.js';
import repoDisconnectCmd from './commands/repo/disconnect.js';
import reviewappsCmd from './commands/reviewapps/index.js';
import reviewappsCreateCmd from './commands/reviewapps/create.js';
import reviewappsDisableCmd from './commands/reviewapps/disable.js';
import reviewappsEnableCmd from './commands/reviewapps/enable.js';
import rollbackCmd from './commands/rollback.js';
import runDetachedCmd from './commands/run/detached.js';
import runCmd from './commands/run/index.js';
import serverCmd from './commands/server.js';
import setupCmd from './commands/setup.js';
import usersAddCmd from './commands/users/add.js';
import usersPasswordCmd from './commands/users/password.js';
import schedulerAddCmd from './commands/scheduler/add.js';
import schedulerCmd from './commands/scheduler/index.js';
import schedulerRemoveCmd from './commands/scheduler/remove.js';
import nodesCmd from './commands/nodes/index.js';
import nodesActivateCmd from './commands/nodes/activate.js';
import nodesDrainCmd from './commands/nodes/drain.js';
import nodesJoinCmd from './commands/nodes/join.js';

import addonsCmd from './commands/addons/index.js';
import addonsAttachCmd from './commands/addons/attach.js';
import addonsCreateCmd from './commands/addons/create.js';
import addonsDestroyCmd from './commands/addons/destroy.js';
import addonsDetachCmd from './commands/addons/detach.js';

export const COMMANDS: ReadonlyMap<string, Command> = new Map<string, Command>([
  ['access:add', accessAddCmd],
  ['access', accessCmd],
  ['access:remove', accessRemoveCmd],
  ['apps:create', appsCreateCmd],
  ['apps:destroy', appsDestroyCmd],
  ['apps', appsCmd],
  ['apps:info', appsInfoCmd],
  ['apps:rename', appsRenameCmd],
  ['auth:token', authTokenCmd],
  ['auth:whoami', authWhoamiCmd],
  ['buildpacks:add', buildpacksAddCmd],
  ['buildpacks:clear', buildpacksClearCmd],
  ['buildpacks', buildpacksCmd],
  ['buildpacks:set', buildpacksSetCmd],
  ['builds:create', buildsCreateCmd],
  ['builds', buildsCmd],
  ['cleanup', cleanupCmd],
  ['config:get', configGetCmd],
  ['config', configCmd],
  ['config:set', configSetCmd],
  ['config:unset', configUnsetCmd],
  ['doctor', doctorCmd],
  ['domains:add', domainsAddCmd],
  ['domains', domainsCmd],
  ['domains:remove', domainsRemoveCmd],
  ['drains:add', drainsAddCmd],
  ['drains', drainsCmd],
  ['drains:remove', drainsRemoveCmd],
  ['git:credentials', gitCredentialsCmd],
  ['git:remote', gitRemoteCmd],
  ['login', loginCmd],
  ['logout', logoutCmd],
  ['logs', logsCmd],
  ['maintenance', maintenanceCmd],
  ['maintenance:off', maintenanceOffCmd],
  ['maintenance:on', maintenanceOnCmd],
  ['metrics', metricsCmd],
  ['ps', psCmd],
  ['pipelines:add', pipelinesAddCmd],
  ['pipelines:create', pipelinesCreateCmd],
  ['pipelines:destroy', pipelinesDestroyCmd],
  ['pipelines:diff', pipelinesDiffCmd],
  ['pipelines', pipelinesCmd],
  ['pipelines:info', pipelinesInfoCmd],
  ['pipelines:promote', pipelinesPromoteCmd],
  ['pipelines:remove', pipelinesRemoveCmd],
  ['pipelines:update', pipelinesUpdateCmd],
  ['ps:autoscale', psAutoscaleCmd],
  ['ps:autoscale:disable', psAutoscaleDisableCmd],
  ['ps:autoscale:enable', psAutoscaleEnableCmd],
  ['ps:kill', psKillCmd],
  ['ps:restart', psRestartCmd],
  ['ps:scale', psScaleCmd],
  ['ps:stop', psStopCmd],
  ['ps:type', psTypeCmd],
  ['releases', releasesCmd],
  ['releases:info', releasesInfoCmd],
  ['repo', repoCmd],
  ['repo:connect', repoConnectCmd],
  ['repo:disconnect', repoDisconnectCmd],
  ['reviewapps', reviewappsCmd],
  ['reviewapps:create', reviewappsCreateCmd],
  ['reviewapps:disable', reviewappsDisableCmd],
  ['reviewapps:enable', reviewappsEnableCmd],
  ['rollback', rollbackCmd],
  ['run:detached', runDetachedCmd],
  ['run', runCmd],
  ['server', serverCmd],
  ['setup', setupCmd],
  ['users:add', usersAddCmd],
  ['users:password', usersPasswordCmd],
  ['addons', addonsCmd],
  ['addons:attach', addonsAttachCmd],
  ['addons:create', addonsCreateCmd],
  ['addons:destroy', addonsDestroyCmd],
  ['addons:detach', addonsDetachCmd],
  ['scheduler:add', schedulerAddCmd],
  ['scheduler', schedulerCmd],
  ['scheduler:remove', schedulerRemoveCmd],
  ['nodes', nodesCmd],
  ['nodes:activate', nodesActivateCmd],
  ['nodes:drain', nodesDrainCmd],
  ['nodes:join', nodesJoinCmd],
]);

const ALIASES: ReadonlyMap<string, string> = new Map(
  [...COMMANDS].flatMap(([id, c]) => (c.aliases ?? []).map((alias) => [alias, id] as [string, string])),
);

/** The command for an id or alias. */
export function findCommand(name: string | undefined): { id: string; command: Command } | undefined {
  if (!name) return undefined;
  const id = COMMANDS.has(name) ? name : ALIASES.get(name);
  const command = id ? COMMANDS.get(id) : undefined;
  return id && command ? { id, command } : undefined;
}
