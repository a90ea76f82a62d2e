import { EMPTY_CONFIG, type StackConfig } from "./config";
import { CodacyTokenLifecycle } from "./codacy/lifecycle";
import { GiteaTokenLifecycle } from "./gitea/lifecycle";
import { GitLabTokenLifecycle } from "./gitlab/lifecycle";
import { QoveryApiTokenLifecycle } from "./qovery/apiTokenLifecycle";
import { DeployTokenLifecycle } from "./gitlab/deployTokenLifecycle";
import { PipelineTriggerLifecycle } from "./gitlab/triggerLifecycle";
import { QoveryTokenLifecycle } from "./qovery/lifecycle";
import type { ProviderContext, ResourceKind, TokenLifecycle } from "./types";

export type { ProviderContext, ResourceKind, TokenLifecycle } from "./types";

/**
 * The implementation behind the serialized dynamic providers: they `require` this module at call time and
 * ask it for the lifecycle of their kind, so the state holds only a few lines of glue.
 */
export function lifecycleFor(
    kind: ResourceKind,
    config: StackConfig = EMPTY_CONFIG,
    // The dynamic provider's stdout reaches the engine's diagnostics; the native plugin logs through the engine.
    log: (message: string) => void = (message) => console.log(message),
): TokenLifecycle {
    const ctx: ProviderContext = {
        config,
        env: process.env,
        now: () => new Date(),
        log,
        http: httpOverrides(process.env),
    };
    switch (kind) {
        case "ProjectAccessToken":
            return new GitLabTokenLifecycle("project", ctx);
        case "GroupAccessToken":
            return new GitLabTokenLifecycle("group", ctx);
        case "GiteaToken":
            return new GiteaTokenLifecycle(ctx);
        case "CodacyRepoToken":
            return new CodacyTokenLifecycle(ctx);
        case "QoveryGitToken":
            return new QoveryTokenLifecycle(ctx);
        case "PersonalAccessToken":
            return new GitLabTokenLifecycle("personal", ctx);
        case "QoveryApiToken":
            return new QoveryApiTokenLifecycle(ctx);
        case "DeployToken":
            return new DeployTokenLifecycle(ctx);
        case "PipelineTriggerToken":
            return new PipelineTriggerLifecycle(ctx);
    }
}

/** `PULUMI_ACCESS_TOKENS_TIMEOUT_MS` lengthens (or shortens) the per-request timeout, e.g. for a slow instance. */
function httpOverrides(env: NodeJS.ProcessEnv): ProviderContext["http"] {
    const timeoutMs = Number(env.PULUMI_ACCESS_TOKENS_TIMEOUT_MS);
    return Number.isFinite(timeoutMs) && timeoutMs > 0 ? { timeoutMs } : undefined;
}
