// A token snapshot carries a sandbox's tokens into another sandbox: same ids, values and owners, working
// credentials, and new tokens that never reuse an id.
import { expect } from "chai";
import { SEED, type Sandbox, startSandbox } from "../sandbox";

async function call(sb: Sandbox, method: string, path: string, headers: Record<string, string>, body?: unknown) {
    const response = await fetch(`${sb.url}${path}`, {
        method,
        headers: { "content-type": "application/json", ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.text()) || "null" };
}

const gitlab = { "PRIVATE-TOKEN": SEED.gitlab.tokens.maintainer };
const codacy = { "api-token": SEED.codacy.apiToken };
const qovery = { Authorization: `Token ${SEED.qovery.apiToken}` };

describe("sandbox token snapshots", () => {
    let first: Sandbox;
    let second: Sandbox;
    before(async () => {
        first = await startSandbox();
        second = await startSandbox();
    });
    after(async () => {
        await first?.close();
        await second?.close();
    });

    it("restores every service's tokens into another sandbox, over HTTP too, and keeps ids unique", async () => {
        const made = await call(first, "POST", "/gitlab/api/v4/projects/101/access_tokens", gitlab, {
            name: "kept",
            scopes: ["read_api"],
        });
        expect(made.status).to.equal(201);
        const project = JSON.parse(made.body) as { id: number; token: string };
        const gitea = first.gitea.insertToken("bob", "kept", ["read:user"]);
        const codacyToken = first.codacy.insertToken("gh", "acme", "repo-001");
        const git = await call(first, "POST", `/qovery/organization/${SEED.qovery.organizationId}/gitToken`, qovery, {
            name: "kept",
            type: "GITLAB",
            token: project.token,
        });
        expect(git.status).to.be.oneOf([200, 201]);
        const gitId = (JSON.parse(git.body) as { id: string }).id;

        const snapshot = await call(first, "GET", "/_sandbox/tokens", {});
        expect(snapshot.status).to.equal(200);
        expect((await call(second, "PUT", "/_sandbox/tokens", {}, JSON.parse(snapshot.body))).status).to.equal(204);

        expect(second.liveTokens()).to.deep.equal(first.liveTokens());
        expect(second.gitlab.findToken(project.id)?.value).to.equal(project.token);
        expect(second.gitea.findToken(gitea.id)?.value).to.equal(gitea.value);
        expect(second.codacy.findToken(codacyToken.id)?.value).to.equal(codacyToken.value);
        expect(second.qovery.secretOf(gitId)).to.equal(project.token);
        // The restored project token (its bot user included) authenticates.
        const self = await call(second, "GET", "/gitlab/api/v4/personal_access_tokens/self", {
            "PRIVATE-TOKEN": project.token,
        });
        expect(self.status).to.equal(200);
        const next = await call(
            second,
            "POST",
            "/codacy/api/v3/organizations/gh/acme/repositories/repo-002/tokens",
            codacy,
        );
        expect(next.status).to.be.oneOf([200, 201]);
        const ids = second.codacy.tokens().map((t) => t.id);
        expect(ids).to.have.length(2);
        expect(ids[1]).to.be.greaterThan(codacyToken.id);
    });

    it("refuses something that is not a snapshot", async () => {
        const refused = await call(second, "PUT", "/_sandbox/tokens", {}, { gitlab: {} });
        expect(refused.status).to.equal(400);
        expect(refused.body).to.include("format");
    });
});
