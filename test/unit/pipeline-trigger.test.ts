import { expect } from "chai";
import { PipelineTriggerLifecycle } from "../../provider/gitlab/triggerLifecycle";
import { ApiError } from "../../provider/http";
import { addDays, type PlainObject, todayUtc } from "../../provider/lifecycle";
import { carriesMark } from "../../provider/ownership";
import { SEED, type Sandbox, startSandbox } from "../sandbox";
import { caught, contextWith } from "../support/context";
import { ownedBy } from "../support/ownership";

describe("GitLab pipeline trigger token lifecycle (sandbox)", () => {
    let sandbox: Sandbox;
    let log: string[];
    let lifecycle: PipelineTriggerLifecycle;
    const MINE = ownedBy("hook").__owner;

    before(async () => {
        sandbox = await startSandbox();
    });
    after(async () => {
        await sandbox.close();
    });
    beforeEach(() => {
        sandbox.reset();
        log = [];
        lifecycle = lifecycleAs(SEED.gitlab.tokens.maintainer);
    });

    function lifecycleAs(token: string, now?: () => Date): PipelineTriggerLifecycle {
        const config = { "gitlab:baseUrl": sandbox.baseUrls.gitlab, "gitlab:token": token };
        return new PipelineTriggerLifecycle(contextWith(config, now, log));
    }

    async function checked(news: PlainObject): Promise<PlainObject> {
        const result = await lifecycle.check({}, news);
        expect(result.failures ?? []).to.deep.equal([]);
        return result.inputs as PlainObject;
    }

    async function created(extra: PlainObject = {}): Promise<{ id: string; outs: PlainObject; inputs: PlainObject }> {
        const inputs = await checked({ project: "acme/web", description: "deploys", ...ownedBy("hook"), ...extra });
        const result = await lifecycle.create(inputs);
        return { id: result.id, outs: result.outs as PlainObject, inputs };
    }

    const live = (): string[] =>
        sandbox
            .liveTokens("gitlab")
            .filter((t) => t.owner === "trigger:project:101" && t.active)
            .map((t) => t.id)
            .sort();

    it("check names the field and the allowed values, before any request", async () => {
        const before = sandbox.requests.length;
        const cases: [PlainObject, string, RegExp][] = [
            [{ project: "acme/web" }, "description", /description/],
            [{ project: "acme/web", description: " " }, "description", /description must not be empty/],
            [{ project: "acme/web", description: "d".repeat(201) }, "description", /at most 200/],
            [{ project: "acme web", description: "x" }, "project", /numeric id or a full path/],
            [{ group: "acme", project: "acme/web", description: "x" }, "", /unknown property "group"/],
            [
                { project: "acme/web", description: "x", rotation: { strategy: "rotate" } },
                "rotation",
                /strategy "rotate" needs a rotate API/,
            ],
        ];
        for (const [news, property, reason] of cases) {
            const failures = (await lifecycle.check({}, news)).failures ?? [];
            expect(failures, JSON.stringify(news)).to.have.length.greaterThan(0);
            expect(failures[0]!.property, JSON.stringify(news)).to.equal(property);
            expect(failures[0]!.reason, JSON.stringify(news)).to.match(reason);
        }
        expect(sandbox.requests.length, "no request made").to.equal(before);
    });

    it("create: the description carries the mark on GitLab, the outputs keep the declared text; value once", async () => {
        const { id, outs } = await created();
        const trigger = sandbox.gitlab.triggers(101).find((t) => String(t.id) === id)!;
        expect(trigger.description).to.equal(`deploys [${MINE}]`);
        expect(outs.description).to.equal("deploys");
        expect(outs.token)
            .to.equal(trigger.value)
            .and.match(/^glptt-/);
        expect(outs.tokenId).to.equal(Number(id));
        expect(outs.ownerUsername).to.equal("maintainer");
        expect(outs.apiUrl).to.equal(`${sandbox.baseUrls.gitlab}/api/v4`);
    });

    it("create without the role: GitLab's 403, with a hint naming the Maintainer role", async () => {
        lifecycle = lifecycleAs(SEED.gitlab.tokens.reporter);
        const error = await caught(() => created());
        expect(error).to.be.instanceOf(ApiError);
        expect((error as ApiError).status).to.equal(403);
        expect(error.message).to.include("pipeline trigger token").and.include("Maintainer role on the project");
        expect(live()).to.deep.equal([]);
    });

    it("read: the mark is no drift; an edit out of band is, and the update puts the description back in place", async () => {
        const { id, outs, inputs } = await created();
        const read = (await lifecycle.read(id, outs)).props as PlainObject;
        expect(read.description).to.equal("deploys");
        expect((await lifecycle.diff(id, read, inputs)).changes).to.equal(false);
        sandbox.gitlab.setTriggerDescription(Number(id), "edited by hand");
        const drifted = (await lifecycle.read(id, outs)).props as PlainObject;
        expect(drifted.description).to.equal("edited by hand");
        const diff = await lifecycle.diff(id, drifted, inputs);
        expect(diff.changes).to.equal(true);
        expect(diff.replaces).to.deep.equal([]);
        const updated = (await lifecycle.update(id, drifted, inputs)).outs as PlainObject;
        expect(updated.token, "the value stays").to.equal(outs.token);
        expect(updated.tokenId).to.equal(outs.tokenId);
        expect(sandbox.gitlab.triggers(101)[0]!.description).to.equal(`deploys [${MINE}]`);
    });

    it("a new description is edited in place with a PUT, keeping the mark and the value", async () => {
        const { id, outs, inputs } = await created();
        const news = await checked({ ...inputs, description: "deploys to prod" });
        const diff = await lifecycle.diff(id, outs, news);
        expect(diff.replaces).to.deep.equal([]);
        sandbox.requests.length = 0;
        const updated = (await lifecycle.update(id, outs, news)).outs as PlainObject;
        expect(sandbox.requests.map((r) => r.method)).to.deep.equal(["PUT"]);
        expect(updated.description).to.equal("deploys to prod");
        expect(updated.token).to.equal(outs.token);
        expect(sandbox.gitlab.triggers(101)[0]!.description).to.equal(`deploys to prod [${MINE}]`);
        expect(live()).to.deep.equal([id]);
    });

    it("a new project or rotationTrigger replaces; connection and rotation settings update without a request", async () => {
        const { id, outs, inputs } = await created({ rotationTrigger: "1" });
        const replaces = async (change: PlainObject) =>
            (await lifecycle.diff(id, outs, await checked({ ...inputs, ...change }))).replaces;
        expect(await replaces({ project: "acme/api" })).to.deep.equal(["project"]);
        expect(await replaces({ rotationTrigger: "2" })).to.deep.equal(["rotationTrigger"]);
        const settings = await checked({ ...inputs, rotation: { expiresInDays: 30 } });
        expect((await lifecycle.diff(id, outs, settings)).replaces).to.deep.equal([]);
        const before = sandbox.requests.length;
        const updated = (await lifecycle.update(id, outs, settings)).outs as PlainObject;
        expect(sandbox.requests.length).to.equal(before);
        expect(updated.token).to.equal(outs.token);
    });

    it("rotation: the renewal date kept in the state falls due and replaces, new trigger first", async () => {
        const today = todayUtc();
        const { id, outs, inputs } = await created({ rotation: { expiresInDays: 30, rotateBeforeDays: 3 } });
        expect(outs.renewBy).to.equal(addDays(today, 30));
        lifecycle = lifecycleAs(SEED.gitlab.tokens.maintainer, () => new Date(`${addDays(today, 28)}T08:00:00Z`));
        const diff = await lifecycle.diff(id, outs, inputs);
        expect(diff.replaces).to.deep.equal(["renewBy"]);
        const next = await lifecycle.create(inputs);
        expect(live()).to.deep.equal([id, next.id].sort());
        await lifecycle.delete(id, outs);
        expect(live()).to.deep.equal([next.id]);
    });

    it("a trigger deleted out of band reads as gone; deleting again succeeds; a 404 about the project does not", async () => {
        const { id, outs } = await created();
        const renamed = { ...outs, project: "acme/renamed" };
        expect((await caught(() => lifecycle.read(id, renamed))).message).to.match(/HTTP 404.*Project Not Found/);
        expect(sandbox.gitlab.deleteTrigger(Number(id))).to.equal(true);
        expect((await lifecycle.read(id, outs)).id).to.equal(undefined);
        await lifecycle.delete(id, outs);
    });

    it("a create clears its own leftover, never another stack's or an unmarked trigger", async () => {
        const admin = lifecycleAs(SEED.gitlab.tokens.owner);
        const leftover = await admin.create(
            await checked({ project: "acme/web", description: "deploys", ...ownedBy("hook") }),
        );
        const other = await admin.create(
            await checked({ project: "acme/web", description: "deploys", ...ownedBy("hook", "other-stack") }),
        );
        const unmarked = await admin.create(await checked({ project: "acme/web", description: "deploys" }));
        const { id } = await created();
        expect(live()).to.deep.equal([id, other.id, unmarked.id].sort());
        expect(live()).to.not.include(leftover.id);
        const marks = sandbox.gitlab.triggers(101).map((t) => carriesMark(t.description, MINE));
        expect(marks.filter(Boolean)).to.have.length(1);
    });

    it("a lost create answer is reconciled: the marked trigger it made is deleted and the create retried", async () => {
        sandbox.faults.add({ service: "gitlab", method: "POST", when: "after", kind: "reset" });
        lifecycle = new PipelineTriggerLifecycle({
            ...contextWith({
                "gitlab:baseUrl": sandbox.baseUrls.gitlab,
                "gitlab:token": SEED.gitlab.tokens.maintainer,
            }),
            http: { timeoutMs: 2_000, retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 2 } },
        });
        const { id } = await created();
        expect(live()).to.deep.equal([id]);
    });
});
