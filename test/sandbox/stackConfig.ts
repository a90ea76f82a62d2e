import { nativeKeyOf } from "../../provider/native/settings";
import { SEED } from "./seed";
import type { Sandbox, SandboxBaseUrls } from "./server";
import type { LiveToken } from "./types";

/** A stack config value as the Automation API takes it. */
export interface StackConfigValue {
    value: string;
    secret?: boolean;
}

/**
 * Stack configuration that points every service of a program at the sandbox, credentials as secrets, plus
 * the project keys `qoveryOrganizationId` and `qoveryRoleId` (the DevOps role) the examples read.
 */
export function sandboxStackConfig(sandbox: { baseUrls: SandboxBaseUrls }): Record<string, StackConfigValue> {
    return {
        "gitlab:baseUrl": { value: sandbox.baseUrls.gitlab },
        "gitlab:token": { value: SEED.gitlab.tokens.owner, secret: true },
        "gitea:baseUrl": { value: sandbox.baseUrls.gitea },
        "gitea:username": { value: SEED.gitea.users.bob.username },
        "gitea:password": { value: SEED.gitea.users.bob.password, secret: true },
        "codacy:baseUrl": { value: sandbox.baseUrls.codacy },
        "codacy:apiToken": { value: SEED.codacy.apiToken, secret: true },
        "qovery:baseUrl": { value: sandbox.baseUrls.qovery },
        "qovery:apiToken": { value: SEED.qovery.apiToken, secret: true },
        qoveryOrganizationId: { value: SEED.qovery.organizationId },
        gitlabServiceAccountId: { value: String(SEED.gitlab.serviceAccounts.deploy.id) },
        qoveryRoleId: { value: SEED.qovery.roles.devops.id },
    };
}

/**
 * The same settings under the native provider plugin's keys (`gitlab:token` → `accesstokens:gitlabToken`, …);
 * project keys are left out.
 */
export function nativeSandboxStackConfig(sandbox: { baseUrls: SandboxBaseUrls }): Record<string, StackConfigValue> {
    return Object.fromEntries(
        Object.entries(sandboxStackConfig(sandbox)).flatMap(([key, value]) => {
            const [service, setting] = key.split(":") as [Parameters<typeof nativeKeyOf>[0], string | undefined];
            return setting ? [[`accesstokens:${nativeKeyOf(service, setting)}`, value]] : [];
        }),
    );
}

/** Live tokens that programs created: everything but the seeded GitLab personal tokens. */
export function tokensMadeByPrograms(sandbox: Pick<Sandbox, "liveTokens">): LiveToken[] {
    return sandbox
        .liveTokens()
        .filter(
            (token) =>
                token.service !== "gitlab" ||
                /^((deploy|trigger):)?(project|group|user|service_account):/.test(token.owner),
        );
}
