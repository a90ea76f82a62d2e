/**
 * The sandbox: an in-memory emulator of the token endpoints of GitLab, Gitea, Codacy and Qovery,
 * listening on 127.0.0.1. See ./README.md.
 */
export type { SandboxClockApi } from "./clock";
export { type CodacyAccessor, type CodacyTokenView, codacyError } from "./codacy";
export {
    type AppliedFaultRequest,
    FAULT_KINDS,
    type FaultController,
    type FaultKind,
    type FaultSpec,
    type RateLimitOptions,
} from "./faults";
export { GITEA_SCOPE_CATEGORIES, type GiteaAccessor, type GiteaTokenView, normalizeGiteaScopes } from "./gitea";
export {
    GITLAB_ACCESS_LEVELS,
    GITLAB_RESOURCE_SCOPES,
    type GitlabAccessor,
    type GitlabResourceType,
    type GitlabTokenView,
    type GitlabDeployTokenView,
    type GitlabTriggerView,
} from "./gitlab";
export {
    QOVERY_GIT_PROVIDERS,
    type QoveryAccessor,
    type QoveryApiTokenView,
    type QoveryAssociatedService,
    type QoveryGitProvider,
    type QoveryGitTokenView,
} from "./qovery";
export {
    CODACY_SEED,
    GITEA_SEED,
    GITLAB_SEED,
    QOVERY_SEED,
    SEED,
    SEED_CREDENTIALS,
    type SeedCredentials,
    type SeedInfo,
} from "./seed";
export {
    type Sandbox,
    type SandboxBaseUrls,
    type SandboxOptions,
    startSandbox,
    TOKEN_SNAPSHOT_FORMAT,
    type TokenSnapshot,
} from "./server";
export {
    nativeSandboxStackConfig,
    type StackConfigValue,
    sandboxStackConfig,
    tokensMadeByPrograms,
} from "./stackConfig";
export { type LiveToken, type RecordedRequest, SERVICE_NAMES, type ServiceName } from "./types";
