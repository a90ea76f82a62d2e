/**
 * Smoke test against a REAL Gitea (built by scripts/ensure-gitea, started on loopback by
 * test/support/gitea.ts). It pins down, with plain fetch, the behaviour of the user
 * access-token API that the rest of the project (client, sandbox) relies on. Every fact
 * asserted here is written up in test/support/gitea-facts.md.
 *
 * The first run builds Gitea from the Go module proxy (several minutes); later runs start
 * the cached binary in a few seconds.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect } from "chai";
import { ensureGiteaBinary, type RealGitea, startRealGitea } from "../support/gitea";
import {
    asRawToken,
    asRawTokenList,
    basic,
    basicAuth,
    describeResponse,
    type RawCallOptions,
    type RawGiteaToken,
    type RawResponse,
    rawCall,
    tokenAuth,
    ZERO_TIME,
} from "../support/giteaRaw";

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

describe("real Gitea: user access-token API facts", function () {
    this.timeout(60 * 1000);

    let gitea: RealGitea | undefined;
    let seq = 0;

    const g = (): RealGitea => {
        if (gitea === undefined) throw new Error("Gitea did not start (see the before hook)");
        return gitea;
    };
    const uniqueName = (prefix: string): string => `${prefix}-${++seq}`;
    const swaggerUrl = (): string => `${g().baseUrl}/api/swagger`;
    /** Gitea's error body: `{message, url}` where url is the instance's swagger page. */
    const apiError = (message: string): Record<string, unknown> => ({ message, url: swaggerUrl() });

    const call = (method: string, apiPath: string, options: RawCallOptions = {}): Promise<RawResponse> =>
        rawCall(method, `${g().baseUrl}/api/v1${apiPath}`, options);

    async function createToken(owner: string, auth: string, name: string, scopes: string[]): Promise<RawGiteaToken> {
        const res = await call("POST", `/users/${owner}/tokens`, { auth, body: { name, scopes } });
        expect(res.status, describeResponse(res)).to.equal(201);
        return asRawToken(res.json);
    }

    async function listAll(owner: string, auth: string): Promise<RawGiteaToken[]> {
        const all: RawGiteaToken[] = [];
        for (let page = 1; ; page++) {
            const res = await call("GET", `/users/${owner}/tokens?page=${page}&limit=50`, { auth });
            expect(res.status, describeResponse(res)).to.equal(200);
            const items = asRawTokenList(res.json);
            all.push(...items);
            if (items.length < 50) return all;
        }
    }

    before(async function () {
        // A cold cache builds Gitea from source first.
        this.timeout(40 * 60 * 1000);
        gitea = await startRealGitea();
    });

    after(async () => {
        await gitea?.stop();
    });

    it("reports its version at /api/v1/version: the one scripts/ensure-gitea built", async () => {
        // `gitea --version` → "gitea version 1.26.0 built with go1.26.8 : bindata, sqlite, ..."
        const { stdout } = await promisify(execFile)(await ensureGiteaBinary(), ["--version"], { encoding: "utf8" });
        const built = /version (\S+)/.exec(stdout)?.[1];
        expect(built, stdout)
            .to.be.a("string")
            .and.match(/^\d+\.\d+\.\d+/);
        const res = await call("GET", "/version");
        expect(res.status).to.equal(200);
        expect(res.json).to.deep.equal({ version: built });
    });

    it("POST /users/{admin}/tokens (basic auth) → 201 {id, name, sha1, token_last_eight, scopes, zero dates}", async () => {
        const { admin } = g();
        const name = uniqueName("create");
        const res = await call("POST", `/users/${admin.username}/tokens`, {
            auth: basic(admin),
            body: { name, scopes: ["read:user"] },
        });
        expect(res.status, describeResponse(res)).to.equal(201);
        expect(res.headers.get("content-type")).to.equal("application/json;charset=utf-8");
        expect(res.headers.get("location")).to.equal(null);
        expect(res.json).to.be.an("object");
        expect(Object.keys(res.json as object).sort()).to.deep.equal([
            "created_at",
            "id",
            "last_used_at",
            "name",
            "scopes",
            "sha1",
            "token_last_eight",
        ]);
        const token = asRawToken(res.json);
        expect(token.id).to.be.a("number").above(0);
        expect(token.name).to.equal(name);
        expect(token.sha1).to.match(/^[0-9a-f]{40}$/);
        expect(token.token_last_eight).to.equal(token.sha1.slice(-8));
        expect(token.scopes).to.deep.equal(["read:user"]);
        // The create response does not fill the timestamps in.
        expect(token.created_at).to.equal(ZERO_TIME);
        expect(token.last_used_at).to.equal(ZERO_TIME);
    });

    it('GET /users/{admin}/tokens?page=1&limit=1 → sha1 "" (present, empty), X-Total-Count, no Link', async () => {
        const { admin } = g();
        const created = await createToken(admin.username, basic(admin), uniqueName("list"), ["read:user"]);
        const all = await listAll(admin.username, basic(admin));

        const res = await call("GET", `/users/${admin.username}/tokens?page=1&limit=1`, { auth: basic(admin) });
        expect(res.status, describeResponse(res)).to.equal(200);
        const items = asRawTokenList(res.json);
        expect(items).to.have.length(1);
        const first = items[0]!;
        expect(Object.hasOwn(first, "sha1")).to.equal(true);
        expect(first.sha1).to.equal("");
        expect(first.created_at).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        expect(first.created_at).to.not.equal(ZERO_TIME);
        expect(res.headers.get("x-total-count")).to.equal(String(all.length));
        expect(res.headers.get("access-control-expose-headers")).to.equal("X-Total-Count");
        expect(res.headers.get("link")).to.equal(null);

        const listed = all.find((t) => t.id === created.id);
        expect(listed, "the new token is listed").to.not.equal(undefined);
        expect(listed!.sha1).to.equal("");
        expect(listed!.token_last_eight).to.equal(created.token_last_eight);
        expect(listed!.scopes).to.deep.equal(["read:user"]);
    });

    it("lists newest first (ORDER BY created_unix DESC, one-second resolution)", async () => {
        const { user } = g();
        const older = await createToken(user.username, basic(user), uniqueName("older"), ["read:user"]);
        await sleep(1100);
        const newer = await createToken(user.username, basic(user), uniqueName("newer"), ["read:user"]);
        const all = await listAll(user.username, basic(user));
        const ids = all.map((t) => t.id);
        expect(ids.indexOf(newer.id)).to.be.lessThan(ids.indexOf(older.id));
    });

    it("pages: default limit 30, limit capped at 50, page past the end → 200 []", async () => {
        const { admin } = g();
        const owner = admin.username;
        const auth = basic(admin);
        for (let i = 0; i < 52; i++) {
            await createToken(owner, auth, uniqueName("bulk"), ["read:user"]);
        }
        const total = (await listAll(owner, auth)).length;
        expect(total).to.be.greaterThan(52);

        const noLimit = await call("GET", `/users/${owner}/tokens`, { auth });
        expect(asRawTokenList(noLimit.json)).to.have.length(30);
        expect(noLimit.headers.get("x-total-count")).to.equal(String(total));

        const big = await call("GET", `/users/${owner}/tokens?page=1&limit=100`, { auth });
        expect(asRawTokenList(big.json)).to.have.length(50);

        const zero = await call("GET", `/users/${owner}/tokens?page=0&limit=0`, { auth });
        expect(asRawTokenList(zero.json)).to.have.length(30);

        const past = await call("GET", `/users/${owner}/tokens?page=999&limit=10`, { auth });
        expect(past.status).to.equal(200);
        expect(past.json).to.deep.equal([]);
        expect(past.headers.get("x-total-count")).to.equal(String(total));
    });

    it("duplicate name → 400 'access token name has been used already' (per user, case-sensitive on sqlite)", async () => {
        const { admin, user } = g();
        const name = uniqueName("dup");
        await createToken(admin.username, basic(admin), name, ["read:user"]);
        const res = await call("POST", `/users/${admin.username}/tokens`, {
            auth: basic(admin),
            body: { name, scopes: ["read:repository"] },
        });
        expect(res.status).to.equal(400);
        expect(res.json).to.deep.equal(apiError("access token name has been used already"));

        // The name check runs before scope validation.
        const both = await call("POST", `/users/${admin.username}/tokens`, {
            auth: basic(admin),
            body: { name, scopes: ["read:nope"] },
        });
        expect(both.status).to.equal(400);
        expect(both.json).to.deep.equal(apiError("access token name has been used already"));

        // Names are unique per user only, and compared exactly (sqlite collation).
        await createToken(user.username, basic(user), name, ["read:user"]);
        await createToken(admin.username, basic(admin), name.toUpperCase(), ["read:user"]);
    });

    it("invalid scope → 400 'invalid access token scope provided: invalid access token scope: X'", async () => {
        const { admin } = g();
        const cases: Array<[string[], string]> = [
            [["read:nope"], "read:nope"],
            [["READ:USER"], "READ:USER"],
            [["sudo"], "sudo"],
            [[" read:user "], " read:user "],
            [["read:user", "bogus"], "bogus"],
        ];
        for (const [scopes, shown] of cases) {
            const res = await call("POST", `/users/${admin.username}/tokens`, {
                auth: basic(admin),
                body: { name: uniqueName("badscope"), scopes },
            });
            expect(res.status, JSON.stringify(scopes)).to.equal(400);
            expect(res.json).to.deep.equal(
                apiError(`invalid access token scope provided: invalid access token scope: ${shown}`),
            );
        }
    });

    it("missing / empty scopes → 400 'access token must have a scope'; missing name → 422", async () => {
        const { admin } = g();
        const url = `/users/${admin.username}/tokens`;
        const auth = basic(admin);
        for (const body of [
            { name: uniqueName("noscope") },
            { name: uniqueName("noscope"), scopes: [] },
            { name: uniqueName("noscope"), scopes: [""] },
            { name: uniqueName("noscope"), scopes: null },
        ]) {
            const res = await call("POST", url, { auth, body });
            expect(res.status, JSON.stringify(body)).to.equal(400);
            expect(res.json).to.deep.equal(apiError("access token must have a scope"));
        }
        for (const body of [{ scopes: ["read:user"] }, { name: "", scopes: ["read:user"] }]) {
            const res = await call("POST", url, { auth, body });
            expect(res.status, JSON.stringify(body)).to.equal(422);
            expect(res.json).to.deep.equal(apiError("[Name]: Required"));
        }
        const notJson = await call("POST", url, { auth, raw: '"notjson"', contentType: "application/json" });
        expect(notJson.status).to.equal(422);
        expect(notJson.json).to.deep.equal(
            apiError("[]: json: cannot unmarshal string into Go value of type structs.CreateAccessTokenOption"),
        );
    });

    it("DELETE by id → 204 (empty body); again / unknown id → 404 {errors:null, message:'not found'}", async () => {
        const { admin } = g();
        const auth = basic(admin);
        const token = await createToken(admin.username, auth, uniqueName("del"), ["read:user"]);
        const res = await call("DELETE", `/users/${admin.username}/tokens/${token.id}`, { auth });
        expect(res.status).to.equal(204);
        expect(res.text).to.equal("");

        const notFoundBody = { errors: null, message: "not found", url: swaggerUrl() };
        const again = await call("DELETE", `/users/${admin.username}/tokens/${token.id}`, { auth });
        expect(again.status).to.equal(404);
        expect(again.json).to.deep.equal(notFoundBody);

        const unknown = await call("DELETE", `/users/${admin.username}/tokens/987654321`, { auth });
        expect(unknown.status).to.equal(404);
        expect(unknown.json).to.deep.equal(notFoundBody);

        const unknownName = await call("DELETE", `/users/${admin.username}/tokens/no-such-token-name`, { auth });
        expect(unknownName.status).to.equal(404);
        expect(unknownName.json).to.deep.equal(notFoundBody);

        // The deleted secret no longer authenticates.
        const use = await call("GET", "/user", { auth: tokenAuth(token.sha1) });
        expect(use.status).to.equal(401);
        expect(use.json).to.deep.equal(apiError("invalid username, password or token"));
    });

    it("DELETE by name → 204; names that parse as integers (base prefixes too) are taken as ids", async () => {
        const { admin } = g();
        const auth = basic(admin);
        const owner = admin.username;
        const name = uniqueName("by name/with space");
        const token = await createToken(owner, auth, name, ["read:user"]);
        const res = await call("DELETE", `/users/${owner}/tokens/${encodeURIComponent(name)}`, { auth });
        expect(res.status).to.equal(204);
        expect((await listAll(owner, auth)).some((t) => t.id === token.id)).to.equal(false);

        // A purely numeric name cannot be deleted by name: it is parsed as an id.
        const numeric = await createToken(owner, auth, "987654320", ["read:user"]);
        const byNumericName = await call("DELETE", `/users/${owner}/tokens/987654320`, { auth });
        expect(byNumericName.status).to.equal(404);
        // strconv.ParseInt(s, 0, 64): "0x<hex>" is an id as well.
        const byHexId = await call("DELETE", `/users/${owner}/tokens/0x${numeric.id.toString(16)}`, { auth });
        expect(byHexId.status).to.equal(204);
    });

    it("tokens endpoint with `Authorization: token <sha1>` → 401 'auth required' (scope check comes first)", async () => {
        const { admin } = g();
        const owner = admin.username;
        const writeUser = await createToken(owner, basic(admin), uniqueName("wu"), ["write:user"]);
        const readUser = await createToken(owner, basic(admin), uniqueName("ru"), ["read:user"]);

        for (const scheme of ["token", "Bearer"]) {
            const auth = `${scheme} ${writeUser.sha1}`;
            const list = await call("GET", `/users/${owner}/tokens`, { auth });
            expect(list.status, scheme).to.equal(401);
            expect(list.json).to.deep.equal(apiError("auth required"));
            const create = await call("POST", `/users/${owner}/tokens`, {
                auth,
                body: { name: uniqueName("viatoken"), scopes: ["read:user"] },
            });
            expect(create.status, scheme).to.equal(401);
            expect(create.json).to.deep.equal(apiError("auth required"));
            const del = await call("DELETE", `/users/${owner}/tokens/${readUser.id}`, { auth });
            expect(del.status, scheme).to.equal(401);
            expect(del.json).to.deep.equal(apiError("auth required"));
        }

        // A read:user token fails the write:user scope check before the basic-auth check.
        const weak = await call("POST", `/users/${owner}/tokens`, {
            auth: tokenAuth(readUser.sha1),
            body: { name: uniqueName("viatoken"), scopes: ["read:user"] },
        });
        expect(weak.status).to.equal(403);
        expect(weak.json).to.deep.equal(
            apiError(
                "token does not have at least one of required scope(s), required=[write:user], token scope=read:user",
            ),
        );
    });

    it("basic auth with a token as the password counts as basic auth (subject to the token's scope)", async () => {
        const { admin } = g();
        const owner = admin.username;
        const writeUser = await createToken(owner, basic(admin), uniqueName("wu"), ["write:user"]);
        const readUser = await createToken(owner, basic(admin), uniqueName("ru"), ["read:user"]);
        const readRepo = await createToken(owner, basic(admin), uniqueName("rr"), ["read:repository"]);

        const list = await call("GET", `/users/${owner}/tokens?limit=1`, { auth: basicAuth(owner, readUser.sha1) });
        expect(list.status).to.equal(200);

        const listNoScope = await call("GET", `/users/${owner}/tokens`, { auth: basicAuth(owner, readRepo.sha1) });
        expect(listNoScope.status).to.equal(403);
        expect(listNoScope.json).to.deep.equal(
            apiError(
                "token does not have at least one of required scope(s), required=[read:user], token scope=read:repository",
            ),
        );

        const createWeak = await call("POST", `/users/${owner}/tokens`, {
            auth: basicAuth(owner, readUser.sha1),
            body: { name: uniqueName("x"), scopes: ["read:user"] },
        });
        expect(createWeak.status).to.equal(403);

        // Gitea 1.26 lets a write:user token (as basic password) mint a broader token ("all").
        const escalated = await call("POST", `/users/${owner}/tokens`, {
            auth: basicAuth(owner, writeUser.sha1),
            body: { name: uniqueName("x"), scopes: ["all"] },
        });
        expect(escalated.status, describeResponse(escalated)).to.equal(201);
        expect(asRawToken(escalated.json).scopes).to.deep.equal(["all"]);
    });

    it("no auth → 403 (not 401); wrong password → 401; unknown user → 404", async () => {
        const { admin } = g();
        const anonymous = await call("GET", `/users/${admin.username}/tokens`);
        expect(anonymous.status).to.equal(403);
        expect(anonymous.json).to.deep.equal(apiError("doer should be the site admin or be same as the contextUser"));

        const anonymousCreate = await call("POST", `/users/${admin.username}/tokens`, {
            body: { name: uniqueName("anon"), scopes: ["read:user"] },
        });
        expect(anonymousCreate.status).to.equal(403);
        expect(anonymousCreate.json).to.deep.equal(
            apiError("doer should be the site admin or be same as the contextUser"),
        );

        const wrong = await call("GET", `/users/${admin.username}/tokens`, {
            auth: basicAuth(admin.username, "definitely-wrong"),
        });
        expect(wrong.status).to.equal(401);
        expect(wrong.json).to.deep.equal(apiError("invalid username, password or token"));

        const unknownUser = await call("GET", "/users/no-such-user-here/tokens", { auth: basic(admin) });
        expect(unknownUser.status).to.equal(404);
        expect(unknownUser.json).to.deep.equal(apiError("user redirect does not exist [name: no-such-user-here]"));
    });

    it("non-admin managing the admin's tokens → 403 (list, create, delete)", async () => {
        const { admin, user } = g();
        const target = await createToken(admin.username, basic(admin), uniqueName("target"), ["read:user"]);
        const expected = apiError("doer should be the site admin or be same as the contextUser");

        const list = await call("GET", `/users/${admin.username}/tokens`, { auth: basic(user) });
        expect(list.status).to.equal(403);
        expect(list.json).to.deep.equal(expected);

        const create = await call("POST", `/users/${admin.username}/tokens`, {
            auth: basic(user),
            body: { name: uniqueName("foreign"), scopes: ["read:user"] },
        });
        expect(create.status).to.equal(403);
        expect(create.json).to.deep.equal(expected);

        const del = await call("DELETE", `/users/${admin.username}/tokens/${target.id}`, { auth: basic(user) });
        expect(del.status).to.equal(403);
        expect(del.json).to.deep.equal(expected);
    });

    it("admin managing the non-admin user's tokens → 201/200/204; the token belongs to the user", async () => {
        const { admin, user } = g();
        const token = await createToken(user.username, basic(admin), uniqueName("byadmin"), ["read:user"]);

        const me = await call("GET", "/user", { auth: tokenAuth(token.sha1) });
        expect(me.status).to.equal(200);
        expect(me.json).to.include({ login: user.username, is_admin: false });

        const listed = await listAll(user.username, basic(admin));
        expect(listed.some((t) => t.id === token.id)).to.equal(true);

        const del = await call("DELETE", `/users/${user.username}/tokens/${token.id}`, { auth: basic(admin) });
        expect(del.status).to.equal(204);

        // A non-admin may create admin-category scopes for itself (creation is not checked).
        const adminScoped = await createToken(user.username, basic(user), uniqueName("adm"), ["write:admin"]);
        expect(adminScoped.scopes).to.deep.equal(["write:admin"]);
    });

    it("the created token authenticates: read:user → GET /user 200; read:repository → 403", async () => {
        const { admin } = g();
        const readUser = await createToken(admin.username, basic(admin), uniqueName("ru"), ["read:user"]);
        for (const scheme of ["token", "Bearer"]) {
            const res = await call("GET", "/user", { auth: `${scheme} ${readUser.sha1}` });
            expect(res.status, scheme).to.equal(200);
            expect(res.json).to.include({ login: admin.username, is_admin: true });
        }

        const readRepo = await createToken(admin.username, basic(admin), uniqueName("rr"), ["read:repository"]);
        const denied = await call("GET", "/user", { auth: tokenAuth(readRepo.sha1) });
        expect(denied.status).to.equal(403);
        expect(denied.json).to.deep.equal(
            apiError(
                "token does not have at least one of required scope(s), required=[read:user], token scope=read:repository",
            ),
        );
    });

    it("using a token bumps its last_used_at (= updated_unix) in the list", async () => {
        const { admin } = g();
        const token = await createToken(admin.username, basic(admin), uniqueName("used"), ["read:user"]);
        const before = (await listAll(admin.username, basic(admin))).find((t) => t.id === token.id)!;
        expect(before.last_used_at).to.equal(before.created_at);
        await sleep(1100);
        const use = await call("GET", "/user", { auth: tokenAuth(token.sha1) });
        expect(use.status).to.equal(200);
        const after = (await listAll(admin.username, basic(admin))).find((t) => t.id === token.id)!;
        expect(after.created_at).to.equal(before.created_at);
        expect(Date.parse(after.last_used_at)).to.be.greaterThan(Date.parse(before.last_used_at));
    });

    it("normalises stored scopes (write implies read, canonical order, all write:* → all)", async () => {
        const { admin } = g();
        const categories = [
            "activitypub",
            "admin",
            "issue",
            "misc",
            "notification",
            "organization",
            "package",
            "repository",
            "user",
        ];
        const cases: Array<[string[], string[]]> = [
            [["write:user", "read:user"], ["write:user"]],
            [["read:user", "write:user"], ["write:user"]],
            [
                ["read:user", "write:repository", "read:repository", "read:user"],
                ["write:repository", "read:user"],
            ],
            [
                ["read:user", "write:issue", "read:admin"],
                ["read:admin", "write:issue", "read:user"],
            ],
            [
                categories.map((c) => `read:${c}`),
                [
                    "read:activitypub",
                    "read:admin",
                    "read:misc",
                    "read:notification",
                    "read:organization",
                    "read:package",
                    "read:issue",
                    "read:repository",
                    "read:user",
                ],
            ],
            [categories.map((c) => `write:${c}`), ["all"]],
            [["all"], ["all"]],
            [["all", "read:user"], ["all"]],
            [
                ["read:user", "public-only"],
                ["public-only", "read:user"],
            ],
            // One array element holding a comma-separated list is accepted.
            [["read:user,read:repository"], ["read:repository", "read:user"]],
        ];
        for (const [input, stored] of cases) {
            const token = await createToken(admin.username, basic(admin), uniqueName("norm"), input);
            expect(token.scopes, JSON.stringify(input)).to.deep.equal(stored);
            const listed = (await listAll(admin.username, basic(admin))).find((t) => t.id === token.id)!;
            expect(listed.scopes, JSON.stringify(input)).to.deep.equal(stored);
        }
    });
});
