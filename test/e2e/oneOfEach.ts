// Programs that declare one token of each of the first five kinds, the GitLab project token feeding the Qovery git
// token, and export their ids (`ids`) and values (`values`): examples/yaml and the generated-SDK program.
import { expect } from "chai";
import type { UpResult } from "@pulumi/pulumi/automation";
import type { Sandbox } from "../sandbox";
import { changes, type TestWorkspace } from "./harness";

export const SERVICE_OF = {
    project: "gitlab",
    group: "gitlab",
    gitea: "gitea",
    codacy: "codacy",
    qovery: "qovery",
} as const;
export type TokenName = keyof typeof SERVICE_OF;

/** The stack output `ids`, as strings. */
export async function outputIds(ws: TestWorkspace): Promise<Record<TokenName, string>> {
    const raw = ((await ws.stack.outputs()).ids?.value ?? {}) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, String(v)])) as Record<TokenName, string>;
}

export function isLive(sandbox: Sandbox, name: TokenName, id: string): boolean {
    return sandbox.liveTokens(SERVICE_OF[name]).some((t) => t.id === id);
}

/** The first `up` created the five tokens (and the stack), all live, the Qovery git token holding the GitLab one. */
export async function expectOneOfEachCreated(ws: TestWorkspace, sandbox: Sandbox, result: UpResult): Promise<void> {
    expect(changes(result.summary.resourceChanges)).to.deep.equal({ create: 6 }); // 5 tokens + the stack
    const created = await outputIds(ws);
    expect(Object.keys(created).sort()).to.deep.equal(["codacy", "gitea", "group", "project", "qovery"]);
    for (const [name, id] of Object.entries(created) as [TokenName, string][]) {
        expect(isLive(sandbox, name, id), `${name} ${id} live`).to.equal(true);
    }
    const values = (await ws.stack.outputs()).values?.value as Record<string, string>;
    // Compared, not printed: a failure must not show token values.
    const fedThrough = sandbox.qovery.secretOf(created.qovery) === values.project;
    expect(fedThrough, "the Qovery git token holds the GitLab token's value").to.equal(true);
}

/** `destroy` revokes the tokens of the stack's `ids` and leaves nothing live on the sandbox. */
export async function expectDestroyRevokesAll(ws: TestWorkspace, sandbox: Sandbox): Promise<void> {
    const last = await outputIds(ws);
    await ws.stack.destroy();
    for (const [name, id] of Object.entries(last) as [TokenName, string][]) {
        expect(isLive(sandbox, name, id), `${name} revoked`).to.equal(false);
    }
    expect(sandbox.liveTokens()).to.deep.equal([]);
}
