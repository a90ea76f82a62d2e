// Two stacks, two `pulumi up` processes at once, declaring tokens of the same names on the same GitLab project,
// Gitea user, Codacy repository and Qovery organization, with the answer of one create per service lost on the
// way (the service acted, the answer never arrived): each stack ends with its own tokens, neither revokes nor
// adopts the other's. Destroying one stack leaves the other's tokens live. The ownership marks (derived from each
// resource's URN, so from the stack's name) are what tells them apart; Codacy tokens cannot carry one, so a lost
// Codacy answer is left to the user (test/unit/ownership.test.ts), and here Codacy only races.
import { randomBytes } from "node:crypto";
import { expect } from "chai";
import { SEED, type Sandbox, sandboxStackConfig, type ServiceName, startSandbox } from "../sandbox";
import { changes, createTestWorkspace, programDir, type TestWorkspace } from "./harness";

const STEP_TIMEOUT = 5 * 60 * 1000;

const RESOURCES = [
    { kind: "ProjectAccessToken", name: "gitlab", args: { project: "acme/web", name: "ci", scopes: ["read_api"] } },
    { kind: "GiteaToken", name: "gitea", args: { name: "ci", scopes: ["read:repository"] } },
    { kind: "CodacyRepoToken", name: "codacy", args: { provider: "gh", organization: "acme", repository: "repo-001" } },
    {
        kind: "QoveryGitToken",
        name: "qovery",
        args: { organizationId: SEED.qovery.organizationId, name: "ci", type: "GITLAB", token: "$ref:gitlab.token" },
    },
];

/** Where each resource's tokens live in the sandbox (LiveToken.owner). */
const PARENTS: Record<string, { service: ServiceName; owner: string }> = {
    gitlab: { service: "gitlab", owner: "project:101" },
    gitea: { service: "gitea", owner: "user:bob" },
    codacy: { service: "codacy", owner: "gh/acme/repo-001" },
    qovery: { service: "qovery", owner: `organization:${SEED.qovery.organizationId}` },
};

describe("e2e: two stacks at once, same token names on the same parents", function () {
    this.timeout(STEP_TIMEOUT);
    let sandbox: Sandbox;
    const stacks: TestWorkspace[] = [];

    before(async function () {
        this.timeout(40 * 60 * 1000); // a cold cache builds the engine first
        sandbox = await startSandbox();
        const run = randomBytes(3).toString("hex");
        for (const name of ["a", "b"]) {
            stacks.push(
                await createTestWorkspace(programDir("tokens"), {
                    stackName: `race-${name}-${run}`,
                    config: { ...sandboxStackConfig(sandbox), resources: { value: JSON.stringify(RESOURCES) } },
                }),
            );
        }
    });

    after(async () => {
        for (const ws of stacks) {
            await ws.dispose();
        }
        await sandbox?.close();
    });

    function live(resource: string): string[] {
        const { service, owner } = PARENTS[resource]!;
        return sandbox
            .liveTokens(service)
            .filter((token) => token.owner === owner && token.active)
            .map((token) => token.id)
            .sort();
    }

    async function idsOf(ws: TestWorkspace): Promise<Record<string, string>> {
        const ids = (await ws.stack.outputs()).ids?.value as Record<string, unknown>;
        return Object.fromEntries(Object.entries(ids).map(([name, id]) => [name, String(id)]));
    }

    it("both `up` at once, one create answer lost per service: each stack gets its own tokens", async () => {
        for (const [service, path] of [
            ["gitlab", /\/access_tokens$/],
            ["gitea", /\/tokens$/],
            ["qovery", /\/gitToken$/],
        ] as const) {
            sandbox.faults.add({ service, method: "POST", path, when: "after", kind: "reset" });
        }
        const results = await Promise.all(stacks.map((ws) => ws.stack.up()));
        expect(sandbox.faults.pending(), "every lost answer happened").to.deep.equal([]);
        for (const result of results) {
            expect(changes(result.summary.resourceChanges)).to.deep.equal({ create: RESOURCES.length + 1 });
        }
        const [a, b] = await Promise.all(stacks.map(idsOf));
        for (const resource of Object.keys(PARENTS)) {
            expect(a![resource], resource).to.not.equal(b![resource]);
            expect(live(resource), `${resource}: exactly the two stacks' tokens live`).to.deep.equal(
                [a![resource]!, b![resource]!].sort(),
            );
        }
        // Each git token holds its own stack's GitLab token value.
        for (const [ws, ids] of [
            [stacks[0]!, a!],
            [stacks[1]!, b!],
        ] as const) {
            const values = (await ws.stack.outputs()).values?.value as Record<string, string>;
            expect(sandbox.qovery.secretOf(ids.qovery!)).to.equal(values.gitlab);
        }
    });

    it("a no-op `up` of each, at once, changes nothing", async () => {
        const results = await Promise.all(stacks.map((ws) => ws.stack.up()));
        for (const result of results) {
            expect(changes(result.summary.resourceChanges)).to.deep.equal({ same: RESOURCES.length + 1 });
        }
    });

    it("destroying one stack leaves the other's tokens live; destroying the other leaves none", async () => {
        const b = await idsOf(stacks[1]!);
        await stacks[0]!.stack.destroy();
        for (const resource of Object.keys(PARENTS)) {
            expect(live(resource), resource).to.deep.equal([b[resource]!]);
        }
        await stacks[1]!.stack.destroy();
        for (const resource of Object.keys(PARENTS)) {
            expect(live(resource), resource).to.deep.equal([]);
        }
    });
});
