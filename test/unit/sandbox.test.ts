import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { type LiveToken, type Sandbox, SEED, startSandbox } from "../sandbox";
import type { RawGiteaToken } from "../support/giteaRaw";

/** Error bodies of the four services (each uses a subset; tests assert which). */
interface ErrorBody {
    message: string;
    error: string;
    error_description: string;
    url: string;
    detail: string;
    status: number;
    actions: unknown[];
}

interface GlToken {
    id: number;
    name: string;
    description: string | null;
    token: string;
    user_id: number;
    scopes: string[];
    expires_at: string | null;
    active: boolean;
    revoked: boolean;
    access_level: number;
    resource_type: string;
    resource_id: number;
    last_used_at: string | null;
}

interface CodacyToken {
    id: number;
    token: string;
    expiresAt?: string;
}

interface CodacyRepositories {
    data: Array<{ name: string }>;
    pagination: { cursor?: string; limit: number; total: number };
}

interface QoveryToken {
    id: string;
    name: string;
    type: string;
    description?: string;
    expired_at?: string;
    updated_at: string;
    associated_services_count: number;
}

interface Reply<T> {
    status: number;
    headers: Headers;
    text: string;
    body: T;
}

interface CallOptions {
    headers?: Record<string, string>;
    json?: unknown;
    form?: string;
    rawBody?: string;
}

async function call<T = ErrorBody>(
    base: string,
    method: string,
    urlPath: string,
    options: CallOptions = {},
): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...options.headers };
    let body: string | undefined;
    if (options.json !== undefined) {
        headers["content-type"] = "application/json";
        body = JSON.stringify(options.json);
    } else if (options.form !== undefined) {
        headers["content-type"] = "application/x-www-form-urlencoded";
        body = options.form;
    } else if (options.rawBody !== undefined) {
        body = options.rawBody;
    }
    const res = await fetch(`${base}${urlPath}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown;
    try {
        parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
        parsed = undefined;
    }
    return { status: res.status, headers: res.headers, text, body: parsed as T };
}

function basic(username: string, password: string): string {
    return `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
}

function isoDay(offsetDays: number, from: Date): string {
    return new Date(from.getTime() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

describe("sandbox", function () {
    this.timeout(10_000);
    let sb: Sandbox;

    before(async () => {
        sb = await startSandbox({ codacyRepositories: 250 });
    });
    afterEach(() => {
        sb.reset();
    });
    after(async () => {
        await sb.close();
    });

    const gl = <T = ErrorBody>(
        method: string,
        p: string,
        token: string | undefined,
        options: CallOptions = {},
    ): Promise<Reply<T>> =>
        call<T>(sb.baseUrls.gitlab, method, `/api/v4${p}`, {
            ...options,
            headers: { ...(token === undefined ? {} : { "PRIVATE-TOKEN": token }), ...options.headers },
        });

    it("exposes base URLs, credentials and seed info", () => {
        expect(sb.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect(sb.baseUrls).to.deep.equal({
            gitlab: `${sb.url}/gitlab`,
            gitea: `${sb.url}/gitea`,
            codacy: `${sb.url}/codacy`,
            qovery: `${sb.url}/qovery`,
        });
        expect(sb.credentials.gitlab.maintainerToken).to.equal(SEED.gitlab.tokens.maintainer);
        expect(sb.seed.codacy.organizations[0]?.repositories).to.have.length(250);
        expect(sb.seed.codacy.organizations[0]?.repositories[0]).to.equal("repo-001");
        expect(sb.seed.qovery.organizationId).to.equal(SEED.qovery.organizationId);
    });

    describe("GitLab", () => {
        const maintainer = SEED.gitlab.tokens.maintainer;

        it("creates a project access token (secret shown once) and lists it without the secret", async () => {
            const created = await gl<GlToken>("POST", "/projects/acme%2Fweb/access_tokens", maintainer, {
                json: { name: "ci", scopes: ["api", "read_repository"], description: "for CI" },
            });
            expect(created.status).to.equal(201);
            const t = created.body;
            expect(t.token).to.be.a("string").with.length.greaterThan(20);
            expect(t).to.include({ name: "ci", revoked: false, active: true, access_level: 40, description: "for CI" });
            expect(t).to.include({ resource_type: "project", resource_id: 101, last_used_at: null });
            expect(t.expires_at).to.equal(isoDay(365, sb.clock.now()));
            expect(t.user_id).to.be.a("number").and.not.equal(SEED.gitlab.users.maintainer.id);

            const list = await gl<GlToken[]>("GET", "/projects/101/access_tokens", maintainer);
            expect(list.status).to.equal(200);
            expect(list.body).to.have.length(1);
            expect(list.body[0]).to.not.have.property("token");
            const one = await gl<GlToken>("GET", `/projects/101/access_tokens/${t.id}`, maintainer);
            expect(one.status).to.equal(200);
            expect(one.body).to.not.have.property("token");
            expect(one.body.id).to.equal(t.id);

            // The new token authenticates as its bot user, only for its own project.
            const self = await gl<GlToken>("GET", "/personal_access_tokens/self", t.token);
            expect(self.status).to.equal(200);
            expect(self.body).to.include({ id: t.id, active: true });
            expect(
                (await gl<{ path_with_namespace: string }>("GET", "/projects/101", t.token)).body.path_with_namespace,
            ).to.equal("acme/web");
            expect((await gl("GET", "/projects/102", t.token)).status).to.equal(404);
            expect(sb.gitlab.findToken(t.id)?.value).to.equal(t.token);
            expect(sb.liveTokens("gitlab").map((l) => l.id)).to.deep.equal([String(t.id)]);
        });

        it("accepts form bodies, Bearer auth and group tokens for an Owner", async () => {
            const form = await call<GlToken>(sb.baseUrls.gitlab, "POST", "/api/v4/projects/102/access_tokens", {
                headers: { Authorization: `Bearer ${maintainer}` },
                form: "name=form&scopes[]=read_api&access_level=30&expires_at=2099-01-01".replace(
                    "2099-01-01",
                    isoDay(30, sb.clock.now()),
                ),
            });
            expect(form.status).to.equal(201);
            expect(form.body).to.include({ access_level: 30 });
            expect(form.body.scopes).to.deep.equal(["read_api"]);

            const group = await gl<GlToken>("POST", "/groups/acme/access_tokens", SEED.gitlab.tokens.owner, {
                json: { name: "g", scopes: ["api"], access_level: 50 },
            });
            expect(group.status).to.equal(201);
            expect(group.body).to.include({ resource_type: "group", resource_id: 11, access_level: 50 });
        });

        it("rejects bad credentials and insufficient roles like GitLab", async () => {
            expect(await gl("GET", "/projects/101/access_tokens", undefined)).to.include({ status: 401 });
            const unknown = await gl("GET", "/projects/101/access_tokens", "nope");
            expect(unknown.status).to.equal(401);
            expect(unknown.body).to.deep.equal({ message: "401 Unauthorized" });

            const hidden = await gl("GET", "/projects/103/access_tokens", maintainer);
            expect(hidden.status).to.equal(404);
            expect(hidden.body).to.deep.equal({ message: "404 Project Not Found" });
            expect((await gl("GET", "/projects/other%2Fprivate/access_tokens", maintainer)).status).to.equal(404);
            expect((await gl("GET", "/projects/103/access_tokens", SEED.gitlab.tokens.root)).status).to.equal(200);

            const reporterList = await gl("GET", "/projects/101/access_tokens", SEED.gitlab.tokens.reporter);
            expect(reporterList.status).to.equal(401);
            const reporterCreate = await gl("POST", "/projects/101/access_tokens", SEED.gitlab.tokens.reporter, {
                json: { name: "x", scopes: ["api"] },
            });
            expect(reporterCreate.status).to.equal(400);
            expect(reporterCreate.body.message).to.equal(
                "400 Bad request - User does not have permission to create project access token",
            );

            const readOnly = await gl("POST", "/projects/101/access_tokens", SEED.gitlab.tokens.maintainerReadApi, {
                json: { name: "x", scopes: ["api"] },
            });
            expect(readOnly.status).to.equal(403);
            expect(readOnly.body.error).to.equal("insufficient_scope");

            const groupByMaintainer = await gl("POST", "/groups/11/access_tokens", maintainer, {
                json: { name: "x", scopes: ["api"] },
            });
            expect(groupByMaintainer.status).to.equal(400);

            const owner = await gl("POST", "/projects/101/access_tokens", maintainer, {
                json: { name: "x", scopes: ["api"], access_level: 50 },
            });
            expect(owner.body.message).to.equal(
                "400 Bad request - Access level of the token contains permissions not held by the creating user",
            );

            const bot = await gl<GlToken>("POST", "/projects/101/access_tokens", maintainer, {
                json: { name: "bot", scopes: ["api"] },
            });
            const byBot = await gl("POST", "/projects/101/access_tokens", bot.body.token, {
                json: { name: "child", scopes: ["api"] },
            });
            expect(byBot.status).to.equal(400);
            expect(byBot.body.message).to.match(/^400 Bad request - /);
        });

        it("validates parameters with GitLab's messages", async () => {
            const post = (body: unknown) => gl("POST", "/projects/101/access_tokens", maintainer, { json: body });
            expect((await post({})).body).to.deep.equal({ error: "name is missing, scopes is missing" });
            expect((await post({ name: "a" })).body).to.deep.equal({ error: "scopes is missing" });
            expect((await post({ name: "a", scopes: ["root"] })).body).to.deep.equal({
                error: "scopes does not have a valid value",
            });
            expect((await post({ name: "a", scopes: ["api"], access_level: 45 })).body).to.deep.equal({
                error: "access_level does not have a valid value",
            });
            expect((await post({ name: "a", scopes: ["api"], expires_at: "soon" })).body).to.deep.equal({
                error: "expires_at is invalid",
            });
            const now = sb.clock.now();
            const tooLate = await post({ name: "a", scopes: ["api"], expires_at: isoDay(366, now) });
            expect(tooLate.status).to.equal(400);
            expect(tooLate.body.message).to.equal(`400 Bad request - Expires at must be before ${isoDay(365, now)}`);
            expect((await post({ name: "a", scopes: ["api"], expires_at: isoDay(365, now) })).status).to.equal(201);
            const past = await post({ name: "a", scopes: ["api"], expires_at: isoDay(-1, now) });
            expect(past.status).to.equal(400);
            expect(past.body.message).to.match(/^400 Bad request - Expires at/);
            expect((await post({ name: "a", scopes: [] })).body.message).to.equal(
                "400 Bad request - Scopes can't be blank",
            );
        });

        it("paginates with Link, x-total, x-total-pages and x-next-page", async () => {
            for (let i = 0; i < 25; i++) {
                const r = await gl("POST", "/projects/101/access_tokens", maintainer, {
                    json: { name: `t${i}`, scopes: ["read_api"] },
                });
                expect(r.status).to.equal(201);
            }
            const first = await gl<GlToken[]>("GET", "/projects/101/access_tokens?per_page=10", maintainer);
            expect(first.body).to.have.length(10);
            expect(first.headers.get("x-total")).to.equal("25");
            expect(first.headers.get("x-total-pages")).to.equal("3");
            expect(first.headers.get("x-page")).to.equal("1");
            expect(first.headers.get("x-per-page")).to.equal("10");
            expect(first.headers.get("x-next-page")).to.equal("2");
            const seen: number[] = [];
            let next: string | undefined = `${sb.baseUrls.gitlab}/api/v4/projects/101/access_tokens?per_page=10`;
            let pages = 0;
            while (next !== undefined) {
                const res = await fetch(next, { headers: { "PRIVATE-TOKEN": maintainer } });
                const items = (await res.json()) as Array<{ id: number }>;
                seen.push(...items.map((t) => t.id));
                pages++;
                next = /<([^>]+)>; rel="next"/.exec(res.headers.get("link") ?? "")?.[1];
            }
            expect(pages).to.equal(3);
            expect(new Set(seen).size).to.equal(25);
            const last = await gl("GET", "/projects/101/access_tokens?per_page=10&page=3", maintainer);
            expect(last.headers.get("x-next-page")).to.equal("");
            expect(last.headers.get("link")).to.include('rel="prev"').and.not.include('rel="next"');
            const capped = await gl<GlToken[]>("GET", "/projects/101/access_tokens?per_page=500", maintainer);
            expect(capped.headers.get("x-per-page")).to.equal("100");
            expect(capped.body).to.have.length(25);
        });

        it("revokes on DELETE: the value stops working and the token reads inactive", async () => {
            const t = (
                await gl<GlToken>("POST", "/projects/101/access_tokens", maintainer, {
                    json: { name: "x", scopes: ["api"] },
                })
            ).body;
            const del = await gl("DELETE", `/projects/101/access_tokens/${t.id}`, maintainer);
            expect(del.status).to.equal(204);
            expect(del.text).to.equal("");
            const after = await gl<GlToken>("GET", `/projects/101/access_tokens/${t.id}`, maintainer);
            expect(after.body).to.include({ revoked: true, active: false });
            const use = await gl("GET", "/personal_access_tokens/self", t.token);
            expect(use.status).to.equal(401);
            expect(use.body.error).to.equal("invalid_token");
            expect(
                (await gl<GlToken[]>("GET", "/projects/101/access_tokens?state=active", maintainer)).body,
            ).to.have.length(0);
            expect(
                (await gl<GlToken[]>("GET", "/projects/101/access_tokens?state=inactive", maintainer)).body,
            ).to.have.length(1);
            const unknown = await gl("DELETE", "/projects/101/access_tokens/999999", maintainer);
            expect(unknown.status).to.equal(404);
            expect(unknown.body.message).to.match(/^404 /);
            expect(sb.liveTokens("gitlab")).to.have.length(0);
        });

        it("expires tokens by the sandbox clock", async () => {
            const now = sb.clock.now();
            const t = (
                await gl<GlToken>("POST", "/projects/101/access_tokens", maintainer, {
                    json: { name: "short", scopes: ["api"], expires_at: isoDay(2, now) },
                })
            ).body;
            expect(t.active).to.equal(true);
            sb.clock.advanceDays(3);
            const read = await gl<GlToken>("GET", `/projects/101/access_tokens/${t.id}`, maintainer);
            expect(read.body).to.include({ active: false, revoked: false });
            const use = await gl("GET", "/personal_access_tokens/self", t.token);
            expect(use.status).to.equal(401);
            expect(use.body.error_description).to.equal("Token has expired.");
            expect(sb.liveTokens("gitlab")[0]?.active).to.equal(false);
        });

        it("rotates: new id and value, old one revoked; rotating a revoked token revokes the family", async () => {
            const t = (
                await gl<GlToken>("POST", "/projects/101/access_tokens", maintainer, {
                    json: { name: "rot", scopes: ["api"] },
                })
            ).body;
            const rotated = await gl<GlToken>("POST", `/projects/101/access_tokens/${t.id}/rotate`, maintainer);
            expect(rotated.status).to.equal(200);
            expect(rotated.body.id).to.not.equal(t.id);
            expect(rotated.body.token).to.be.a("string").and.not.equal(t.token);
            expect(rotated.body).to.include({ name: "rot", user_id: t.user_id, active: true });
            expect(rotated.body.expires_at).to.equal(isoDay(7, sb.clock.now()));
            expect((await gl("GET", "/personal_access_tokens/self", t.token)).status).to.equal(401);
            expect((await gl("GET", "/personal_access_tokens/self", rotated.body.token)).status).to.equal(200);

            const withDate = await gl<GlToken>(
                "POST",
                `/projects/101/access_tokens/${rotated.body.id}/rotate`,
                maintainer,
                {
                    json: { expires_at: isoDay(90, sb.clock.now()) },
                },
            );
            expect(withDate.body.expires_at).to.equal(isoDay(90, sb.clock.now()));

            const again = await gl("POST", `/projects/101/access_tokens/${t.id}/rotate`, maintainer);
            expect(again.status).to.equal(400);
            expect(again.body.message).to.equal("400 Bad request - Token already revoked");
            expect(sb.gitlab.findToken(withDate.body.id)?.revoked).to.equal(true);

            const bySelf = (
                await gl<GlToken>("POST", "/projects/101/access_tokens", maintainer, {
                    json: { name: "s", scopes: ["self_rotate"] },
                })
            ).body;
            const selfRotated = await gl<GlToken>("POST", "/projects/101/access_tokens/self/rotate", bySelf.token);
            expect(selfRotated.status).to.equal(200);
            expect(selfRotated.body.token).to.not.equal(bySelf.token);
        });

        it("lets tests revoke out of band (accessor and control endpoint)", async () => {
            const a = (
                await gl<GlToken>("POST", "/projects/101/access_tokens", maintainer, {
                    json: { name: "a", scopes: ["api"] },
                })
            ).body;
            const b = (
                await gl<GlToken>("POST", "/projects/101/access_tokens", maintainer, {
                    json: { name: "b", scopes: ["api"] },
                })
            ).body;
            expect(sb.gitlab.revoke(a.id)).to.equal(true);
            const res = await call(sb.url, "POST", "/_sandbox/revoke", { json: { service: "gitlab", id: b.id } });
            expect(res.status).to.equal(204);
            expect(
                (await call(sb.url, "POST", "/_sandbox/revoke", { json: { service: "gitlab", id: 1 } })).status,
            ).to.equal(204);
            expect(sb.liveTokens("gitlab")).to.have.length(0);
            expect((await gl("GET", "/personal_access_tokens/self", b.token)).status).to.equal(401);
        });
    });

    describe("Gitea", () => {
        const { alice, bob, carol } = SEED.gitea.users;
        const gt = <T = ErrorBody>(
            method: string,
            p: string,
            auth: string | undefined,
            options: CallOptions = {},
        ): Promise<Reply<T>> =>
            call<T>(sb.baseUrls.gitea, method, `/api/v1${p}`, {
                ...options,
                headers: { ...(auth === undefined ? {} : { Authorization: auth }), ...options.headers },
            });
        const bobAuth = basic(bob.username, bob.password);

        it("creates a token with Basic auth; sha1 shown once; scopes normalised", async () => {
            const created = await gt<RawGiteaToken>("POST", "/users/bob/tokens", bobAuth, {
                json: { name: "deploy", scopes: ["write:repository", "read:repository", "read:user"] },
            });
            expect(created.status).to.equal(201);
            expect(created.body.sha1).to.match(/^[0-9a-f]{40}$/);
            expect(created.body.token_last_eight).to.equal(created.body.sha1.slice(-8));
            expect(created.body.scopes).to.deep.equal(["write:repository", "read:user"]);
            // Exactly Gitea 1.26's keys; the create answer carries zero times.
            expect(created.body).to.have.all.keys(
                "id",
                "name",
                "sha1",
                "token_last_eight",
                "scopes",
                "created_at",
                "last_used_at",
            );
            expect(created.body).to.include({ created_at: "0001-01-01T00:00:00Z" });
            expect(created.headers.get("content-type")).to.equal("application/json;charset=utf-8");
            const list = await gt<RawGiteaToken[]>("GET", "/users/bob/tokens", bobAuth);
            expect(list.body).to.have.length(1);
            expect(list.body[0]).to.include({ id: created.body.id, name: "deploy", sha1: "" });
            expect(list.body[0]?.created_at).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
            expect(list.headers.get("x-total-count")).to.equal("1");
            expect(list.headers.get("access-control-expose-headers")).to.equal("X-Total-Count");

            const me = await gt<{ login: string }>("GET", "/user", `token ${created.body.sha1}`);
            expect(me.status).to.equal(200);
            expect(me.body.login).to.equal("bob");
            const noUser = (
                await gt<RawGiteaToken>("POST", "/users/bob/tokens", bobAuth, {
                    json: { name: "repo", scopes: ["read:repository"] },
                })
            ).body;
            expect((await gt("GET", "/user", `token ${noUser.sha1}`)).status).to.equal(403);
            const all = (
                await gt<RawGiteaToken>("POST", "/users/bob/tokens", bobAuth, {
                    json: { name: "all", scopes: ["all"] },
                })
            ).body;
            expect(all.scopes).to.deep.equal(["all"]);
            expect((await gt<{ version: string }>("GET", "/version", undefined)).body.version).to.be.a("string");
        });

        it("enforces Basic auth, OTP, self-or-admin", async () => {
            const token = (
                await gt<RawGiteaToken>("POST", "/users/bob/tokens", bobAuth, {
                    json: { name: "t", scopes: ["write:user"] },
                })
            ).body.sha1;
            const byToken = await gt("GET", "/users/bob/tokens", `token ${token}`);
            expect(byToken.status).to.equal(401);
            expect(byToken.body.message).to.equal("auth required");
            expect(byToken.body.url).to.be.a("string");

            const wrong = await gt("GET", "/users/bob/tokens", basic("bob", "wrong"));
            expect(wrong.status).to.equal(401);
            expect(wrong.body).to.deep.equal({
                message: "invalid username, password or token",
                url: `${sb.baseUrls.gitea}/api/swagger`,
            });
            const anonymous = await gt("GET", "/users/bob/tokens", undefined);
            expect(anonymous.status).to.equal(403);
            expect(anonymous.body.message).to.equal("doer should be the site admin or be same as the contextUser");
            const readOnly = (
                await gt<RawGiteaToken>("POST", "/users/bob/tokens", bobAuth, {
                    json: { name: "ro", scopes: ["read:user"] },
                })
            ).body.sha1;
            const scoped = await gt("POST", "/users/bob/tokens", `token ${readOnly}`, {
                json: { name: "x", scopes: ["read:user"] },
            });
            expect(scoped.status).to.equal(403);
            expect(scoped.body.message).to.equal(
                "token does not have at least one of required scope(s), required=[write:user], token scope=read:user",
            );
            // Basic auth with a token as the password counts as Basic auth (subject to the token's scope).
            expect((await gt("GET", "/users/bob/tokens", basic("bob", readOnly))).status).to.equal(200);
            const noOtp = await gt("GET", "/users/carol/tokens", basic(carol.username, carol.password));
            expect(noOtp.status).to.equal(401);
            expect(noOtp.body.message).to.equal("invalid provided OTP");
            const withOtp = await gt("GET", "/users/carol/tokens", basic(carol.username, carol.password), {
                headers: { "X-Gitea-OTP": carol.otp },
            });
            expect(withOtp.status).to.equal(200);

            const other = await gt("GET", "/users/alice/tokens", bobAuth);
            expect(other.status).to.equal(403);
            const admin = await gt("POST", "/users/bob/tokens", basic(alice.username, alice.password), {
                json: { name: "by-admin", scopes: ["read:misc"] },
            });
            expect(admin.status).to.equal(201);
            expect(sb.gitea.tokens("bob").map((t) => t.name)).to.include("by-admin");
            const nobody = await gt("GET", "/users/nobody/tokens", basic(alice.username, alice.password));
            expect(nobody.status).to.equal(404);
            expect(nobody.body.message).to.equal("user redirect does not exist [name: nobody]");
        });

        it("validates names and scopes", async () => {
            const post = (body: unknown) => gt("POST", "/users/bob/tokens", bobAuth, { json: body });
            expect((await post({ name: "dup", scopes: ["read:user"] })).status).to.equal(201);
            const dup = await post({ name: "dup", scopes: ["read:user"] });
            expect(dup.status).to.equal(400);
            expect(dup.body.message).to.equal("access token name has been used already");
            const bad = await post({ name: "x", scopes: ["read:everything"] });
            expect(bad.status).to.equal(400);
            expect(bad.body.message).to.match(/invalid access token scope/);
            const none = await post({ name: "y", scopes: [] });
            expect(none.status).to.equal(400);
            expect(none.body.message).to.equal("access token must have a scope");
            expect((await post({ name: "y", scopes: ["sudo"] })).body.message).to.equal(
                "invalid access token scope provided: invalid access token scope: sudo",
            );
            expect((await post({ name: "y", scopes: [""] })).body.message).to.equal("access token must have a scope");
            const merged = await gt<RawGiteaToken>("POST", "/users/bob/tokens", bobAuth, {
                json: {
                    name: "merged",
                    scopes: ["read:user,read:repository", "public-only", "write:issue", "read:admin"],
                },
            });
            expect(merged.body.scopes).to.deep.equal([
                "public-only",
                "read:admin",
                "write:issue",
                "read:repository",
                "read:user",
            ]);
            const missing = await post({ scopes: ["read:user"] });
            expect(missing.status).to.equal(422);
            expect(missing.body.message).to.equal("[Name]: Required");
            const notObject = await post("notjson");
            expect(notObject.status).to.equal(422);
            expect(notObject.body.message).to.equal(
                "[]: json: cannot unmarshal string into Go value of type structs.CreateAccessTokenOption",
            );
        });

        it("paginates with page/limit and X-Total-Count", async () => {
            for (let i = 0; i < 7; i++) {
                await gt("POST", "/users/bob/tokens", bobAuth, { json: { name: `p${i}`, scopes: ["read:user"] } });
            }
            const sizes: number[] = [];
            const ids = new Set<number>();
            for (let page = 1; page <= 3; page++) {
                const r = await gt<RawGiteaToken[]>("GET", `/users/bob/tokens?page=${page}&limit=3`, bobAuth);
                expect(r.headers.get("x-total-count")).to.equal("7");
                expect(r.headers.get("link")).to.equal(null);
                sizes.push(r.body.length);
                for (const t of r.body) {
                    ids.add(t.id);
                }
            }
            expect(sizes).to.deep.equal([3, 3, 1]);
            expect(ids.size).to.equal(7);
        });

        it("deletes by id or by name; unknown 404; ambiguous name 422", async () => {
            const a = (
                await gt<RawGiteaToken>("POST", "/users/bob/tokens", bobAuth, {
                    json: { name: "a", scopes: ["read:user"] },
                })
            ).body;
            await gt("POST", "/users/bob/tokens", bobAuth, { json: { name: "b", scopes: ["read:user"] } });
            expect((await gt("DELETE", `/users/bob/tokens/${a.id}`, bobAuth)).status).to.equal(204);
            expect((await gt("DELETE", "/users/bob/tokens/b", bobAuth)).status).to.equal(204);
            expect((await gt("DELETE", "/users/bob/tokens/b", bobAuth)).status).to.equal(404);
            expect((await gt("DELETE", "/users/bob/tokens/424242", bobAuth)).status).to.equal(404);
            const hex = sb.gitea.insertToken("bob", "hex", ["read:user"]);
            const deletedByHex = await gt("DELETE", `/users/bob/tokens/0x${hex.id.toString(16)}`, bobAuth);
            expect(deletedByHex.status).to.equal(204);
            const gone = await gt("DELETE", "/users/bob/tokens/b", bobAuth);
            expect(gone.body).to.deep.equal({
                errors: null,
                message: "not found",
                url: `${sb.baseUrls.gitea}/api/swagger`,
            });
            sb.gitea.insertToken("bob", "twin", ["read:user"]);
            sb.gitea.insertToken("bob", "twin", ["read:user"]);
            const ambiguous = await gt("DELETE", "/users/bob/tokens/twin", bobAuth);
            expect(ambiguous.status).to.equal(422);
            expect(ambiguous.body.message).to.match(/multiple matches/);
            const deleted = await gt("GET", "/user", `token ${a.sha1}`);
            expect(deleted.status).to.equal(401);
            expect(deleted.body.message).to.equal("invalid username, password or token");
        });
    });

    describe("Codacy", () => {
        const api = <T = ErrorBody>(
            method: string,
            p: string,
            options: CallOptions = {},
            token: string = SEED.codacy.apiToken,
        ): Promise<Reply<T>> =>
            call<T>(sb.baseUrls.codacy, method, `/api/v3${p}`, {
                ...options,
                headers: { "api-token": token, ...options.headers },
            });
        const tokensPath = "/organizations/gh/acme/repositories/repo-007/tokens";

        it("creates, lists and deletes repository tokens", async () => {
            const created = await api<{ data: CodacyToken }>("POST", tokensPath);
            expect(created.status).to.equal(201);
            expect(created.body.data.id).to.be.a("number");
            expect(created.body.data.token).to.be.a("string").with.length(32);
            expect(created.body.data).to.not.have.property("expiresAt");
            const expiresAt = new Date(sb.clock.now().getTime() + 3_600_000).toISOString();
            const withExpiry = await api<{ data: CodacyToken }>("POST", tokensPath, { json: { expiresAt } });
            expect(withExpiry.status).to.equal(201);
            expect(withExpiry.body.data.expiresAt).to.equal(expiresAt);
            const list = await api<{ data: CodacyToken[] }>("GET", tokensPath);
            expect(list.body.data.map((t) => t.id)).to.deep.equal([created.body.data.id, withExpiry.body.data.id]);
            expect((await api("DELETE", `${tokensPath}/${created.body.data.id}`)).status).to.equal(204);
            const gone = await api("DELETE", `${tokensPath}/${created.body.data.id}`);
            expect(gone.status).to.equal(404);
            expect(gone.body).to.include({ error: "NotFound" });
            expect(gone.body.actions).to.deep.equal([]);

            // Expired tokens stay listed, with expiresAt in the past.
            sb.clock.advanceDays(1);
            const later = await api<{ data: CodacyToken[] }>("GET", tokensPath);
            expect(later.body.data).to.have.length(1);
            expect(Date.parse(later.body.data[0]?.expiresAt ?? "")).to.be.lessThan(sb.clock.now().getTime());
            expect(sb.liveTokens("codacy")[0]?.active).to.equal(false);
            expect((await api("POST", tokensPath, { json: { expiresAt: "tomorrow" } })).status).to.equal(400);
        });

        it("answers 401 and 404 in Codacy's error shape", async () => {
            const bad = await api("GET", tokensPath, {}, "wrong");
            expect(bad.status).to.equal(401);
            expect(bad.body).to.include({ error: "Unauthorized" });
            expect(bad.body.message).to.be.a("string");
            expect(bad.body.actions).to.deep.equal([]);
            const noRepo = await api("GET", "/organizations/gh/acme/repositories/nope/tokens");
            expect(noRepo.status).to.equal(404);
            expect(noRepo.body.error).to.equal("NotFound");
            expect((await api("GET", "/organizations/gh/nobody/repositories")).status).to.equal(404);
        });

        it("paginates repositories with cursors (GitHub)", async () => {
            const names: string[] = [];
            let cursor: string | undefined;
            let pages = 0;
            do {
                const q = cursor === undefined ? "" : `&cursor=${encodeURIComponent(cursor)}`;
                const r = await api<CodacyRepositories>("GET", `/organizations/gh/acme/repositories?limit=100${q}`);
                expect(r.status).to.equal(200);
                expect(r.body.pagination.limit).to.equal(100);
                expect(r.body.pagination.total).to.equal(250);
                names.push(...r.body.data.map((repo) => repo.name));
                cursor = r.body.pagination.cursor;
                pages++;
            } while (cursor !== undefined);
            expect(pages).to.equal(3);
            expect(new Set(names).size).to.equal(250);
            expect((await api("GET", "/organizations/gh/acme/repositories?limit=500")).status).to.equal(400);
        });

        it("paginates Bitbucket: cursors need URL-encoding and a page may exceed the limit", async () => {
            const first = await api<CodacyRepositories>("GET", "/organizations/bb/acme-bb/repositories?limit=2");
            expect(first.body.data).to.have.length(3);
            const cursor = first.body.pagination.cursor ?? "";
            expect(cursor).to.match(/[+]/).and.match(/\//).and.match(/=/);
            const raw = await api("GET", `/organizations/bb/acme-bb/repositories?limit=2&cursor=${cursor}`);
            expect(raw.status).to.equal(400);
            expect(raw.body.error).to.equal("BadRequest");
            const names: string[] = first.body.data.map((r) => r.name);
            let next: string | undefined = cursor;
            while (next !== undefined) {
                const r: Reply<CodacyRepositories> = await api<CodacyRepositories>(
                    "GET",
                    `/organizations/bb/acme-bb/repositories?limit=2&cursor=${encodeURIComponent(next)}`,
                );
                expect(r.status).to.equal(200);
                names.push(...r.body.data.map((repo) => repo.name));
                next = r.body.pagination.cursor;
            }
            expect(names).to.deep.equal([...SEED.codacy.bitbucket.repositories]);
        });
    });

    describe("Qovery", () => {
        const org = SEED.qovery.organizationId;
        const q = <T = ErrorBody>(
            method: string,
            p: string,
            options: CallOptions = {},
            auth = `Token ${SEED.qovery.apiToken}`,
        ): Promise<Reply<T>> =>
            call<T>(sb.baseUrls.qovery, method, `/organization/${org}${p}`, {
                ...options,
                headers: { Authorization: auth, ...options.headers },
            });

        it("creates, reads, updates and deletes git tokens; never returns the stored token", async () => {
            const created = await q<QoveryToken>("POST", "/gitToken", {
                json: { name: "gh", type: "GITHUB", token: "ghp_sandbox_value", description: "d" },
            });
            expect(created.status).to.equal(201);
            const t = created.body;
            expect(t).to.include({ name: "gh", type: "GITHUB", description: "d", associated_services_count: 0 });
            expect(t).to.not.have.property("token");
            expect(JSON.stringify(t)).to.not.include("ghp_sandbox_value");
            expect(sb.qovery.secretOf(t.id)).to.equal("ghp_sandbox_value");

            const list = await q<{ results: QoveryToken[] }>("GET", "/gitToken", {}, `Bearer ${SEED.qovery.jwt}`);
            expect(list.status).to.equal(200);
            expect(list.body.results).to.have.length(1);
            expect((await q<QoveryToken>("GET", `/gitToken/${t.id}`)).body.id).to.equal(t.id);

            sb.clock.advanceDays(1);
            const updated = await q<QoveryToken>("PUT", `/gitToken/${t.id}`, {
                json: { name: "gh2", type: "GITHUB", token: "ghp_new_value" },
            });
            expect(updated.status).to.equal(200);
            expect(updated.body.id).to.equal(t.id);
            expect(updated.body.name).to.equal("gh2");
            expect(updated.body).to.not.have.property("description");
            expect(Date.parse(updated.body.updated_at)).to.be.greaterThan(Date.parse(t.updated_at));
            expect(sb.qovery.secretOf(t.id)).to.equal("ghp_new_value");

            expect((await q("GET", `/gitToken/${t.id}/associatedServices`)).body).to.deep.equal({ results: [] });
            sb.qovery.attachService(t.id, { service_name: "web" });
            expect((await q<QoveryToken>("GET", `/gitToken/${t.id}`)).body.associated_services_count).to.equal(1);
            const services = await q<{ results: Array<{ service_name: string }> }>(
                "GET",
                `/gitToken/${t.id}/associatedServices`,
            );
            expect(services.body.results[0]?.service_name).to.equal("web");

            expect((await q("DELETE", `/gitToken/${t.id}`)).status).to.equal(204);
            expect((await q("GET", `/gitToken/${t.id}`)).status).to.equal(404);
            expect(sb.liveTokens("qovery")).to.have.length(0);
        });

        it("validates requests and answers 400/401/404", async () => {
            const post = (body: unknown) => q("POST", "/gitToken", { json: body });
            const missing = await post({});
            expect(missing.status).to.equal(400);
            expect(missing.body.status).to.equal(400);
            expect(missing.body.detail).to.match(/name/).and.match(/type/).and.match(/token/);
            expect((await post({ name: "x", type: "GITEA", token: "t" })).status).to.equal(400);
            const bb = await post({ name: "x", type: "BITBUCKET", token: "t" });
            expect(bb.status).to.equal(400);
            expect(bb.body.detail).to.match(/workspace/);
            expect((await post({ name: "x", type: "BITBUCKET", token: "t", workspace: "acme" })).status).to.equal(201);
            expect((await post({ name: "x", type: "GITLAB", token: "t", git_api_url: "not a url" })).status).to.equal(
                400,
            );
            expect((await q("GET", "/gitToken", {}, "Token wrong")).status).to.equal(401);
            expect((await q("GET", "/gitToken", {}, SEED.qovery.apiToken)).status).to.equal(401);
            const otherOrg = await call(
                sb.baseUrls.qovery,
                "GET",
                "/organization/00000000-0000-4000-8000-00000000ffff/gitToken",
                { headers: { Authorization: `Token ${SEED.qovery.apiToken}` } },
            );
            expect(otherOrg.status).to.equal(404);
            expect(otherOrg.body.status).to.equal(404);
            expect((await q("GET", "/gitToken/00000000-0000-4000-8000-000000000000")).status).to.equal(404);
        });

        it("reports expired_at of a GitLab token the sandbox issued", async () => {
            const now = sb.clock.now();
            const gitlabToken = (
                await gl<GlToken>("POST", "/projects/101/access_tokens", SEED.gitlab.tokens.maintainer, {
                    json: { name: "for-qovery", scopes: ["read_repository"], expires_at: isoDay(30, now) },
                })
            ).body.token;
            const created = await q<QoveryToken>("POST", "/gitToken", {
                json: { name: "gl", type: "GITLAB", token: gitlabToken },
            });
            expect(created.body.expired_at).to.equal(isoDay(30, now));
        });
    });

    describe("faults", () => {
        const maintainer = SEED.gitlab.tokens.maintainer;

        it("status: replaces the answer with the service's error shape and Retry-After, `times` times", async () => {
            sb.faults.add({ service: "gitlab", method: "GET", kind: "status", status: 503, retryAfter: 2, times: 2 });
            for (let i = 0; i < 2; i++) {
                const r = await gl("GET", "/projects/101/access_tokens", maintainer);
                expect(r.status).to.equal(503);
                expect(r.headers.get("retry-after")).to.equal("2");
                expect(r.body).to.deep.equal({ message: "503 Service Unavailable" });
            }
            expect((await gl("GET", "/projects/101/access_tokens", maintainer)).status).to.equal(200);

            sb.faults.add({ service: "codacy", kind: "status", status: 500 });
            const codacy = await call(sb.baseUrls.codacy, "GET", "/api/v3/organizations/gh/acme/repositories", {
                headers: { "api-token": SEED.codacy.apiToken },
            });
            expect(codacy.body).to.include({ error: "InternalServerError" });
            sb.faults.add({ path: "/gitea/", kind: "status", status: 418, body: "teapot" });
            const gitea = await call(sb.baseUrls.gitea, "GET", "/api/v1/version");
            expect(gitea.status).to.equal(418);
            expect(gitea.text).to.equal("teapot");
        });

        it("matches service, method and path (substring or RegExp); clear() disarms", async () => {
            sb.faults.add({ service: "gitlab", method: "POST", path: /\/access_tokens$/, kind: "status", status: 500 });
            expect((await gl("GET", "/projects/101/access_tokens", maintainer)).status).to.equal(200);
            expect(sb.faults.pending()).to.have.length(1);
            sb.faults.clear();
            const r = await gl("POST", "/projects/101/access_tokens", maintainer, {
                json: { name: "a", scopes: ["api"] },
            });
            expect(r.status).to.equal(201);
        });

        it("when:after creates the token but loses the response", async () => {
            sb.faults.add({ service: "gitlab", method: "POST", kind: "status", status: 502, when: "after" });
            const r = await gl("POST", "/projects/101/access_tokens", maintainer, {
                json: { name: "lost", scopes: ["api"] },
            });
            expect(r.status).to.equal(502);
            expect(sb.liveTokens("gitlab").map((t) => t.name)).to.deep.equal(["lost"]);

            sb.faults.add({ service: "gitea", method: "POST", kind: "reset", when: "after" });
            let failed = false;
            try {
                await call(sb.baseUrls.gitea, "POST", "/api/v1/users/bob/tokens", {
                    headers: { Authorization: basic(SEED.gitea.users.bob.username, SEED.gitea.users.bob.password) },
                    json: { name: "lost-too", scopes: ["read:user"] },
                });
            } catch {
                failed = true;
            }
            expect(failed).to.equal(true);
            expect(sb.gitea.tokens("bob").map((t) => t.name)).to.deep.equal(["lost-too"]);
        });

        it("onApplied: tells the test the request is held (before) or was acted on (after)", async () => {
            const PATH = "/gitlab/api/v4/projects/101/access_tokens";
            const applied: Array<{ service: string; method: string; path: string; when: string; live: string[] }> = [];
            const note = (request: { service: string; method: string; path: string; when: string }): void => {
                applied.push({ ...request, live: sb.liveTokens("gitlab").map((t) => t.name) });
            };
            sb.faults.add({ service: "gitlab", method: "POST", kind: "timeout", delayMs: 50, onApplied: note });
            const held = await gl("POST", "/projects/101/access_tokens", maintainer, {
                json: { name: "held", scopes: ["api"] },
            }).catch((e: unknown) => e);
            expect(held).to.be.instanceOf(Error);
            sb.faults.add({ service: "gitlab", method: "POST", kind: "status", when: "after", onApplied: note });
            await gl("POST", "/projects/101/access_tokens", maintainer, { json: { name: "acted", scopes: ["api"] } });
            expect(applied).to.deep.equal([
                { service: "gitlab", method: "POST", path: PATH, when: "before", live: [] },
                { service: "gitlab", method: "POST", path: PATH, when: "after", live: ["acted"] },
            ]);
        });

        it("timeout holds the socket then drops it; reset drops it at once", async () => {
            sb.faults.add({ service: "qovery", kind: "timeout", delayMs: 150 });
            const started = Date.now();
            let error: unknown;
            try {
                await call(sb.baseUrls.qovery, "GET", `/organization/${SEED.qovery.organizationId}/gitToken`, {
                    headers: { Authorization: `Token ${SEED.qovery.apiToken}` },
                });
            } catch (err) {
                error = err;
            }
            expect(error).to.be.instanceOf(Error);
            expect(Date.now() - started).to.be.at.least(140);
            sb.faults.add({ service: "qovery", kind: "reset" });
            let reset = false;
            try {
                await call(sb.baseUrls.qovery, "GET", "/organization");
            } catch {
                reset = true;
            }
            expect(reset).to.equal(true);
            expect(sb.requests.filter((r) => r.service === "qovery").map((r) => r.status)).to.deep.equal([0, 0]);
        });

        it("timeout longer than the client's patience aborts on the client side", async () => {
            sb.faults.add({ service: "gitlab", kind: "timeout", delayMs: 5_000 });
            let aborted = false;
            try {
                await fetch(`${sb.baseUrls.gitlab}/api/v4/user`, {
                    headers: { "PRIVATE-TOKEN": maintainer },
                    signal: AbortSignal.timeout(100),
                });
            } catch (err) {
                aborted = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
            }
            expect(aborted).to.equal(true);
        });

        it("delay answers normally, later", async () => {
            sb.faults.add({ service: "gitlab", kind: "delay", delayMs: 250 });
            const started = Date.now();
            const r = await gl<{ username: string }>("GET", "/user", maintainer);
            expect(r.status).to.equal(200);
            expect(r.body.username).to.equal("maintainer");
            expect(Date.now() - started).to.be.at.least(240);
        });

        it("malformed and schema answer 200 with broken or wrong-shaped JSON", async () => {
            sb.faults.add({ service: "gitlab", kind: "malformed" });
            const broken = await gl("GET", "/projects/101/access_tokens", maintainer);
            expect(broken.status).to.equal(200);
            expect(() => JSON.parse(broken.text)).to.throw();
            sb.faults.add({ service: "gitlab", method: "POST", kind: "malformed", when: "after" });
            const half = await gl("POST", "/projects/101/access_tokens", maintainer, {
                json: { name: "m", scopes: ["api"] },
            });
            expect(half.status).to.equal(200);
            expect(half.text.startsWith('{"id":')).to.equal(true);
            expect(() => JSON.parse(half.text)).to.throw();
            expect(sb.liveTokens("gitlab")).to.have.length(1);
            sb.faults.add({ service: "gitlab", kind: "schema" });
            const wrong = await gl<unknown>("GET", "/projects/101/access_tokens", maintainer);
            expect(wrong.status).to.equal(200);
            expect(wrong.body).to.be.an("object").and.not.be.an("array");
        });

        it("can be armed over HTTP", async () => {
            const armed = await call(sb.url, "POST", "/_sandbox/faults", {
                json: { service: "codacy", pathRegex: "/tokens$", kind: "status", status: 429, retryAfter: 1 },
            });
            expect(armed.status).to.equal(204);
            const r = await call(
                sb.baseUrls.codacy,
                "GET",
                "/api/v3/organizations/gh/acme/repositories/repo-001/tokens",
                {
                    headers: { "api-token": SEED.codacy.apiToken },
                },
            );
            expect(r.status).to.equal(429);
            expect(r.headers.get("retry-after")).to.equal("1");
            expect((await call(sb.url, "POST", "/_sandbox/faults", { json: { kind: "explode" } })).status).to.equal(
                400,
            );
        });
    });

    describe("recording and control", () => {
        it("records method, path, query (credentials redacted) and status, never headers or bodies", async () => {
            await gl(
                "GET",
                `/projects/101/access_tokens?per_page=5&private_token=${SEED.gitlab.tokens.maintainer}`,
                undefined,
            );
            const rec = sb.requests[sb.requests.length - 1];
            expect(rec).to.include({ service: "gitlab", method: "GET", status: 200 });
            expect(rec?.path).to.equal("/gitlab/api/v4/projects/101/access_tokens");
            expect(rec?.query).to.deep.equal({ per_page: "5", private_token: "[REDACTED]" });
            expect(Object.keys(rec ?? {}).sort()).to.deep.equal([
                "at",
                "handledMs",
                "method",
                "path",
                "query",
                "service",
                "status",
            ]);
            expect(JSON.stringify(sb.requests)).to.not.include(SEED.gitlab.tokens.maintainer);
        });

        it("serves state, clock and reset over HTTP", async () => {
            await call(sb.baseUrls.gitea, "POST", "/api/v1/users/bob/tokens", {
                headers: { Authorization: basic(SEED.gitea.users.bob.username, SEED.gitea.users.bob.password) },
                json: { name: "s", scopes: ["read:user"] },
            });
            const state = await call<{ liveTokens: LiveToken[]; requestCounts: Record<string, number> }>(
                sb.url,
                "GET",
                "/_sandbox/state",
            );
            expect(state.body.liveTokens).to.have.length(1);
            expect(state.body.liveTokens[0]).to.include({ service: "gitea", name: "s", owner: "user:bob" });
            expect(JSON.stringify(state.body)).to.not.include(sb.gitea.tokens("bob")[0]?.value ?? "x");
            expect(state.body.requestCounts).to.include({ gitea: 1, total: 1 });
            const before = sb.clock.now().getTime();
            const clock = await call<{ now: string }>(sb.url, "POST", "/_sandbox/clock", { json: { advanceDays: 2 } });
            expect(Date.parse(clock.body.now) - before).to.be.within(2 * 86_400_000 - 1000, 2 * 86_400_000 + 5000);
            expect((await call(sb.url, "POST", "/_sandbox/reset")).status).to.equal(204);
            expect(sb.liveTokens()).to.have.length(0);
            expect(sb.requests).to.have.length(0);
            expect(Math.abs(sb.clock.now().getTime() - Date.now())).to.be.lessThan(5000);
        });
    });
});

describe("sandbox options", function () {
    this.timeout(10_000);

    it("rate limits per service: 429 with Retry-After (and GitLab's RateLimit headers)", async () => {
        const lines: string[] = [];
        const sb = await startSandbox({
            rateLimit: { requestsPerSecond: 1, burst: 2, services: ["gitlab", "codacy"] },
            logRequests: (line) => lines.push(line),
        });
        try {
            const get = () =>
                fetch(`${sb.baseUrls.gitlab}/api/v4/user`, { headers: { "PRIVATE-TOKEN": SEED.gitlab.tokens.root } });
            expect((await get()).status).to.equal(200);
            const ok = await get();
            expect(ok.status).to.equal(200);
            expect(ok.headers.get("ratelimit-limit")).to.equal("2");
            const limited = await get();
            expect(limited.status).to.equal(429);
            expect(Number(limited.headers.get("retry-after"))).to.be.at.least(1);
            expect(limited.headers.get("ratelimit-remaining")).to.equal("0");
            expect(limited.headers.get("ratelimit-reset")).to.match(/^\d+$/);
            expect(await limited.text()).to.equal("Retry later\n");

            const codacy = () =>
                fetch(`${sb.baseUrls.codacy}/api/v3/organizations/gh/acme/repositories`, {
                    headers: { "api-token": SEED.codacy.apiToken },
                });
            await codacy();
            await codacy();
            const c = await codacy();
            expect(c.status).to.equal(429);
            expect(c.headers.get("retry-after")).to.match(/^[1-9]\d*$/);
            expect(await c.json()).to.include({ error: "TooManyRequests" });

            for (let i = 0; i < 5; i++) {
                expect((await fetch(`${sb.baseUrls.gitea}/api/v1/version`)).status).to.equal(200);
            }
            expect(lines.some((l) => l.startsWith("GET /gitlab/api/v4/user 429"))).to.equal(true);
            expect(lines.join("\n")).to.not.include(SEED.gitlab.tokens.root);
        } finally {
            await sb.close();
        }
    });

    it("uses options.now as the clock base", async () => {
        const sb = await startSandbox({ now: () => new Date("2030-06-15T12:00:00Z") });
        try {
            expect(sb.clock.now().toISOString()).to.equal("2030-06-15T12:00:00.000Z");
            const r = await fetch(`${sb.baseUrls.gitlab}/api/v4/projects/101/access_tokens`, {
                method: "POST",
                headers: { "PRIVATE-TOKEN": SEED.gitlab.tokens.maintainer, "content-type": "application/json" },
                body: JSON.stringify({ name: "n", scopes: ["api"] }),
            });
            expect(((await r.json()) as { expires_at: string }).expires_at).to.equal("2031-06-15");
            sb.clock.set(new Date("2031-06-15T00:00:00Z"));
            expect(sb.liveTokens("gitlab")[0]?.active).to.equal(false);
        } finally {
            await sb.close();
        }
    });

    it("serves HTTPS when given a key and certificate", async function () {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sandbox-tls-"));
        try {
            try {
                execFileSync(
                    "openssl",
                    [
                        ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"],
                        ...["-addext", "subjectAltName=IP:127.0.0.1"],
                        ...["-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem")],
                    ],
                    { stdio: "ignore" },
                );
            } catch {
                this.skip();
            }
            const key = fs.readFileSync(path.join(dir, "key.pem"), "utf8");
            const cert = fs.readFileSync(path.join(dir, "cert.pem"), "utf8");
            const sb = await startSandbox({ tls: { key, cert } });
            try {
                expect(sb.url).to.match(/^https:\/\/127\.0\.0\.1:\d+$/);
                const status = await new Promise<number>((resolve, reject) => {
                    https
                        .get(`${sb.baseUrls.gitea}/api/v1/version`, { ca: cert }, (res) => {
                            res.resume();
                            resolve(res.statusCode ?? 0);
                        })
                        .on("error", reject);
                });
                expect(status).to.equal(200);
            } finally {
                await sb.close();
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("cli prints the seed, logs requests and exits cleanly on SIGINT", async () => {
        const cli = path.resolve(__dirname, "../sandbox/cli.js");
        const child: ChildProcess = spawn(process.execPath, [cli], {
            env: { ...process.env, SANDBOX_PORT: "0" },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let out = "";
        child.stdout?.setEncoding("utf8");
        child.stdout?.on("data", (chunk: string) => {
            out += chunk;
        });
        const waitFor = async (pattern: RegExp): Promise<RegExpExecArray> => {
            for (let i = 0; i < 100; i++) {
                const match = pattern.exec(out);
                if (match !== null) {
                    return match;
                }
                await new Promise((r) => setTimeout(r, 30));
            }
            throw new Error(`cli output never matched ${pattern}:\n${out}`);
        };
        try {
            const url = (await waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/))[1] as string;
            expect(out).to.include(SEED.gitlab.tokens.maintainer);
            expect(out).to.include(SEED.gitea.users.carol.otp);
            expect(out).to.include("acme/web");
            expect(out).to.include(SEED.qovery.organizationId);
            await fetch(`${url}/gitlab/api/v4/user`, { headers: { "PRIVATE-TOKEN": SEED.gitlab.tokens.root } });
            await waitFor(/GET \/gitlab\/api\/v4\/user 200/);
            const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
            child.kill("SIGINT");
            expect(await exited).to.equal(0);
        } finally {
            if (child.exitCode === null) {
                child.kill("SIGKILL");
            }
        }
    });
});
