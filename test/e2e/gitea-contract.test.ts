/**
 * One contract for Gitea's user access-token API, run twice with the same assertions: against a
 * REAL Gitea (built by scripts/ensure-gitea, started once for this file) and against the sandbox's
 * Gitea emulator. Whatever the real server does here, the sandbox must do too; when they disagree,
 * the sandbox is wrong (test/sandbox/gitea.ts).
 *
 * Calls go through our GiteaClient where it applies (basic auth), and through plain fetch where
 * the client cannot (token auth, headers, raw paging parameters).
 */
import { expect } from "chai";
import { GiteaClient } from "../../provider/gitea/client";
import { ApiError } from "../../provider/http";
import { SEED, startSandbox } from "../sandbox";
import { type GiteaAccount, startRealGitea } from "../support/gitea";
import {
    asRawToken,
    asRawTokenList,
    basic,
    describeResponse,
    isRecord,
    type RawCallOptions,
    rawCall,
    ZERO_TIME,
} from "../support/giteaRaw";

/** What the contract runs against. */
interface GiteaTarget {
    /** `http://127.0.0.1:PORT[/prefix]`, the API being under `${baseUrl}/api/v1`. */
    baseUrl: string;
    /** A site administrator. */
    admin: GiteaAccount;
    /** A regular user. */
    user: GiteaAccount;
    stop(): Promise<void>;
}

type TargetFactory = () => Promise<GiteaTarget>;

const TOKEN_KEYS = ["created_at", "id", "last_used_at", "name", "scopes", "sha1", "token_last_eight"];
const DOER_MESSAGE = "doer should be the site admin or be same as the contextUser";

/** The ApiError a call threw (fails the test when it did not throw one). */
async function apiErrorOf(promise: Promise<unknown>): Promise<ApiError> {
    try {
        await promise;
    } catch (e: unknown) {
        if (e instanceof ApiError) {
            return e;
        }
        throw e;
    }
    throw new Error("expected the call to fail with an ApiError, it succeeded");
}

function giteaContract(label: string, factory: TargetFactory): void {
    describe(`Gitea access-token contract: ${label}`, function () {
        this.timeout(60 * 1000);

        let target: GiteaTarget | undefined;
        let seq = 0;

        const t = (): GiteaTarget => {
            if (target === undefined) throw new Error(`${label} did not start (see the before hook)`);
            return target;
        };
        const apiUrl = (): string => `${t().baseUrl}/api/v1`;
        const clientAs = (account: GiteaAccount): GiteaClient =>
            new GiteaClient({
                apiUrl: apiUrl(),
                username: account.username,
                password: account.password,
                retry: { maxAttempts: 1 },
            });
        const uniqueName = (prefix: string): string => `contract-${prefix}-${++seq}`;
        /** Gitea's error body: exactly `{message, url}`, url being the instance's swagger page. */
        const errorBody = (message: string): Record<string, unknown> => ({
            message,
            url: `${t().baseUrl}/api/swagger`,
        });

        /** A request under `/api/v1` (or, with `root`, under the base URL), through plain fetch. */
        const call = (method: string, apiPath: string, options: RawCallOptions & { root?: boolean } = {}) =>
            rawCall(method, options.root === true ? `${t().baseUrl}${apiPath}` : `${apiUrl()}${apiPath}`, options);

        before(async function () {
            // A cold cache builds the real Gitea from source first.
            this.timeout(40 * 60 * 1000);
            target = await factory();
        });

        after(async () => {
            await target?.stop();
        });

        it("create returns the secret once (sha1); the list never shows it", async () => {
            const { user } = t();
            const client = clientAs(user);
            const name = uniqueName("secret");
            const created = await client.create(user.username, name, ["read:user"]);
            expect(created.sha1).to.match(/^[0-9a-f]{40}$/);
            expect(created.name).to.equal(name);
            expect(created.token_last_eight).to.equal(created.sha1.slice(-8));
            expect(created.scopes).to.deep.equal(["read:user"]);

            const listed = (await client.list(user.username)).find((token) => token.id === created.id);
            expect(listed, "created token listed").to.not.equal(undefined);
            expect(listed?.sha1).to.equal("");
            expect(listed?.token_last_eight).to.equal(created.sha1.slice(-8));

            // The raw shapes: same seven keys; zero times in the create answer, real ones in the list.
            const raw = await call("POST", `/users/${user.username}/tokens`, {
                auth: basic(user),
                body: { name: uniqueName("raw"), scopes: ["read:user"] },
            });
            expect(raw.status, describeResponse(raw)).to.equal(201);
            expect(raw.headers.get("content-type")).to.equal("application/json;charset=utf-8");
            expect(Object.keys(raw.json as object).sort()).to.deep.equal(TOKEN_KEYS);
            const rawCreated = asRawToken(raw.json);
            expect(rawCreated.created_at).to.equal(ZERO_TIME);
            expect(rawCreated.last_used_at).to.equal(ZERO_TIME);
            const rawList = await call("GET", `/users/${user.username}/tokens?limit=50`, { auth: basic(user) });
            expect(rawList.status, describeResponse(rawList)).to.equal(200);
            const rawListed = asRawTokenList(rawList.json).find((token) => token.id === rawCreated.id);
            expect(rawListed).to.not.equal(undefined);
            expect(Object.keys(rawListed as object).sort()).to.deep.equal(TOKEN_KEYS);
            expect(rawListed?.sha1).to.equal("");
            expect(rawListed?.created_at).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
            expect(rawListed?.last_used_at).to.equal(rawListed?.created_at);
            for (const token of asRawTokenList(rawList.json)) {
                expect(token.sha1, `sha1 of listed token ${token.id}`).to.equal("");
            }

            await client.delete(user.username, created.id);
            await client.delete(user.username, rawCreated.id);
        });

        it("the list is paginated: X-Total-Count, page/limit (default 30, capped at 50), the client crosses pages", async () => {
            const { admin, user } = t();
            const client = clientAs(user);
            const made: number[] = [];
            for (let i = 0; i < 53; i++) {
                made.push((await client.create(user.username, uniqueName("page"), ["read:repository"])).id);
            }
            try {
                // Through the client (50 per page): everything, once.
                const all = await client.list(user.username);
                const ids = all.map((token) => token.id);
                expect(new Set(ids).size).to.equal(ids.length);
                expect(ids).to.include.members(made);
                const total = all.length;
                expect(total).to.be.greaterThan(50);

                // Raw paging.
                const page1 = await call("GET", `/users/${user.username}/tokens?page=1&limit=50`, {
                    auth: basic(user),
                });
                expect(page1.status, describeResponse(page1)).to.equal(200);
                expect(page1.headers.get("x-total-count")).to.equal(String(total));
                expect(page1.headers.get("access-control-expose-headers")).to.equal("X-Total-Count");
                expect(page1.headers.get("link")).to.equal(null);
                const page2 = await call("GET", `/users/${user.username}/tokens?page=2&limit=50`, {
                    auth: basic(user),
                });
                expect(page2.headers.get("x-total-count")).to.equal(String(total));
                const first = asRawTokenList(page1.json);
                const second = asRawTokenList(page2.json);
                expect(first).to.have.length(50);
                expect(second).to.have.length(total - 50);
                expect([...first, ...second].map((token) => token.id).sort((a, b) => a - b)).to.deep.equal(
                    [...ids].sort((a, b) => a - b),
                );

                const byDefault = await call("GET", `/users/${user.username}/tokens`, { auth: basic(user) });
                expect(asRawTokenList(byDefault.json)).to.have.length(30);
                const capped = await call("GET", `/users/${user.username}/tokens?limit=500`, { auth: basic(user) });
                expect(asRawTokenList(capped.json)).to.have.length(50);
                const small = await call("GET", `/users/${user.username}/tokens?page=3&limit=7`, {
                    auth: basic(user),
                });
                expect(asRawTokenList(small.json)).to.have.length(7);
                expect(small.headers.get("x-total-count")).to.equal(String(total));
                const past = await call("GET", `/users/${user.username}/tokens?page=99&limit=50`, {
                    auth: basic(user),
                });
                expect(past.status).to.equal(200);
                expect(past.json).to.deep.equal([]);
                expect(past.headers.get("x-total-count")).to.equal(String(total));

                // The admin sees the same listing of that user.
                const asAdmin = await clientAs(admin).list(user.username);
                expect(asAdmin.map((token) => token.id).sort((a, b) => a - b)).to.deep.equal(
                    [...ids].sort((a, b) => a - b),
                );
            } finally {
                for (const id of made) {
                    await client.delete(user.username, id);
                }
            }
            const left = (await client.list(user.username)).map((token) => token.id);
            expect(left).to.not.include.members(made.slice(0, 1));
            expect(left.filter((id) => made.includes(id))).to.deep.equal([]);
        });

        it("a duplicate name → 400 'access token name has been used already' (per user)", async () => {
            const { admin, user } = t();
            const client = clientAs(user);
            const name = uniqueName("dup");
            const created = await client.create(user.username, name, ["read:user"]);
            const error = await apiErrorOf(client.create(user.username, name, ["read:repository"]));
            expect(error.status).to.equal(400);
            expect(error.serviceMessage).to.equal("access token name has been used already");
            // The duplicate check comes before scope validation.
            const raw = await call("POST", `/users/${user.username}/tokens`, {
                auth: basic(user),
                body: { name, scopes: ["read:nope"] },
            });
            expect(raw.status).to.equal(400);
            expect(raw.json).to.deep.equal(errorBody("access token name has been used already"));
            // Another user may hold the same name.
            const other = await clientAs(admin).create(admin.username, name, ["read:user"]);
            expect(other.name).to.equal(name);
            await clientAs(admin).delete(admin.username, other.id);
            await client.delete(user.username, created.id);
        });

        it("an invalid scope → 400 'invalid access token scope provided: …'; no scope → 400", async () => {
            const { user } = t();
            const client = clientAs(user);
            for (const [scopes, offending] of [
                [["read:nope"], "read:nope"],
                [["READ:USER"], "READ:USER"],
                [["read:user", "bogus"], "bogus"],
            ] as const) {
                const error = await apiErrorOf(client.create(user.username, uniqueName("scope"), [...scopes]));
                expect(error.status, JSON.stringify(scopes)).to.equal(400);
                expect(error.serviceMessage).to.equal(
                    `invalid access token scope provided: invalid access token scope: ${offending}`,
                );
            }
            const raw = await call("POST", `/users/${user.username}/tokens`, {
                auth: basic(user),
                body: { name: uniqueName("scope"), scopes: ["sudo"] },
            });
            expect(raw.status).to.equal(400);
            expect(raw.json).to.deep.equal(
                errorBody("invalid access token scope provided: invalid access token scope: sudo"),
            );
            const none = await apiErrorOf(client.create(user.username, uniqueName("scope"), []));
            expect(none.status).to.equal(400);
            expect(none.serviceMessage).to.equal("access token must have a scope");
            // Nothing was created by the refused requests.
            expect((await client.list(user.username)).filter((token) => token.name.includes("-scope-"))).to.deep.equal(
                [],
            );
        });

        it("delete by id → 204 (empty body); again or an unknown id → 404 'not found'", async () => {
            const { user } = t();
            const client = clientAs(user);
            const created = await client.create(user.username, uniqueName("del"), ["read:user"]);
            const raw = await call("DELETE", `/users/${user.username}/tokens/${created.id}`, { auth: basic(user) });
            expect(raw.status).to.equal(204);
            expect(raw.text).to.equal("");
            expect((await client.list(user.username)).some((token) => token.id === created.id)).to.equal(false);

            const again = await apiErrorOf(client.delete(user.username, created.id));
            expect(again.status).to.equal(404);
            expect(again.serviceMessage).to.equal("not found");
            const unknown = await call("DELETE", `/users/${user.username}/tokens/987654321`, { auth: basic(user) });
            expect(unknown.status).to.equal(404);
            expect(unknown.json).to.deep.equal({ errors: null, ...errorBody("not found") });

            // Through the client: 204 resolves.
            const second = await client.create(user.username, uniqueName("del"), ["read:user"]);
            await client.delete(user.username, second.id);
            expect((await client.list(user.username)).some((token) => token.id === second.id)).to.equal(false);
        });

        it("a token instead of basic auth is refused: 401 'auth required'; a deleted token no longer authenticates", async () => {
            const { user } = t();
            const client = clientAs(user);
            const writer = await client.create(user.username, uniqueName("writer"), ["write:user"]);
            const victim = await client.create(user.username, uniqueName("victim"), ["read:user"]);
            for (const scheme of ["token", "Bearer"]) {
                const auth = `${scheme} ${writer.sha1}`;
                const list = await call("GET", `/users/${user.username}/tokens`, { auth });
                expect(list.status, `${scheme} list`).to.equal(401);
                expect(list.json).to.deep.equal(errorBody("auth required"));
                const create = await call("POST", `/users/${user.username}/tokens`, {
                    auth,
                    body: { name: uniqueName("via-token"), scopes: ["read:user"] },
                });
                expect(create.status, `${scheme} create`).to.equal(401);
                expect(create.json).to.deep.equal(errorBody("auth required"));
                const del = await call("DELETE", `/users/${user.username}/tokens/${victim.id}`, { auth });
                expect(del.status, `${scheme} delete`).to.equal(401);
                expect(del.json).to.deep.equal(errorBody("auth required"));
            }
            // A read:user token fails the write:user scope check first.
            const weak = await call("POST", `/users/${user.username}/tokens`, {
                auth: `token ${victim.sha1}`,
                body: { name: uniqueName("via-token"), scopes: ["read:user"] },
            });
            expect(weak.status).to.equal(403);
            expect(weak.json).to.deep.equal(
                errorBody(
                    "token does not have at least one of required scope(s), required=[write:user], token scope=read:user",
                ),
            );
            // Nothing was created or deleted by the refused requests.
            const names = (await client.list(user.username)).map((token) => token.name);
            expect(names.filter((name) => name.includes("via-token"))).to.deep.equal([]);
            expect(names).to.include(victim.name);

            // A wrong password, an unknown token, a deleted token → 401.
            const wrong = await call("GET", `/users/${user.username}/tokens`, {
                auth: basic({ username: user.username, password: "definitely-wrong" }),
            });
            expect(wrong.status).to.equal(401);
            expect(wrong.json).to.deep.equal(errorBody("invalid username, password or token"));
            await client.delete(user.username, writer.id);
            const deleted = await call("GET", "/user", { auth: `token ${writer.sha1}` });
            expect(deleted.status).to.equal(401);
            expect(deleted.json).to.deep.equal(errorBody("invalid username, password or token"));
            await client.delete(user.username, victim.id);

            // No credentials at all: 403 on the tokens endpoints (not 401).
            const anonymous = await call("GET", `/users/${user.username}/tokens`);
            expect(anonymous.status).to.equal(403);
            expect(anonymous.json).to.deep.equal(errorBody(DOER_MESSAGE));
        });

        it("a non-admin cannot manage another user's tokens: 403 on list, create, delete", async () => {
            const { admin, user } = t();
            const adminClient = clientAs(admin);
            const userClient = clientAs(user);
            const target = await adminClient.create(admin.username, uniqueName("admins"), ["read:user"]);

            const list = await apiErrorOf(userClient.list(admin.username));
            expect(list.status).to.equal(403);
            expect(list.serviceMessage).to.equal(DOER_MESSAGE);
            const create = await apiErrorOf(userClient.create(admin.username, uniqueName("foreign"), ["read:user"]));
            expect(create.status).to.equal(403);
            expect(create.serviceMessage).to.equal(DOER_MESSAGE);
            const del = await apiErrorOf(userClient.delete(admin.username, target.id));
            expect(del.status).to.equal(403);
            expect(del.serviceMessage).to.equal(DOER_MESSAGE);
            const raw = await call("GET", `/users/${admin.username}/tokens`, { auth: basic(user) });
            expect(raw.status).to.equal(403);
            expect(raw.json).to.deep.equal(errorBody(DOER_MESSAGE));

            // The admin's token is untouched; nothing was created for the admin.
            const left = await adminClient.list(admin.username);
            expect(left.some((token) => token.id === target.id)).to.equal(true);
            expect(left.some((token) => token.name.includes("-foreign-"))).to.equal(false);
            await adminClient.delete(admin.username, target.id);
        });

        it("an admin can manage another user's tokens: create, list, delete; the token is that user's", async () => {
            const { admin, user } = t();
            const adminClient = clientAs(admin);
            const created = await adminClient.create(user.username, uniqueName("by-admin"), ["read:user"]);
            expect(created.sha1).to.match(/^[0-9a-f]{40}$/);

            const me = await call("GET", "/user", { auth: `token ${created.sha1}` });
            expect(me.status, describeResponse(me)).to.equal(200);
            expect(me.json).to.include({ login: user.username, is_admin: false });

            expect((await adminClient.list(user.username)).some((token) => token.id === created.id)).to.equal(true);
            expect((await clientAs(user).list(user.username)).some((token) => token.id === created.id)).to.equal(true);
            // The id is looked up among that user's tokens only.
            const wrongOwner = await apiErrorOf(adminClient.delete(admin.username, created.id));
            expect(wrongOwner.status).to.equal(404);
            await adminClient.delete(user.username, created.id);
            expect((await clientAs(user).list(user.username)).some((token) => token.id === created.id)).to.equal(false);

            // An unknown user → 404.
            const unknownUser = await apiErrorOf(adminClient.list("no-such-user-here"));
            expect(unknownUser.status).to.equal(404);
            expect(unknownUser.serviceMessage).to.equal("user redirect does not exist [name: no-such-user-here]");
        });

        it("a created token authenticates for what its scopes allow, and only that", async () => {
            const { user } = t();
            const client = clientAs(user);
            const readUser = await client.create(user.username, uniqueName("ru"), ["read:user"]);
            const readRepo = await client.create(user.username, uniqueName("rr"), ["read:repository"]);
            for (const scheme of ["token", "Bearer"]) {
                const ok = await call("GET", "/user", { auth: `${scheme} ${readUser.sha1}` });
                expect(ok.status, `${scheme}: ${describeResponse(ok)}`).to.equal(200);
                expect(ok.json).to.include({ login: user.username });
            }
            const denied = await call("GET", "/user", { auth: `token ${readRepo.sha1}` });
            expect(denied.status).to.equal(403);
            expect(denied.json).to.deep.equal(
                errorBody(
                    "token does not have at least one of required scope(s), required=[read:user], token scope=read:repository",
                ),
            );
            const anonymous = await call("GET", "/user");
            expect(anonymous.status).to.equal(401);
            expect(anonymous.json).to.deep.equal(errorBody("token is required"));
            await client.delete(user.username, readUser.id);
            await client.delete(user.username, readRepo.id);
        });
        it("routing comes before auth: unknown path → 404 '404 page not found' (text); wrong method → 405, empty, Allow", async () => {
            const { user } = t();
            const wrongPassword = basic({ username: user.username, password: "definitely-wrong" });
            for (const apiPath of ["/nosuch", `/users/${user.username}/nosuch`, `/users/${user.username}/tokens/1/2`]) {
                const res = await call("GET", apiPath, { auth: wrongPassword });
                expect(res.status, apiPath).to.equal(404);
                expect(res.headers.get("content-type"), apiPath).to.equal("text/plain; charset=utf-8");
                expect(res.text, apiPath).to.equal("404 page not found\n");
            }
            const outside = await call("GET", "/api/v2/version", { root: true });
            expect(outside.status).to.equal(404);
            expect(outside.headers.get("content-type")).to.equal("text/plain;charset=utf-8");
            expect(outside.text).to.equal("Not found.\n");

            for (const [method, apiPath, allow] of [
                ["PUT", `/users/${user.username}/tokens`, "GET, POST"],
                ["HEAD", `/users/${user.username}/tokens`, "GET, POST"],
                ["GET", `/users/${user.username}/tokens/1`, "DELETE"],
                ["POST", "/version", "GET"],
                ["DELETE", `/users/${user.username}`, "GET"],
            ] as const) {
                const res = await call(method, apiPath, { auth: wrongPassword });
                expect(res.status, `${method} ${apiPath}`).to.equal(405);
                expect(res.text).to.equal("");
                // Gitea lists the allowed methods in no fixed order (a Go map): compare them as a set.
                const allowed = (res.headers.get("allow") ?? "")
                    .split(",")
                    .map((m) => m.trim())
                    .sort();
                expect(allowed, `${method} ${apiPath}`).to.deep.equal(allow.split(", ").sort());
                expect(res.headers.get("content-type")).to.equal(null);
            }

            // JSON answers end with a newline (Go's json.Encoder).
            const list = await call("GET", `/users/${user.username}/tokens`, { auth: basic(user) });
            expect(list.text.endsWith("]\n"), JSON.stringify(list.text.slice(-5))).to.equal(true);
            const denied = await call("GET", `/users/${user.username}/tokens`, { auth: wrongPassword });
            expect(denied.text.endsWith("}\n")).to.equal(true);
        });

        it("an Authorization header that does not parse is no authentication (403), not a failed one (401)", async () => {
            const { user } = t();
            const client = clientAs(user);
            const reader = await client.create(user.username, uniqueName("hdr"), ["read:user"]);
            const b64 = (text: string): string => Buffer.from(text).toString("base64");
            // `<sha1>:` is 41 bytes: its standard base64 always ends with one `=`.
            const tokenAsBasic = b64(`${reader.sha1}:`);
            expect(tokenAsBasic.endsWith("=")).to.equal(true);
            const anonymous = [
                "token",
                "token ",
                `token ${reader.sha1} extra`,
                "Basic",
                "Basic ",
                "Basic !!!not-base64",
                `Basic ${b64(user.username)}`, // no colon
                `Basic ${b64(reader.sha1)}`, // no colon, even for a token
                `Basic ${tokenAsBasic.replace(/=+$/, "")}`, // padding is required
                `${basic(user)} extra`,
                "Weird xyz",
            ];
            for (const auth of anonymous) {
                const res = await call("GET", `/users/${user.username}/tokens`, { auth });
                expect(res.status, JSON.stringify(auth)).to.equal(403);
                expect(res.json).to.deep.equal(errorBody(DOER_MESSAGE));
            }
            // Schemes are case-insensitive and any whitespace separates; a token as basic username works.
            for (const auth of [
                `Basic ${tokenAsBasic}`,
                basic(user).replace("Basic ", "bAsIc\t"),
                basic(user).replace("Basic ", "Basic   "),
            ]) {
                const res = await call("GET", `/users/${user.username}/tokens`, { auth });
                expect(res.status, JSON.stringify(auth)).to.equal(200);
            }
            const unknown = await call("GET", `/users/${user.username}/tokens`, { auth: "TOKEN deadbeef" });
            expect(unknown.status).to.equal(401);
            expect(unknown.json).to.deep.equal(errorBody("invalid username, password or token"));

            // The login may be the e-mail address the user sees for itself.
            const me = await call("GET", `/users/${user.username}`, { auth: basic(user) });
            const email = isRecord(me.json) && typeof me.json.email === "string" ? me.json.email : "";
            expect(email).to.include("@");
            const byEmail = await call("GET", `/users/${user.username}/tokens`, {
                auth: basic({ username: email.toUpperCase(), password: user.password }),
            });
            expect(byEmail.status).to.equal(200);
            await client.delete(user.username, reader.id);
        });

        it("the create body is bound by Content-Type: JSON like Go's decoder, forms by field name", async () => {
            const { user } = t();
            const auth = basic(user);
            const post = (raw: string | undefined, contentType: string | undefined) =>
                call("POST", `/users/${user.username}/tokens`, {
                    auth,
                    ...(raw === undefined ? {} : { raw }),
                    ...(contentType === undefined ? {} : { contentType }),
                });
            const json = JSON.stringify;
            const cases: Array<[string | undefined, string | undefined, number, string | string[]]> = [
                // [raw body, Content-Type, status, message (error) or stored scopes (201)]
                [undefined, undefined, 422, "[]: Empty Content-Type"],
                [
                    json({ name: uniqueName("b"), scopes: ["read:user"] }),
                    "text/plain",
                    422,
                    "[]: Unsupported Content-Type",
                ],
                [
                    json({ name: uniqueName("b"), scopes: ["read:user"] }),
                    "APPLICATION/JSON",
                    422,
                    "[]: Unsupported Content-Type",
                ],
                [
                    json({ name: uniqueName("b"), scopes: ["read:user"] }),
                    "application/merge-patch+json",
                    201,
                    ["read:user"],
                ],
                ["", "application/json", 422, "[Name]: Required"],
                ["null", "application/json", 422, "[Name]: Required"],
                [`{"NAME":"${uniqueName("b")}","sCoPeS":["read:issue"]}`, "application/json", 201, ["read:issue"]],
                [
                    `{"name":"${uniqueName("b")}","scopes":["read:user"]} trailing`,
                    "application/json",
                    201,
                    ["read:user"],
                ],
                [`{"name":"${uniqueName("b")}","scopes":[null,"read:user"]}`, "application/json", 201, ["read:user"]],
                [
                    `{"name":"${uniqueName("b")}","scopes":[null]}`,
                    "application/json",
                    400,
                    "access token must have a scope",
                ],
                [
                    `{"name":"${uniqueName("b")}","scopes":["read:user",1]}`,
                    "application/json",
                    422,
                    "[]: json: cannot unmarshal number into Go struct field CreateAccessTokenOption.scopes of type string",
                ],
                [
                    `{"scopes":"read:user","name":true}`,
                    "application/json",
                    422,
                    "[]: json: cannot unmarshal string into Go struct field CreateAccessTokenOption.scopes of type []string",
                ],
                [
                    "[]",
                    "application/json",
                    422,
                    "[]: json: cannot unmarshal array into Go value of type structs.CreateAccessTokenOption",
                ],
                ['{"name":', "application/json", 422, "[]: unexpected EOF"],
                ["notjson", "application/json", 422, "[]: invalid character 'o' in literal null (expecting 'u')"],
                ['{"name" "x"}', "application/json", 422, "[]: invalid character '\"' after object key"],
                [
                    '{"name":"x",}',
                    "application/json",
                    422,
                    "[]: invalid character '}' looking for beginning of object key string",
                ],
                ['{"scopes":[1 2]}', "application/json", 422, "[]: invalid character '2' after array element"],
                ['{"name":-x}', "application/json", 422, "[]: invalid character 'x' in numeric literal"],
                ['{"name":"a\nb"}', "application/json", 422, "[]: invalid character '\\n' in string literal"],
                [
                    `name=${uniqueName("f")}&scopes=read:user&scopes=write:repository`,
                    "application/x-www-form-urlencoded",
                    201,
                    ["write:repository", "read:user"],
                ],
                [
                    `name=${uniqueName("f")}&scopes=read:user,read:issue`,
                    "application/x-www-form-urlencoded",
                    201,
                    ["read:issue", "read:user"],
                ],
                [
                    `name=${uniqueName("f")}&scopes[]=read:user`,
                    "application/x-www-form-urlencoded",
                    400,
                    "access token must have a scope",
                ],
                [
                    `Name=${uniqueName("f")}&scopes=read:user`,
                    "application/x-www-form-urlencoded",
                    422,
                    "[Name]: Required",
                ],
                [
                    [
                        "--XBOUNDARY",
                        'Content-Disposition: form-data; name="name"',
                        "",
                        uniqueName("mp"),
                        "--XBOUNDARY",
                        'Content-Disposition: form-data; name="scopes"',
                        "",
                        "read:user",
                        "--XBOUNDARY--",
                        "",
                    ].join("\r\n"),
                    "multipart/form-data; boundary=XBOUNDARY",
                    201,
                    ["read:user"],
                ],
            ];
            const created: number[] = [];
            for (const [raw, contentType, status, expected] of cases) {
                const label = `${contentType ?? "(no Content-Type)"} ${JSON.stringify(raw)}`;
                const res = await post(raw, contentType);
                expect(res.status, `${label}: ${describeResponse(res)}`).to.equal(status);
                if (status === 201) {
                    const token = asRawToken(res.json);
                    created.push(token.id);
                    expect(token.scopes, label).to.deep.equal(expected);
                } else {
                    expect(res.json, label).to.deep.equal(errorBody(expected as string));
                }
            }
            const client = clientAs(user);
            for (const id of created) {
                await client.delete(user.username, id);
            }
        });

        it("GET /users/{username}: private fields only for the user itself and site admins", async () => {
            const { admin, user } = t();
            const view = async (auth: string | undefined): Promise<Record<string, unknown>> => {
                const res = await call("GET", `/users/${user.username}`, auth === undefined ? {} : { auth });
                expect(res.status, describeResponse(res)).to.equal(200);
                if (!isRecord(res.json)) throw new Error(describeResponse(res));
                return res.json;
            };
            const self = await view(basic(user));
            const byAdmin = await view(basic(admin));
            const anonymous = await view(undefined);
            expect(Object.keys(anonymous).sort()).to.deep.equal(Object.keys(self).sort());
            expect(byAdmin).to.deep.equal(self);
            expect(self).to.include({ login: user.username, is_admin: false, active: true });
            expect(self.email).to.not.match(/noreply/);
            const id = typeof self.id === "number" ? self.id : -1;
            expect(anonymous).to.include({
                login: user.username,
                email: `${id}+${user.username.toLowerCase()}@noreply.localhost`,
                is_admin: false,
                active: false,
                last_login: ZERO_TIME,
            });
            const adminSeenByUser = await call("GET", `/users/${admin.username}`, { auth: basic(user) });
            expect(adminSeenByUser.json).to.include({ login: admin.username, is_admin: false, active: false });
            const adminSelf = await call("GET", "/user", { auth: basic(admin) });
            expect(adminSelf.json).to.include({ login: admin.username, is_admin: true, active: true });
        });
    });
}

giteaContract("real Gitea", async () => {
    const gitea = await startRealGitea();
    return { baseUrl: gitea.baseUrl, admin: gitea.admin, user: gitea.user, stop: () => gitea.stop() };
});

giteaContract("sandbox", async () => {
    const sandbox = await startSandbox();
    const { alice, bob } = SEED.gitea.users;
    return {
        baseUrl: sandbox.baseUrls.gitea,
        admin: { username: alice.username, password: alice.password },
        user: { username: bob.username, password: bob.password },
        stop: () => sandbox.close(),
    };
});
