// Bad inputs, table-driven: each is rejected by the lifecycle's `check` before any request, with a failure
// about the offending input whose `reason` names the field (and lists the allowed values where there is a
// fixed set). Failures about a credential-bearing input name no `property` (the engine would print its value).
import { expect } from "chai";
import { CodacyTokenLifecycle } from "../../provider/codacy/lifecycle";
import { GiteaTokenLifecycle } from "../../provider/gitea/lifecycle";
import { DeployTokenLifecycle } from "../../provider/gitlab/deployTokenLifecycle";
import { PipelineTriggerLifecycle } from "../../provider/gitlab/triggerLifecycle";
import { GitLabTokenLifecycle } from "../../provider/gitlab/lifecycle";
import { CREDENTIAL_INPUTS } from "../../provider/lifecycle";
import { QoveryApiTokenLifecycle } from "../../provider/qovery/apiTokenLifecycle";
import { QoveryTokenLifecycle } from "../../provider/qovery/lifecycle";
import type { ProviderContext, TokenLifecycle } from "../../provider/types";
import { SEED, type Sandbox, startSandbox } from "../sandbox";
import { BAD_INPUTS, merged, type Resource, VALID_INPUTS } from "../support/badInputs";
import { contextWith } from "../support/context";

interface Kind {
    lifecycle(ctx: ProviderContext): TokenLifecycle;
    config(sb: Sandbox): Record<string, string | undefined>;
}

const KINDS: Record<Resource, Kind> = {
    ProjectAccessToken: {
        lifecycle: (ctx) => new GitLabTokenLifecycle("project", ctx),
        config: (sb) => ({ "gitlab:baseUrl": sb.baseUrls.gitlab, "gitlab:token": SEED.gitlab.tokens.maintainer }),
    },
    GroupAccessToken: {
        lifecycle: (ctx) => new GitLabTokenLifecycle("group", ctx),
        config: (sb) => ({ "gitlab:baseUrl": sb.baseUrls.gitlab, "gitlab:token": SEED.gitlab.tokens.owner }),
    },
    GiteaToken: {
        lifecycle: (ctx) => new GiteaTokenLifecycle(ctx),
        config: (sb) => ({
            "gitea:baseUrl": sb.baseUrls.gitea,
            "gitea:username": SEED.gitea.users.bob.username,
            "gitea:password": SEED.gitea.users.bob.password,
        }),
    },
    CodacyRepoToken: {
        lifecycle: (ctx) => new CodacyTokenLifecycle(ctx),
        config: (sb) => ({ "codacy:baseUrl": sb.baseUrls.codacy, "codacy:apiToken": SEED.codacy.apiToken }),
    },
    QoveryGitToken: {
        lifecycle: (ctx) => new QoveryTokenLifecycle(ctx),
        config: (sb) => ({ "qovery:baseUrl": sb.baseUrls.qovery, "qovery:apiToken": SEED.qovery.apiToken }),
    },
    PersonalAccessToken: {
        lifecycle: (ctx) => new GitLabTokenLifecycle("personal", ctx),
        config: (sb) => ({ "gitlab:baseUrl": sb.baseUrls.gitlab, "gitlab:token": SEED.gitlab.tokens.root }),
    },
    QoveryApiToken: {
        lifecycle: (ctx) => new QoveryApiTokenLifecycle(ctx),
        config: (sb) => ({ "qovery:baseUrl": sb.baseUrls.qovery, "qovery:apiToken": SEED.qovery.apiToken }),
    },
    DeployToken: {
        lifecycle: (ctx) => new DeployTokenLifecycle(ctx),
        config: (sb) => ({ "gitlab:baseUrl": sb.baseUrls.gitlab, "gitlab:token": SEED.gitlab.tokens.maintainer }),
    },
    PipelineTriggerToken: {
        lifecycle: (ctx) => new PipelineTriggerLifecycle(ctx),
        config: (sb) => ({ "gitlab:baseUrl": sb.baseUrls.gitlab, "gitlab:token": SEED.gitlab.tokens.maintainer }),
    },
};

/**
 * Whether a failure is about `property`: it names it, or (for inputs whose value the engine must not print,
 * see withoutValueIfSensitive) it names no property and its reason starts with or mentions the field.
 */
function isAbout(failure: { property: string; reason: string }, property: string): boolean {
    return failure.property === property || (failure.property === "" && failure.reason.includes(property));
}

describe("bad inputs: rejected by check before any request, naming the field", () => {
    let sandbox: Sandbox;

    before(async () => {
        sandbox = await startSandbox();
    });
    after(async () => {
        await sandbox?.close();
    });

    it("the table covers every resource with at least 40 cases", () => {
        expect(BAD_INPUTS.length).to.be.at.least(40);
        expect(new Set(BAD_INPUTS.map((row) => row.resource))).to.have.property("size", Object.keys(KINDS).length);
    });

    for (const [resource, kind] of Object.entries(KINDS)) {
        it(`${resource}: the valid inputs the table starts from pass`, async () => {
            const lifecycle = kind.lifecycle(contextWith(kind.config(sandbox)));
            const result = await lifecycle.check({}, VALID_INPUTS[resource as Resource]);
            expect(result.failures ?? []).to.deep.equal([]);
        });
    }

    for (const row of BAD_INPUTS) {
        it(`${row.resource}: ${row.what} → ${row.property}`, async () => {
            const kind = KINDS[row.resource];
            const lifecycle = kind.lifecycle(contextWith(merged(kind.config(sandbox), row.config)));
            const requests = sandbox.requests.length;
            const result = await lifecycle.check({}, merged(VALID_INPUTS[row.resource], row.inputs));
            expect(sandbox.requests.length, "no request was sent").to.equal(requests);
            const failures = result.failures ?? [];
            const failure = failures.find((f) => isAbout(f, row.property));
            expect(failure, `failures: ${JSON.stringify(failures)}`).to.not.equal(undefined);
            if (CREDENTIAL_INPUTS.has(row.property) || /unknown property/.test(failure!.reason)) {
                // The engine would print the input's value (credentials included) next to a named property.
                expect(failure!.property, "a failure about a credential-bearing input names no property").to.equal("");
            }
            expect(failure!.reason).to.match(row.names);
            for (const value of row.allowed ?? []) {
                expect(failure!.reason, "lists the allowed values").to.include(value);
            }
        });
    }
});
