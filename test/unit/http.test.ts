import * as http from "node:http";
import type { AddressInfo } from "node:net";
import axios from "axios";
import { expect } from "chai";
import { z } from "zod";
import {
    ApiError,
    backoffDelayMs,
    collectPages,
    DEFAULT_RETRY_POLICY,
    HttpClient,
    parseLinkHeader,
    redact,
    serverRequestedDelayMs,
} from "../../provider/http";
import { caught } from "../support/context";

describe("HTTP layer", () => {
    describe("backoff", () => {
        it("honours Retry-After in seconds and as an HTTP date, then GitLab's RateLimit-Reset", () => {
            const now = Date.parse("2026-11-23T12:00:00Z");
            expect(serverRequestedDelayMs({ "retry-after": "3" }, now)).to.equal(3000);
            expect(serverRequestedDelayMs({ "retry-after": "Mon, 23 Nov 2026 12:00:05 GMT" }, now)).to.equal(5000);
            expect(serverRequestedDelayMs({ "ratelimit-reset": String(now / 1000 + 7) }, now)).to.equal(7000);
            expect(serverRequestedDelayMs({}, now)).to.equal(undefined);
        });

        it("grows exponentially with full jitter, capped", () => {
            const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000 };
            expect(backoffDelayMs(1, policy, {}, 0, () => 0.999)).to.be.within(90, 100);
            expect(backoffDelayMs(3, policy, {}, 0, () => 0.999)).to.be.within(390, 400);
            expect(backoffDelayMs(10, policy, {}, 0, () => 0.999)).to.be.within(990, 1000);
            expect(backoffDelayMs(1, policy, { "retry-after": "2" }, 0, () => 0)).to.equal(2000);
        });
    });

    it("parses Link headers", () => {
        const links = parseLinkHeader('<https://x/api?page=2>; rel="next", <https://x/api?page=9>; rel="last"');
        expect(links).to.deep.equal({ next: "https://x/api?page=2", last: "https://x/api?page=9" });
    });

    it("collects pages and stops on a repeated cursor", async () => {
        const pages: Record<string, { items: number[]; next: string | undefined }> = {
            start: { items: [1, 2], next: "a" },
            a: { items: [3], next: "b" },
            b: { items: [4], next: "a" },
        };
        const all = await collectPages<number, string>(async (cursor) => pages[cursor ?? "start"]!);
        expect(all).to.deep.equal([1, 2, 3, 4]);
    });

    it("redacts secrets", () => {
        expect(redact("token abcdef123 leaked, abcdef123 again", ["abcdef123"])).to.equal(
            "token [redacted] leaked, [redacted] again",
        );
        expect(redact("short ab", ["ab"])).to.equal("short ab");
    });

    describe("client against a local server", () => {
        let server: http.Server;
        let baseUrl: string;
        let handler: (req: http.IncomingMessage, res: http.ServerResponse) => void;
        const seenHeaders: http.IncomingHttpHeaders[] = [];

        before(async () => {
            server = http.createServer((req, res) => {
                seenHeaders.push(req.headers);
                handler(req, res);
            });
            await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
            baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        });
        after(() => new Promise<void>((resolve) => server.close(() => resolve())));

        function client(timeoutMs = 2000) {
            return new HttpClient({
                service: "gitlab",
                apiUrl: baseUrl,
                authHeaders: { "PRIVATE-TOKEN": "super-secret-credential" },
                timeoutMs,
                retry: { baseDelayMs: 10, maxDelayMs: 50 },
                extractMessage: (body) => (body as { message?: string } | undefined)?.message,
            });
        }

        it("retries 503 then parses the body with the schema", async () => {
            let calls = 0;
            handler = (_req, res) => {
                calls++;
                res.writeHead(calls < 3 ? 503 : 200, { "content-type": "application/json" });
                res.end(calls < 3 ? "{}" : '{"id": 7}');
            };
            const response = await client().request({
                operation: "get",
                method: "GET",
                path: "/x",
                schema: z.object({ id: z.number() }),
            });
            expect(response.data.id).to.equal(7);
            expect(calls).to.equal(3);
            expect(seenHeaders.at(-1)?.["private-token"]).to.equal("super-secret-credential");
        });

        it("shares one axios instance among clients of the same API root and credential, each sending its own", async () => {
            handler = (_req, res) => {
                res.writeHead(204);
                res.end();
            };
            const created: unknown[] = [];
            const create = axios.create;
            axios.create = ((config) => {
                created.push(config);
                return create(config);
            }) as typeof axios.create;
            const apiUrl = `${baseUrl}/shared-${process.hrtime.bigint()}`;
            const as = (token: string) =>
                new HttpClient({
                    service: "gitlab",
                    apiUrl,
                    authHeaders: { "PRIVATE-TOKEN": token },
                    extractMessage: () => undefined,
                });
            let clients: HttpClient[];
            try {
                clients = [as("credential-a"), as("credential-b"), as("credential-a")];
            } finally {
                axios.create = create;
            }
            expect(created).to.have.length(2);
            seenHeaders.length = 0;
            for (const each of clients) {
                await each.request({ operation: "delete", method: "DELETE", path: "/x" });
            }
            expect(seenHeaders.map((headers) => headers["private-token"])).to.deep.equal([
                "credential-a",
                "credential-b",
                "credential-a",
            ]);
        });

        it("does not retry a POST after a 500 and marks it ambiguous", async () => {
            let calls = 0;
            handler = (_req, res) => {
                calls++;
                res.writeHead(500, { "content-type": "application/json" });
                res.end('{"message":"boom super-secret-credential"}');
            };
            const error = (await caught(() =>
                client().request({ operation: "create", method: "POST", path: "/x", body: {} }),
            )) as ApiError;
            expect(calls).to.equal(1);
            expect(error.ambiguous).to.equal(true);
            expect(error.message)
                .to.include("HTTP 500")
                .and.include("boom [redacted]")
                .and.not.include("super-secret-credential");
        });

        it("turns a timeout into a clean error that carries no header or axios internals", async () => {
            handler = () => {
                // Never answer.
            };
            const error = await caught(() => client(200).request({ operation: "read", method: "GET", path: "/slow" }));
            expect(error).to.be.instanceOf(ApiError);
            expect(error.message).to.include("ETIMEDOUT").and.not.include("super-secret-credential");
            expect(JSON.stringify(error)).to.not.include("super-secret-credential");
            expect(error.stack ?? "").to.not.include("axios");
        });

        it("refuses to follow redirects (they could carry the credential elsewhere)", async () => {
            handler = (_req, res) => {
                res.writeHead(302, { location: "http://example.invalid/" });
                res.end();
            };
            const error = await caught(() => client().request({ operation: "read", method: "GET", path: "/r" }));
            expect(error.message).to.include("HTTP 302").and.include("redirect");
        });
    });
});
