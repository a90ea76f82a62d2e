import { expect } from "chai";
import { CodacyClient } from "../../provider/codacy/client";
import { codacyLimits } from "../../provider/codacy/connect";
import { repositoryMatcher, selectRepositories } from "../../provider/codacy/organization";
import { ApiLimiter, ConfigurationError, InputValidationError, limiterFor, parseApiLimits } from "../../provider/http";
import { getCodacyRepositoryTokens, listCodacyRepositories } from "../../sdk/codacyOrganization";
import { SEED, type Sandbox, startSandbox } from "../sandbox";
import { caught, contextWith } from "../support/context";
import { peakConcurrency, recordServed, type Served } from "../support/served";

const apiToken = SEED.codacy.apiToken;

describe("Codacy organization-wide look-ups and throttling", () => {
    describe("listCodacyRepositories", () => {
        let sandbox: Sandbox;
        before(async () => {
            sandbox = await startSandbox({ codacyRepositories: 250 });
        });
        after(async () => {
            await sandbox.close();
        });
        beforeEach(() => sandbox.reset());

        const connection = () => ({ baseUrl: sandbox.baseUrls.codacy, apiToken });

        it("follows GitHub cursors to the end: 250 repositories in 3 pages of 100", async () => {
            const repos = await listCodacyRepositories({
                provider: "gh",
                organization: "acme",
                connection: connection(),
            });
            expect(repos).to.have.length(250);
            expect(new Set(repos.map((r) => r.name)).size).to.equal(250);
            expect(repos[0]).to.deep.include({
                name: "repo-001",
                owner: "acme",
                provider: "gh",
                fullPath: "acme/repo-001",
            });
            expect(repos.at(-1)?.name).to.equal("repo-250");
            const pages = sandbox.requests.filter((r) => r.path.endsWith("/repositories"));
            expect(pages.map((r) => r.status)).to.deep.equal([200, 200, 200]);
            expect(pages[0]?.query.cursor).to.equal(undefined);
            expect(pages[1]?.query.cursor).to.be.a("string").and.not.equal(pages[2]?.query.cursor);
        });

        it("Bitbucket: cursors with + / = are URL-encoded, and a page larger than `limit` loses nothing", async () => {
            const repos = await listCodacyRepositories({
                provider: "bb",
                organization: "acme-bb",
                pageSize: 2,
                connection: connection(),
            });
            expect(repos.map((r) => r.name)).to.deep.equal([...SEED.codacy.bitbucket.repositories]);
            const pages = sandbox.requests.filter((r) => r.path.endsWith("/repositories"));
            // First page: 3 items for limit 2 (the quirk), then 2, 2 → 3 requests, each accepted.
            expect(pages.map((r) => r.status)).to.deep.equal([200, 200, 200]);
            expect(pages[0]?.query.limit).to.equal("2");
            // The sandbox decoded the cursor intact: `+` was not turned into a space.
            expect(pages[1]?.query.cursor).to.equal("Yms+3/Pg==");
            expect(pages[2]?.query.cursor).to.equal("Yms+5/Pg==");
        });

        it("maps `filter` to Codacy's query parameters", async () => {
            const repos = await listCodacyRepositories({
                provider: "gh",
                organization: "acme",
                filter: { search: "repo-24", sync: "Synced", languages: ["TypeScript", "Go"] },
                connection: connection(),
            });
            expect(repos.map((r) => r.name)).to.deep.equal(Array.from({ length: 10 }, (_, i) => `repo-24${i}`));
            expect(sandbox.requests[0]?.query).to.deep.include({
                search: "repo-24",
                filter: "Synced",
                languages: "TypeScript,Go",
            });
        });

        it("reads CODACY_BASE_URL / CODACY_API_TOKEN when there is no connection", async () => {
            process.env.CODACY_BASE_URL = sandbox.baseUrls.codacy;
            process.env.CODACY_API_TOKEN = apiToken;
            try {
                const repos = await listCodacyRepositories({ provider: "bb", organization: "acme-bb" });
                expect(repos).to.have.length(7);
            } finally {
                delete process.env.CODACY_BASE_URL;
                delete process.env.CODACY_API_TOKEN;
            }
        });

        it("validates its arguments before any request, naming each property", async () => {
            const error = await caught(() =>
                listCodacyRepositories({
                    provider: "github" as "gh",
                    organization: "a/b",
                    connection: connection(),
                }),
            );
            expect(error).to.be.instanceOf(InputValidationError);
            expect(error.message).to.include("provider").and.include("gh, ghe").and.include("organization");
            expect(sandbox.requests).to.deep.equal([]);
            const missing = await caught(() => listCodacyRepositories({ provider: "gh", organization: "acme" }));
            expect(missing).to.be.instanceOf(ConfigurationError);
            expect(missing.message).to.include("codacy:apiToken").and.include("CODACY_API_TOKEN");
        });

        it("an unknown organization is Codacy's 404, with its message", async () => {
            const error = await caught(() =>
                listCodacyRepositories({ provider: "gh", organization: "nobody", connection: connection() }),
            );
            expect(error.message).to.include("HTTP 404").and.include("Organization gh/nobody not found");
        });
    });

    describe("getCodacyRepositoryTokens", () => {
        let sandbox: Sandbox;
        before(async () => {
            sandbox = await startSandbox();
        });
        after(async () => {
            await sandbox.close();
        });

        it("returns the repository's tokens newest first, expired ones only on request", async () => {
            sandbox.reset();
            const first = sandbox.codacy.insertToken("gh", "acme", "repo-002");
            const expired = sandbox.codacy.insertToken("gh", "acme", "repo-002", new Date(Date.now() - 86_400_000));
            const dated = sandbox.codacy.insertToken("gh", "acme", "repo-002", new Date(Date.now() + 86_400_000));
            const latest = sandbox.codacy.insertToken("gh", "acme", "repo-002");
            sandbox.codacy.insertToken("gh", "acme", "repo-003"); // another repository's
            const connection = { baseUrl: sandbox.baseUrls.codacy, apiToken };
            const args = { provider: "gh", organization: "acme", repository: "repo-002", connection } as const;

            const tokens = await getCodacyRepositoryTokens(args);
            expect(tokens).to.deep.equal([
                { id: latest.id, token: latest.value },
                { id: dated.id, token: dated.value, expiresAt: dated.expiresAt },
                { id: first.id, token: first.value },
            ]);
            const all = await getCodacyRepositoryTokens({ ...args, includeExpired: true });
            expect(all.map((t) => t.id)).to.deep.equal([latest.id, dated.id, expired.id, first.id]);
            expect(await getCodacyRepositoryTokens({ ...args, repository: "repo-004" })).to.deep.equal([]);
        });
    });

    describe("repository selection", () => {
        const names = ["api-users", "api-orders", "web", "Web-Admin", "docs", "api-users"];

        it("globs match whole names case-insensitively; RegExps as written; exclude wins", () => {
            expect(repositoryMatcher("api-*")("api-users")).to.equal(true);
            expect(repositoryMatcher("api-*")("my-api-users")).to.equal(false);
            expect(repositoryMatcher("web?admin")("Web-Admin")).to.equal(true);
            expect(repositoryMatcher("a.b")("axb")).to.equal(false);
            expect(repositoryMatcher(/^web$/g)("web")).to.equal(true);
            expect(repositoryMatcher(/^web$/g)("web")).to.equal(true); // a global RegExp keeps no state
            expect(selectRepositories(names)).to.deep.equal(["Web-Admin", "api-orders", "api-users", "docs", "web"]);
            expect(selectRepositories(names, ["api-*", /^web/i], ["*-orders"])).to.deep.equal([
                "Web-Admin",
                "api-users",
                "web",
            ]);
            expect(selectRepositories(names, [], [/./])).to.deep.equal([]);
        });
    });

    describe("throttling (provider/http/limiter)", () => {
        it("keeps at most maxConcurrency requests in flight, as seen by the sandbox", async () => {
            const served: Served[] = [];
            const sandbox = await startSandbox({
                logRequests: recordServed(served, (line) => line.startsWith("GET /codacy/")),
            });
            try {
                // Every answer takes 40 ms, so unthrottled requests would pile up.
                sandbox.faults.add({ service: "codacy", kind: "delay", delayMs: 40, times: -1 });
                const client = new CodacyClient({
                    apiUrl: `${sandbox.baseUrls.codacy}/api/v3`,
                    apiToken,
                    limits: { maxConcurrency: 3 },
                });
                const repos = Array.from({ length: 30 }, (_, i) => `repo-${String((i % 12) + 1).padStart(3, "0")}`);
                const started = Date.now();
                await Promise.all(
                    repos.map((repository) => client.listTokens({ provider: "gh", organization: "acme", repository })),
                );
                const elapsed = Date.now() - started;
                expect(served).to.have.length(30);
                expect(peakConcurrency(served)).to.equal(3);
                // 30 requests of 40 ms, 3 at a time: at least 10 rounds.
                expect(elapsed).to.be.at.least(400);
                expect(limiterFor(`${sandbox.baseUrls.codacy}/api/v3`).stats()).to.deep.include({
                    active: 0,
                    queued: 0,
                    peakConcurrency: 3,
                });
            } finally {
                await sandbox.close();
            }
        });

        it("honours Retry-After on 429: every request to the API waits, and none fails", async () => {
            const sandbox = await startSandbox({
                rateLimit: { requestsPerSecond: 5, burst: 5, services: ["codacy"] },
            });
            try {
                const client = new CodacyClient({
                    apiUrl: `${sandbox.baseUrls.codacy}/api/v3`,
                    apiToken,
                    limits: { maxConcurrency: 4 },
                });
                const repos = Array.from({ length: 24 }, (_, i) => `repo-${String((i % 12) + 1).padStart(3, "0")}`);
                const results = await Promise.all(
                    repos.map((repository) => client.listTokens({ provider: "gh", organization: "acme", repository })),
                );
                expect(results).to.have.length(24);
                const limited = sandbox.requests.filter((r) => r.status === 429);
                expect(limited.length, "the rate limit was hit").to.be.greaterThan(0);
                expect(sandbox.requests.filter((r) => r.status === 200)).to.have.length(24);
                for (const hit of limited) {
                    // Retry-After: 1 (second). Requests already on the wire may land right after the 429;
                    // then nothing until the pause is over.
                    const during = sandbox.requests.filter((r) => r.at > hit.at + 100 && r.at < hit.at + 950);
                    expect(during, `requests during the pause after the 429 at ${hit.at}`).to.deep.equal([]);
                }
                // No storm: each burst of 429s is at most the requests that were in flight (4).
                const bursts: number[][] = [];
                for (const hit of limited) {
                    const last = bursts.at(-1);
                    if (last && hit.at - (last.at(-1) ?? 0) < 100) {
                        last.push(hit.at);
                    } else {
                        bursts.push([hit.at]);
                    }
                }
                expect(Math.max(...bursts.map((b) => b.length))).to.be.at.most(4);
            } finally {
                await sandbox.close();
            }
        });

        it("a harsh limit (no burst): after each pause requests resume one at a time, and none fails", async () => {
            const sandbox = await startSandbox({
                rateLimit: { requestsPerSecond: 5, burst: 1, services: ["codacy"] },
            });
            try {
                const apiUrl = `${sandbox.baseUrls.codacy}/api/v3`;
                const client = new CodacyClient({ apiUrl, apiToken, limits: { maxConcurrency: 4 } });
                const repos = Array.from({ length: 8 }, (_, i) => `repo-${String(i + 1).padStart(3, "0")}`);
                await Promise.all(
                    repos.map((repository) => client.listTokens({ provider: "gh", organization: "acme", repository })),
                );
                expect(sandbox.requests.filter((r) => r.status === 200)).to.have.length(8);
                const stats = limiterFor(apiUrl).stats();
                expect(stats.pauses).to.be.greaterThan(0);
                // Slow start: after the first pause no more than 2 requests ever get a 429 together.
                const firstPauseEnd = (sandbox.requests.find((r) => r.status === 429)?.at ?? 0) + 1000;
                const later = sandbox.requests.filter((r) => r.at > firstPauseEnd);
                const simultaneous429s = later
                    .filter((r) => r.status === 429)
                    .map((r) => later.filter((o) => o.status === 429 && Math.abs(o.at - r.at) < 50).length);
                expect(Math.max(0, ...simultaneous429s)).to.be.at.most(2);
            } finally {
                await sandbox.close();
            }
        });

        it("with maxRequestsPerSecond under the server's rate there is no 429 at all", async () => {
            const sandbox = await startSandbox({
                rateLimit: { requestsPerSecond: 10, burst: 2, services: ["codacy"] },
            });
            try {
                const client = new CodacyClient({
                    apiUrl: `${sandbox.baseUrls.codacy}/api/v3`,
                    apiToken,
                    limits: codacyLimits(contextWith({ "codacy:maxRequestsPerSecond": "8" }).config, {}),
                });
                const repos = Array.from({ length: 12 }, (_, i) => `repo-${String(i + 1).padStart(3, "0")}`);
                await Promise.all(
                    repos.map((repository) => client.listTokens({ provider: "gh", organization: "acme", repository })),
                );
                expect(sandbox.requests.map((r) => r.status)).to.deep.equal(repos.map(() => 200));
            } finally {
                await sandbox.close();
            }
        });

        it("ApiLimiter: retries jump the queue, a pause holds every acquire, the pace spaces starts", async () => {
            const limiter = new ApiLimiter({ maxConcurrency: 1 });
            const first = await limiter.acquire();
            const order: string[] = [];
            const normal = limiter.acquire().then((p) => {
                order.push("normal");
                p.release();
            });
            const retry = limiter.acquire({ urgent: true }).then((p) => {
                order.push("retry");
                p.release();
            });
            first.release();
            await Promise.all([normal, retry]);
            expect(order).to.deep.equal(["retry", "normal"]);

            limiter.pauseFor(150);
            const paused = await limiter.acquire();
            paused.release();
            expect(paused.waitedMs).to.be.at.least(140);
            expect(limiter.stats().pauses).to.equal(1);

            const paced = new ApiLimiter({ maxConcurrency: 10, requestsPerSecond: 20 });
            const started = Date.now();
            const permits = await Promise.all(Array.from({ length: 5 }, () => paced.acquire()));
            for (const permit of permits) {
                permit.release();
            }
            // 5 starts 50 ms apart: the last one 200 ms after the first.
            expect(Date.now() - started).to.be.at.least(190);
            expect(paced.stats().peakConcurrency).to.equal(5);
        });

        it("reads its settings from stack config, then the environment, and rejects nonsense", () => {
            expect(codacyLimits(contextWith({}).config, {})).to.deep.equal({ maxConcurrency: 4 });
            expect(
                codacyLimits(contextWith({ "codacy:maxConcurrency": "8" }).config, {
                    CODACY_MAX_CONCURRENCY: "2",
                    CODACY_MAX_REQUESTS_PER_SECOND: "2.5",
                }),
            ).to.deep.equal({ maxConcurrency: 8, requestsPerSecond: 2.5 });
            expect(() => codacyLimits(contextWith({ "codacy:maxConcurrency": "0" }).config, {}))
                .to.throw(ConfigurationError)
                .with.property("message")
                .that.includes("codacy:maxConcurrency (or CODACY_MAX_CONCURRENCY)");
            expect(() => parseApiLimits({ requestsPerSecond: "fast" }, (s) => s)).to.throw(/requestsPerSecond "fast"/);
        });
    });
});
