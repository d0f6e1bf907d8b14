/** The auto-deploy room: repository connections, push webhooks of GitHub/GitLab/Gitea, wait for CI. */
export { createAutoDeploy } from './service.js';
export type { AutoDeploy, AutoDeployDeps, ConnectInput, WebhookOutcome } from './service.js';
export { hmacHex, isPushEvent, parsePush, verifyWebhook, type Headers } from './webhook.js';
export { combinedStatusUrl, repoFullName, waitForCi } from './ci-status.js';
