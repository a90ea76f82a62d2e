import { expect } from "chai";
import { CodacyClient } from "../../provider/codacy/client";
import { CodacyTokenLifecycle } from "../../provider/codacy/lifecycle";
import type { PlainObject } from "../../provider/lifecycle";
import { SEED, type Sandbox, startSandbox } from "../sandbox";
import { caught, contextWith } from "../support/context";

describe("Codacy repository token lifecycle (sandbox)", () => {
    let sandbox: Sandbox;
    let lifecycle: CodacyTokenLifecycle;
    let admin: CodacyClient;
    const repo = { provider: "gh", organization: "acme", repository: "repo-001" } as const;

    before(async () => {
        sandbox = await startSandbox();
    });
    after(async () => {
        await sandbox.close();
    });
    beforeEach(() => {
        sandbox.reset();
        const config = { "codacy:baseUrl": sandbox.baseUrls.codacy, "codacy:apiToken": SEED.codacy.apiToken };
        lifecycle = new CodacyTokenLifecycle(contextWith(config));
        admin = new CodacyClient({ apiUrl: `${sandbox.baseUrls.codacy}/api/v3`, apiToken: SEED.codacy.apiToken });
    });

    async function created(extra: PlainObject = {}) {
        const checked = await lifecycle.check({}, { ...repo, ...extra });
        expect(checked.failures ?? []).to.deep.equal([]);
        const result = await lifecycle.create(checked.inputs as PlainObject);
        return { id: result.id, outs: result.outs as PlainObject, inputs: checked.inputs as PlainObject };
    }

    it("check: names the field and the allowed providers", async () => {
        const result = await lifecycle.check({}, { ...repo, provider: "github" });
        expect(result.failures?.[0]).to.deep.include({ property: "provider" });
        expect(result.failures?.[0]?.reason).to.include("gh, ghe, gl, gle, bb, bbe");
        const slash = await lifecycle.check({}, { ...repo, repository: "a/b" });
        expect(slash.failures?.[0]?.property).to.equal("repository");
    });

    it("create, read, delete against the service", async () => {
        const { id, outs } = await created();
        const listed = await admin.listTokens(repo);
        expect(listed.find((t) => String(t.id) === id)?.token).to.equal(outs.token);
        expect((await lifecycle.read(id, outs)).id).to.equal(id);
        await lifecycle.delete(id, outs);
        expect((await admin.listTokens(repo)).some((t) => String(t.id) === id)).to.equal(false);
        expect((await lifecycle.read(id, outs)).id).to.equal(undefined);
        await lifecycle.delete(id, outs);
    });

    it("a lost create answer touches nothing it cannot prove its own: it names the new token and how to adopt it", async () => {
        sandbox.faults.add({ service: "codacy", method: "POST", when: "after", kind: "reset" });
        const error = await caught(() => created());
        const listed = await admin.listTokens(repo);
        expect(listed, "the token the lost request made is left alone").to.have.length(1);
        expect(error.message)
            .to.include(`adopt: { tokenId: ${listed[0]!.id} }`)
            .and.include("ECONNRESET")
            .and.not.include(listed[0]!.token);
        const { id, outs } = await created({ adopt: { tokenId: listed[0]!.id } });
        expect(id).to.equal(String(listed[0]!.id));
        expect(outs.token).to.equal(listed[0]!.token);
    });

    it("a lost create answer with nothing made is tried once more", async () => {
        sandbox.faults.add({ service: "codacy", method: "POST", kind: "reset" });
        const { id } = await created();
        expect((await admin.listTokens(repo)).map((t) => String(t.id))).to.deep.equal([id]);
    });

    it("an unknown repository is a 404 naming Codacy's message and a hint", async () => {
        const error = await caught(() => created({ repository: "nope" }));
        expect(error.message)
            .to.match(/^Codacy .* failed \(.*HTTP 404\)/)
            .and.include("added to Codacy");
    });

    it("adopt: takes a listed token over with its value", async () => {
        const existing = await admin.createToken(repo);
        const { id, outs } = await created({ adopt: { tokenId: existing.id } });
        expect(id).to.equal(String(existing.id));
        expect(outs.token).to.equal(existing.token);
    });

    it("diff: repository change replaces (new first); nothing changed → no change", async () => {
        const { id, outs, inputs } = await created();
        expect((await lifecycle.diff(id, outs, inputs)).changes).to.equal(false);
        const diff = await lifecycle.diff(id, outs, { ...inputs, repository: "repo-002" });
        expect(diff).to.include({ changes: true, deleteBeforeReplace: false });
        expect(diff.replaces).to.deep.equal(["repository"]);
    });

    it("lists every repository across cursor pages, Bitbucket cursors included", async () => {
        const github = await admin.listRepositories("gh", "acme");
        expect(github.map((r) => r.name))
            .to.include("repo-012")
            .and.have.length(12);
        const bitbucket = await admin.listRepositories("bb", "acme-bb");
        expect(bitbucket.map((r) => r.name)).to.deep.equal([...SEED.codacy.bitbucket.repositories]);
    });
});
