import { expect } from "chai";
import type { PlainObject } from "../../provider/lifecycle";
import { QoveryClient, qoveryAuthorization } from "../../provider/qovery/client";
import { QoveryTokenLifecycle } from "../../provider/qovery/lifecycle";
import { SEED, type Sandbox, startSandbox } from "../sandbox";
import { caught, contextWith } from "../support/context";
import { ownedBy } from "../support/ownership";

describe("Qovery git token lifecycle (sandbox)", () => {
    let sandbox: Sandbox;
    let lifecycle: QoveryTokenLifecycle;
    let admin: QoveryClient;
    const organizationId = SEED.qovery.organizationId;
    const base = { organizationId, name: "gitlab-ci", type: "GITLAB", token: "git-provider-token-1" };

    before(async () => {
        sandbox = await startSandbox();
    });
    after(async () => {
        await sandbox.close();
    });
    beforeEach(() => {
        sandbox.reset();
        const config = { "qovery:baseUrl": sandbox.baseUrls.qovery, "qovery:apiToken": SEED.qovery.apiToken };
        lifecycle = new QoveryTokenLifecycle(contextWith(config));
        admin = new QoveryClient({ apiUrl: sandbox.baseUrls.qovery, apiToken: SEED.qovery.apiToken });
    });

    async function created(extra: PlainObject = {}) {
        const checked = await lifecycle.check({}, { ...base, ...extra });
        expect(checked.failures ?? []).to.deep.equal([]);
        const result = await lifecycle.create(checked.inputs as PlainObject);
        return { id: result.id, outs: result.outs as PlainObject, inputs: checked.inputs as PlainObject };
    }

    it("check: BITBUCKET needs a workspace; type and organizationId are validated", async () => {
        const bitbucket = await lifecycle.check({}, { ...base, type: "BITBUCKET" });
        expect(bitbucket.failures?.[0]).to.deep.include({ property: "workspace" });
        const type = await lifecycle.check({}, { ...base, type: "gitea" });
        expect(type.failures?.[0]?.reason).to.include("BITBUCKET, GITHUB, GITLAB");
        const org = await lifecycle.check({}, { ...base, organizationId: "acme" });
        expect(org.failures?.[0]?.property).to.equal("organizationId");
    });

    it("sends Token for API tokens and Bearer for a JWT", () => {
        expect(qoveryAuthorization(SEED.qovery.apiToken)).to.match(/^Token /);
        expect(qoveryAuthorization(SEED.qovery.jwt)).to.match(/^Bearer /);
    });

    it("create stores the git token; read reflects the service; delete removes it", async () => {
        const { id, outs } = await created({ description: "ci" });
        expect(outs.gitTokenId).to.equal(id);
        expect(outs.associatedServicesCount).to.equal(0);
        expect((await admin.get(organizationId, id)).description).to.equal("ci");
        expect((await lifecycle.read(id, outs)).id).to.equal(id);
        await lifecycle.delete(id, outs);
        expect((await lifecycle.read(id, outs)).id).to.equal(undefined);
        await lifecycle.delete(id, outs);
    });

    it("without a declared gitApiUrl, the default Qovery fills in is no drift; a declared one still is", async () => {
        const { id, outs, inputs } = await created();
        expect((await admin.get(organizationId, id)).git_api_url, "the service filled in a default").to.be.a("string");
        const refreshed = (await lifecycle.read(id, outs)).props as PlainObject;
        expect(refreshed).to.not.have.property("gitApiUrl");
        const diff = await lifecycle.diff(id, refreshed, inputs);
        expect(diff.changes, JSON.stringify(diff)).to.equal(false);

        const declared = await created({ name: "declared", gitApiUrl: "https://gitlab.example.com/api/v4" });
        await admin.update(organizationId, declared.id, {
            name: "declared",
            type: "GITLAB",
            token: "git-provider-token-1",
            git_api_url: "https://elsewhere.example.com/api/v4",
        });
        const drifted = (await lifecycle.read(declared.id, declared.outs)).props as PlainObject;
        expect(drifted.gitApiUrl).to.equal("https://elsewhere.example.com/api/v4");
        expect((await lifecycle.diff(declared.id, drifted, declared.inputs)).changes).to.equal(true);
    });

    it("a new token value is an in-place update that keeps the id", async () => {
        const { id, outs, inputs } = await created();
        const news = { ...inputs, token: "git-provider-token-2", name: "renamed" };
        const diff = await lifecycle.diff(id, outs, news);
        expect(diff).to.include({ changes: true });
        expect(diff.replaces).to.deep.equal([]);
        const updated = (await lifecycle.update(id, outs, news)).outs as PlainObject;
        expect(updated.gitTokenId).to.equal(id);
        expect((await admin.get(organizationId, id)).name).to.equal("renamed");
        expect((await lifecycle.diff(id, updated, news)).changes).to.equal(false);
        expect((await lifecycle.diff(id, updated, { ...news, type: "GITHUB" })).replaces).to.deep.equal(["type"]);
    });

    it("a lost create answer is recovered without a duplicate", async () => {
        sandbox.faults.add({ service: "qovery", method: "POST", when: "after", kind: "reset" });
        // The SDK classes give every resource its ownership mark: that is what proves the made git token ours.
        const { id } = await created(ownedBy("gitlab-ci"));
        const mine = (await admin.list(organizationId)).filter((t) => t.name === base.name);
        expect(mine.map((t) => t.id)).to.deep.equal([id]);
    });

    it("a 401 names the setting to fix, never the credential", async () => {
        const bad = new QoveryTokenLifecycle(
            contextWith({ "qovery:baseUrl": sandbox.baseUrls.qovery, "qovery:apiToken": "wrong-credential-xyz" }),
        );
        const checked = await bad.check({}, base);
        const error = await caught(() => bad.create(checked.inputs as PlainObject));
        expect(error.message)
            .to.include("HTTP 401")
            .and.include("qovery:apiToken")
            .and.not.include("wrong-credential-xyz");
    });
});
