/** The builder room: git push and Builds API → buildpacks → slugs → releases. */
export { createBuilder } from './builder.js';
export type { Builder, BuilderDeps, AppsPort, CreateBuildInput, DeployCommitInput, StagedSource } from './builder.js';
export { isValidBranch, redactRepoUrl, type RepoCommit } from './repo-source.js';
export type { ReleaseCandidate, RunReleasePhase } from './pipeline.js';
export { createProcessSandbox, NOBODY } from './sandbox.js';
export type { BuildSandbox, SandboxRun, SandboxResult } from './sandbox.js';
export { createRuncBuildSandbox, buildLimits } from './runc-sandbox.js';
export { chooseBuildSandbox, decideBuildSandbox } from './sandbox-choice.js';
export { parseBuildpackRef, buildpackName, BUILTIN_BUILDPACKS } from './buildpacks.js';
export { formatSize } from './slug.js';
export { sourceBlobProblem } from './source.js';
export { parseAppJson, envSpecs, resolveEnv, addonRequests, scriptCommand, newSecret, type AppJson, type EnvSpec } from './app-json.js';
export { CONTAINER_STACK, parseHerokuYml } from './heroku-yml.js';
