import { expect } from "chai";
import { ApiError } from "../../provider/http";
import type { PlainObject } from "../../provider/lifecycle";
import { withMark } from "../../provider/ownership";
import { QoveryApiTokenLifecycle } from "../../provider/qovery/apiTokenLifecycle";
import { QoveryClient } from "../../provider/qovery/client";
import { SEED, type Sandbox, startSandbox } from "../sandbox";
import { caught, checkedCreate, contextWith } from "../support/context";
import { ownedBy } from "../support/ownership";

describe("Qovery API token lifecycle (sandbox)", () => {
    let sandbox: Sandbox;
    let lifecycle: QoveryApiTokenLifecycle;
    let admin: QoveryClient;
    let today: Date;
    const log: string[] = [];
    const organizationId = SEED.qovery.organizationId;
    const roles = SEED.qovery.roles;
    const base = { organizationId, name: "ci-deploy", roleId: roles.devops.id };

    before(async () => {
        sandbox = await startSandbox();
    });
    after(async () => {
        await sandbox.close();
    });
    beforeEach(() => {
        sandbox.reset();
        log.length = 0;
        today = new Date("2026-03-01T12:00:00Z");
        lifecycle = lifecycleWith(SEED.qovery.apiToken);
        admin = new QoveryClient({ apiUrl: sandbox.baseUrls.qovery, apiToken: SEED.qovery.apiToken });
    });

    function lifecycleWith(apiToken: string): QoveryApiTokenLifecycle {
        const config = { "qovery:baseUrl": sandbox.baseUrls.qovery, "qovery:apiToken": apiToken };
        return new QoveryApiTokenLifecycle(contextWith(config, () => today, log));
    }

    const created = (extra: PlainObject = {}, on = lifecycle) => checkedCreate(on, { ...base, ...extra });

    it("check: roleId must be a UUID, only the overlap strategy exists, adopt needs an API token id", async () => {
        const role = await lifecycle.check({}, { ...base, roleId: "Admin" });
        expect(role.failures?.[0]).to.deep.include({ property: "roleId" });
        expect(role.failures?.[0]?.reason).to.include("UUID");
        const strategy = await lifecycle.check({}, { ...base, rotation: { strategy: "rotate" } });
        expect(strategy.failures?.[0]?.reason).to.include('use "overlap"');
        const adopt = await lifecycle.check({}, { ...base, adopt: { gitTokenId: roles.owner.id } });
        expect(adopt.failures?.[0]?.reason).to.include("apiTokenId");
        const upper = await lifecycle.check({}, { ...base, roleId: roles.devops.id.toUpperCase() });
        expect((upper.inputs as PlainObject).roleId, "normalised as Qovery answers it").to.equal(roles.devops.id);
    });

    it("create returns the value once (it authenticates), the state strips the mark; read, delete, read again", async () => {
        const { id, outs, inputs } = await created({ description: "deploys from CI", ...ownedBy("ci-deploy") });
        expect(outs).to.include({ apiTokenId: id, roleName: "DevOps", description: "deploys from CI" });
        expect(outs.token)
            .to.be.a("string")
            .that.matches(/^qov_sandbox_/);
        const live = sandbox.qovery.findApiToken(id)!;
        expect(live.description, "the service holds the ownership mark").to.match(/^deploys from CI \[pulumi-owner:/);
        const asToken = new QoveryClient({ apiUrl: sandbox.baseUrls.qovery, apiToken: String(outs.token) });
        expect((await asToken.listApiTokens(organizationId)).map((t) => t.id)).to.deep.equal([id]);

        const read = await lifecycle.read(id, outs);
        expect(read.id).to.equal(id);
        expect((read.props as PlainObject).description, "the mark is no drift").to.equal("deploys from CI");
        expect((await lifecycle.diff(id, read.props as PlainObject, inputs)).changes).to.equal(false);

        await lifecycle.delete(id, outs);
        expect(sandbox.qovery.apiTokens()).to.deep.equal([]);
        expect((await lifecycle.read(id, outs)).id, "gone: the listing no longer holds it").to.equal(undefined);
        await lifecycle.delete(id, outs);
    });

    it("deleted out of band: read says gone", async () => {
        const { id, outs } = await created();
        expect(sandbox.qovery.deleteApiToken(id)).to.equal(true);
        expect(await lifecycle.read(id, outs)).to.deep.equal({});
    });

    it("every input change replaces; keeping the name deletes first (names are unique), a new name overlaps", async () => {
        const { id, outs, inputs } = await created({ description: "a" });
        const sameName = await lifecycle.diff(id, outs, { ...inputs, description: "b" });
        expect(sameName).to.include({ changes: true, deleteBeforeReplace: true });
        expect(sameName.replaces).to.deep.equal(["description"]);
        expect((await lifecycle.diff(id, outs, { ...inputs, roleId: roles.admin.id })).replaces).to.deep.equal([
            "roleId",
        ]);
        const renamed = await lifecycle.diff(id, outs, { ...inputs, name: "ci-deploy-2" });
        expect(renamed).to.include({ changes: true, deleteBeforeReplace: false });
        expect(renamed.replaces).to.deep.equal(["name"]);
        const trigger = await lifecycle.diff(id, outs, { ...inputs, rotationTrigger: "2" });
        expect(trigger.replaces).to.deep.equal(["rotationTrigger"]);
        expect(log.join("\n")).to.include('qovery API token "ci-deploy": replace');
    });

    it("connection and rotation settings change in place without a request, keeping the value", async () => {
        const { id, outs, inputs } = await created();
        const news = { ...inputs, rotation: { expiresInDays: 90 } };
        const diff = await lifecycle.diff(id, outs, news);
        expect(diff).to.include({ changes: true });
        expect(diff.replaces).to.deep.equal([]);
        const writes = sandbox.requests.length;
        const updated = (await lifecycle.update(id, outs, news)).outs as PlainObject;
        expect(sandbox.requests.length, "no request").to.equal(writes);
        expect(updated).to.include({ apiTokenId: id, token: outs.token });
    });

    it("rotation: a renewal date is kept and the token is replaced once it is due", async () => {
        const { id, outs, inputs } = await created({ rotation: { expiresInDays: 30, rotateBeforeDays: 5 } });
        expect(outs.renewBy).to.equal("2026-03-31");
        today = new Date("2026-03-20T00:00:00Z");
        expect((await lifecycle.diff(id, outs, inputs)).changes).to.equal(false);
        today = new Date("2026-03-27T00:00:00Z");
        const due = await lifecycle.diff(id, outs, inputs);
        expect(due.replaces).to.deep.equal(["renewBy"]);
    });

    it("a replacement that overlaps leaves the old token alone until its delete", async () => {
        const first = await created(ownedBy("ci-deploy"));
        const news = { ...first.inputs, name: "ci-deploy-2" };
        expect((await lifecycle.diff(first.id, first.outs, news)).replaces).to.deep.equal(["name"]);
        const second = await created(news);
        expect(second.outs.token).to.not.equal(first.outs.token);
        expect(sandbox.qovery.apiTokens().map((t) => t.id)).to.have.members([first.id, second.id]);
        await lifecycle.delete(first.id, first.outs);
        expect(sandbox.qovery.apiTokens().map((t) => t.id)).to.deep.equal([second.id]);
    });

    it("a name held by a token not proven ours fails with 409 and a hint; that token is untouched", async () => {
        const foreign = await admin.createApiToken(organizationId, { name: "ci-deploy", role_id: roles.admin.id });
        const error = await caught(() => created(ownedBy("ci-deploy")));
        expect(error).to.be.instanceOf(ApiError);
        expect(error.message).to.include("HTTP 409").and.include("unique per organization");
        expect(sandbox.qovery.apiTokens().map((t) => t.id)).to.deep.equal([foreign.id]);
    });

    it("a create clears this resource's leftover of the same name, even though it holds the name", async () => {
        const mark = ownedBy("ci-deploy").__owner;
        const leftover = await admin.createApiToken(organizationId, {
            name: "ci-deploy",
            role_id: roles.devops.id,
            description: withMark(undefined, mark, 1024)!,
        });
        const { id } = await created(ownedBy("ci-deploy"));
        expect(sandbox.qovery.apiTokens().map((t) => t.id)).to.deep.equal([id]);
        expect(id).to.not.equal(leftover.id);
    });

    it("a lost create answer is recovered by the mark without a duplicate; unmarked, it is reported", async () => {
        sandbox.faults.add({ service: "qovery", method: "POST", when: "after", kind: "reset" });
        const { id, outs } = await created(ownedBy("ci-deploy"));
        expect(sandbox.qovery.apiTokens().map((t) => t.id)).to.deep.equal([id]);
        expect(outs.token).to.be.a("string").and.not.equal("");

        sandbox.reset();
        sandbox.faults.add({ service: "qovery", method: "POST", when: "after", kind: "reset" });
        const error = await caught(() => created());
        expect(error.message).to.include("carries no ownership mark").and.include("adopt: { apiTokenId }");
        expect(sandbox.qovery.apiTokens(), "nothing unmarked is deleted").to.have.length(1);
    });

    it("a role that may not manage API tokens gets 403 and a hint naming the roles that may", async () => {
        const viewer = await admin.createApiToken(organizationId, { name: "viewer", role_id: roles.viewer.id });
        const error = await caught(() => created({}, lifecycleWith(viewer.token)));
        expect(error.message)
            .to.include("HTTP 403")
            .and.include("Manage organization setup")
            .and.include("Owner, Admin or DevOps")
            .and.not.include(viewer.token);
    });

    it("adopt takes over an existing token (value unknown) and records what Qovery holds", async () => {
        const existing = await admin.createApiToken(organizationId, {
            name: "legacy",
            description: "made by hand",
            role_id: roles.admin.id,
        });
        const { id, outs, inputs } = await created({ adopt: { apiTokenId: existing.id } });
        expect(id).to.equal(existing.id);
        expect(outs).to.include({ token: "", name: "legacy", roleId: roles.admin.id, description: "made by hand" });
        const diff = await lifecycle.diff(id, outs, inputs);
        expect(diff.replaces, "the program's values differ from the adopted token's").to.include.members([
            "name",
            "roleId",
        ]);
        const missing = await caught(() => created({ adopt: { apiTokenId: roles.owner.id } }));
        expect(missing.message).to.include("no API token with id").and.include("adopt.apiTokenId");
    });
});
