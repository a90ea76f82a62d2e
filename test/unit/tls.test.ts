// HTTPS: plain http:// only to loopback unless explicitly allowed, and private CAs through `caCertificate`
// (stack config or `connection`), proven against the sandbox served over TLS with throw-away certificates made
// here with openssl (a CA and leaf certificates for 127.0.0.1/localhost, valid one day).
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tls from "node:tls";
import { expect } from "chai";
import { CodacyTokenLifecycle } from "../../provider/codacy/lifecycle";
import { apiUrlFor } from "../../provider/config";
import { GiteaTokenLifecycle } from "../../provider/gitea/lifecycle";
import { GitLabClient } from "../../provider/gitlab/client";
import { GitLabTokenLifecycle } from "../../provider/gitlab/lifecycle";
import { ApiError, ConfigurationError, certificateHint, type ServiceName } from "../../provider/http";
import type { PlainObject } from "../../provider/lifecycle";
import { QoveryTokenLifecycle } from "../../provider/qovery/lifecycle";
import type { ProviderContext, TokenLifecycle } from "../../provider/types";
import { SEED, type Sandbox, startSandbox } from "../sandbox";
import { caught, contextWith } from "../support/context";

const HTTP: NonNullable<ProviderContext["http"]> = { timeoutMs: 2_000, retry: { baseDelayMs: 5, maxDelayMs: 50 } };

interface Pki {
    dir: string;
    caCert: string;
    /** Signed by the CA, for 127.0.0.1 and localhost. */
    leaf: { key: string; cert: string };
    /** Its own issuer, for 127.0.0.1 and localhost. */
    selfSigned: { key: string; cert: string };
    /** Signed by the CA, for gitlab.example.com only. */
    otherName: { key: string; cert: string };
    /** Signed by the CA, for 127.0.0.1, already expired. */
    expired: { key: string; cert: string };
}

function openssl(dir: string, args: string[]): void {
    execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

function makePki(): Pki {
    try {
        execFileSync("openssl", ["version"], { stdio: "ignore" });
    } catch {
        throw new Error("these tests need the openssl command (Debian: the openssl package) on PATH");
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pat-tls-"));
    const read = (file: string) => fs.readFileSync(path.join(dir, file), "utf8");
    openssl(dir, [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-subj",
        "/CN=pulumi-access-tokens throw-away test CA",
        "-days",
        "1",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    const signed = (name: string, san: string, days: string) => {
        fs.writeFileSync(path.join(dir, `${name}.ext`), `subjectAltName=${san}\nbasicConstraints=CA:FALSE\n`);
        openssl(dir, [
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            `${name}.key`,
            "-out",
            `${name}.csr`,
            "-subj",
            "/CN=localhost",
        ]);
        openssl(dir, [
            "x509",
            "-req",
            "-in",
            `${name}.csr`,
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-set_serial",
            String(Math.floor(Math.random() * 1e9)),
            "-days",
            days,
            "-extfile",
            `${name}.ext`,
            "-out",
            `${name}.pem`,
        ]);
        return { key: read(`${name}.key`), cert: read(`${name}.pem`) };
    };
    const leaf = signed("leaf", "IP:127.0.0.1,DNS:localhost", "1");
    const otherName = signed("other", "DNS:gitlab.example.com", "1");
    // `-days -1` ends the validity before it starts: an expired certificate.
    const expired = signed("expired", "IP:127.0.0.1,DNS:localhost", "-1");
    openssl(dir, [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "self.key",
        "-out",
        "self.pem",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=IP:127.0.0.1,DNS:localhost",
        "-days",
        "1",
    ]);
    return {
        dir,
        caCert: read("ca.pem"),
        leaf,
        otherName,
        expired,
        selfSigned: { key: read("self.key"), cert: read("self.pem") },
    };
}

interface Subject {
    service: ServiceName;
    lifecycle(ctx: ProviderContext): TokenLifecycle;
    config(sb: Sandbox): Record<string, string>;
    inputs: PlainObject;
}

const SUBJECTS: Subject[] = [
    {
        service: "gitlab",
        lifecycle: (ctx) => new GitLabTokenLifecycle("project", ctx),
        config: (sb) => ({ "gitlab:baseUrl": sb.baseUrls.gitlab, "gitlab:token": SEED.gitlab.tokens.maintainer }),
        inputs: { project: "acme/web", name: "ci", scopes: ["read_api"] },
    },
    {
        service: "gitea",
        lifecycle: (ctx) => new GiteaTokenLifecycle(ctx),
        config: (sb) => ({
            "gitea:baseUrl": sb.baseUrls.gitea,
            "gitea:username": SEED.gitea.users.bob.username,
            "gitea:password": SEED.gitea.users.bob.password,
        }),
        inputs: { name: "ci", scopes: ["read:repository"] },
    },
    {
        service: "codacy",
        lifecycle: (ctx) => new CodacyTokenLifecycle(ctx),
        config: (sb) => ({ "codacy:baseUrl": sb.baseUrls.codacy, "codacy:apiToken": SEED.codacy.apiToken }),
        inputs: { provider: "gh", organization: "acme", repository: "repo-001" },
    },
    {
        service: "qovery",
        lifecycle: (ctx) => new QoveryTokenLifecycle(ctx),
        config: (sb) => ({ "qovery:baseUrl": sb.baseUrls.qovery, "qovery:apiToken": SEED.qovery.apiToken }),
        inputs: { organizationId: SEED.qovery.organizationId, name: "gitlab-ci", type: "GITLAB", token: "t0ken-value" },
    },
];

async function createWith(subject: Subject, config: Record<string, string>, inputs: PlainObject): Promise<string> {
    const lifecycle = subject.lifecycle({ ...contextWith(config), http: HTTP });
    const checked = await lifecycle.check({}, inputs);
    expect(checked.failures ?? []).to.deep.equal([]);
    const created = await lifecycle.create(checked.inputs as PlainObject);
    await lifecycle.delete(created.id, created.outs as PlainObject);
    return created.id;
}

describe("TLS", () => {
    describe("HTTPS to anything but loopback", () => {
        it("refuses http:// to another host unless explicitly allowed, in check and before any request", async () => {
            expect(() => apiUrlFor("gitlab", "http://gitlab.example.com")).to.throw(
                ConfigurationError,
                /http:\/\/.*gitlab:allowInsecureHttp=true.*connection\.allowInsecureHttp/,
            );
            expect(() => apiUrlFor("qovery", "http://10.0.0.5:8080")).to.throw(ConfigurationError);
            expect(() => apiUrlFor("gitea", "http://gitea.local")).to.throw(ConfigurationError);
            expect(apiUrlFor("gitlab", "https://gitlab.example.com")).to.equal("https://gitlab.example.com/api/v4");
            for (const loopback of [
                "http://127.0.0.1:8080",
                "http://localhost:3000",
                "http://[::1]:3000",
                "http://127.1.2.3",
            ]) {
                expect(() => apiUrlFor("gitea", loopback), loopback).to.not.throw();
            }
            expect(apiUrlFor("gitlab", "http://gitlab.example.com", true)).to.equal("http://gitlab.example.com/api/v4");

            const remote = { "gitlab:baseUrl": "http://gitlab.example.com", "gitlab:token": "x-credential" };
            const inputs = { project: "acme/web", name: "ci", scopes: ["read_api"] };
            const refused = await new GitLabTokenLifecycle("project", contextWith(remote)).check({}, inputs);
            expect(refused.failures?.[0]?.property).to.equal(""); // about `connection`: the engine must not print its value
            expect(refused.failures?.[0]?.reason).to.match(/baseUrl http:\/\/gitlab\.example\.com.*allowInsecureHttp/);
            const optedIn = new GitLabTokenLifecycle(
                "project",
                contextWith({ ...remote, "gitlab:allowInsecureHttp": "true" }),
            );
            expect((await optedIn.check({}, inputs)).failures ?? []).to.deep.equal([]);
            const perResource = await new GitLabTokenLifecycle("project", contextWith(remote)).check(
                {},
                { ...inputs, connection: { allowInsecureHttp: true } },
            );
            expect(perResource.failures ?? []).to.deep.equal([]);
        });

        it("never follows a redirect to another scheme or host (checked in http.test.ts) and keeps https roots", () => {
            // A `caCertificate` adds to Node's trust store; it does not replace the public roots.
            const client = new GitLabClient({
                apiUrl: "https://gitlab.example.com/api/v4",
                token: "x-credential",
                caCertificate: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
            });
            const http = (
                client as unknown as { http: { http: { defaults: { httpsAgent?: { options: { ca?: unknown } } } } } }
            ).http.http;
            const ca = http.defaults.httpsAgent?.options.ca;
            expect(ca)
                .to.be.an("array")
                .with.length(tls.rootCertificates.length + 1);
            expect((ca as string[]).slice(0, -1)).to.deep.equal([...tls.rootCertificates]);
        });
    });

    describe("custom CA against the sandbox over HTTPS", function () {
        this.timeout(60_000);
        let pki: Pki;
        let sandbox: Sandbox;

        before(async () => {
            pki = makePki();
            sandbox = await startSandbox({ tls: pki.leaf });
            expect(sandbox.url).to.match(/^https:\/\/127\.0\.0\.1:/);
        });
        after(async () => {
            await sandbox?.close();
            if (pki) {
                fs.rmSync(pki.dir, { recursive: true, force: true });
            }
        });
        beforeEach(() => sandbox.reset());

        for (const subject of SUBJECTS) {
            it(`${subject.service}: without the CA a call fails with a TLS error naming ${subject.service}:caCertificate and NODE_EXTRA_CA_CERTS`, async () => {
                const error = await caught(() => createWith(subject, subject.config(sandbox), subject.inputs));
                expect(error, error.message).to.be.instanceOf(ApiError);
                const e = error as ApiError;
                expect(e.networkCause).to.match(/^UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
                expect(e.message)
                    .to.include(`${subject.service}:caCertificate`)
                    .and.include("connection.caCertificate")
                    .and.include("NODE_EXTRA_CA_CERTS")
                    .and.include("127.0.0.1");
                expect(sandbox.requests, "the handshake failed: nothing reached the service").to.deep.equal([]);
            });

            it(`${subject.service}: with stack config ${subject.service}:caCertificate it works`, async () => {
                const config = { ...subject.config(sandbox), [`${subject.service}:caCertificate`]: pki.caCert };
                await createWith(subject, config, subject.inputs);
                expect(sandbox.requests.some((r) => r.method === "POST" && r.status < 300)).to.equal(true);
            });

            it(`${subject.service}: with connection.caCertificate it works`, async () => {
                await createWith(subject, subject.config(sandbox), {
                    ...subject.inputs,
                    connection: { caCertificate: pki.caCert },
                });
                expect(sandbox.requests.some((r) => r.method === "POST" && r.status < 300)).to.equal(true);
            });
        }

        it("a trusted CA bundle does not make a certificate for another host acceptable", async () => {
            const other = await startSandbox({ tls: pki.otherName });
            try {
                const gitlab = SUBJECTS[0]!;
                const config = {
                    ...gitlab.config(other),
                    "gitlab:caCertificate": pki.caCert,
                };
                const error = (await caught(() => createWith(gitlab, config, gitlab.inputs))) as ApiError;
                expect(error.networkCause).to.match(/^ERR_TLS_CERT_ALTNAME_INVALID/);
                expect(error.message).to.include("does not name this host").and.include("gitlab:baseUrl");
                expect(other.requests).to.deep.equal([]);
            } finally {
                await other.close();
            }
        });

        it("an expired certificate is refused with advice to renew it (trusting a CA would not help)", async () => {
            const expired = await startSandbox({ tls: pki.expired });
            try {
                const gitlab = SUBJECTS[0]!;
                const config = { ...gitlab.config(expired), "gitlab:caCertificate": pki.caCert };
                const error = (await caught(() => createWith(gitlab, config, gitlab.inputs))) as ApiError;
                expect(error.networkCause).to.match(/^CERT_HAS_EXPIRED/);
                expect(error.message).to.include("has expired").and.include("Renew");
            } finally {
                await expired.close();
            }
        });

        it("a self-signed server certificate: refused by default, trusted when given as caCertificate", async () => {
            const selfSigned = await startSandbox({ tls: pki.selfSigned });
            try {
                const gitlab = SUBJECTS[0]!;
                const refused = (await caught(() =>
                    createWith(gitlab, gitlab.config(selfSigned), gitlab.inputs),
                )) as ApiError;
                expect(refused.networkCause).to.match(/^DEPTH_ZERO_SELF_SIGNED_CERT/);
                expect(refused.message).to.include("is self-signed").and.include("gitlab:caCertificate");
                await createWith(gitlab, gitlab.config(selfSigned), {
                    ...gitlab.inputs,
                    connection: { caCertificate: pki.selfSigned.cert },
                });
            } finally {
                await selfSigned.close();
            }
        });

        it("a TLS failure is not retried and the message carries no credential", async () => {
            const gitlab = SUBJECTS[0]!;
            const started = Date.now();
            const error = await caught(() => createWith(gitlab, gitlab.config(sandbox), gitlab.inputs));
            expect(Date.now() - started).to.be.below(1_500);
            expect(error.message).to.not.include(SEED.gitlab.tokens.maintainer);
        });
    });

    it("has a hint for each certificate error code, naming what to change", () => {
        const trust = [
            "SELF_SIGNED_CERT_IN_CHAIN",
            "DEPTH_ZERO_SELF_SIGNED_CERT",
            "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
            "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
        ];
        for (const code of trust) {
            expect(certificateHint(code, "codacy", "https://codacy.internal/api/v3"), code)
                .to.include("codacy:caCertificate")
                .and.include("NODE_EXTRA_CA_CERTS")
                .and.include("codacy.internal");
        }
        expect(certificateHint("CERT_HAS_EXPIRED", "gitea", "https://git.internal/api/v1")).to.include("Renew");
        expect(certificateHint("ERR_TLS_CERT_ALTNAME_INVALID", "gitea", "https://git.internal/api/v1")).to.include(
            "gitea:baseUrl",
        );
        expect(certificateHint("ECONNREFUSED", "gitea", "https://git.internal/api/v1")).to.equal(undefined);
    });
});
