// Failures through the real engine: a delete never reports "deleted" on an auxiliary call's 404 (Qovery's usage
// look-up), and a full outage of one service (connection refused) fails `refresh`, `up` and `destroy` for that
// service's resources only, with one clear message each, the state of those resources unchanged, the other
// services' resources reconciled, and the next run after the outage completing.
import { execFileSync } from "node:child_process";
import * as net from "node:net";
import { expect } from "chai";
import { SEED, type Sandbox, startSandbox } from "../sandbox";
import { changes, createTestWorkspace, programDir, type TestWorkspace } from "./harness";

const STEP_TIMEOUT = 5 * 60 * 1000;
const QOVERY = ["qovery-a", "qovery-b"];

/** A TCP relay in front of the sandbox: `stop()` makes its port refuse connections, `start()` opens it again. */
class Relay {
    private server: net.Server | undefined;
    private readonly sockets = new Set<net.Socket>();
    port = 0;

    constructor(private readonly targetPort: number) {}

    async start(): Promise<void> {
        const server = net.createServer((client) => {
            const upstream = net.connect(this.targetPort, "127.0.0.1");
            for (const socket of [client, upstream]) {
                this.sockets.add(socket);
                socket.on("close", () => this.sockets.delete(socket));
                socket.on("error", () => {
                    client.destroy();
                    upstream.destroy();
                });
            }
            client.pipe(upstream).pipe(client);
        });
        await new Promise<void>((resolve, reject) => {
            server.once("error", reject);
            server.listen(this.port, "127.0.0.1", () => resolve());
        });
        this.port = (server.address() as net.AddressInfo).port;
        this.server = server;
    }

    /** Closes the port and every open connection (kept-alive ones too): from now on, connection refused. */
    async stop(): Promise<void> {
        const server = this.server;
        this.server = undefined;
        for (const socket of this.sockets) {
            socket.destroy();
        }
        await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    }
}

interface StateResource {
    urn: string;
    type: string;
    id?: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
}

describe("e2e: deletes and outages through the real engine", function () {
    this.timeout(STEP_TIMEOUT);
    let sandbox: Sandbox;
    let relay: Relay;
    let ws: TestWorkspace;

    function resources(qoveryDescription: string): unknown[] {
        return [
            { kind: "GiteaToken", name: "gitea", args: { name: "ci", scopes: ["read:repository"] } },
            {
                kind: "CodacyRepoToken",
                name: "codacy",
                args: { provider: "gh", organization: "acme", repository: "repo-001" },
            },
            ...QOVERY.map((name) => ({
                kind: "QoveryGitToken",
                name,
                args: {
                    organizationId: SEED.qovery.organizationId,
                    name,
                    type: "GITLAB",
                    token: "git-provider-token",
                    description: qoveryDescription,
                },
            })),
        ];
    }

    async function configure(qoveryDescription: string): Promise<void> {
        await ws.stack.setConfig("resources", { value: JSON.stringify(resources(qoveryDescription)) });
    }

    /** Runs the CLI itself (the Automation API's export decrypts secrets; this one is compared, not shown). */
    function pulumi(...args: string[]): string {
        return execFileSync("pulumi", [...args, "--stack", ws.stack.name], {
            cwd: programDir("tokens"),
            env: { ...process.env, ...ws.env },
            encoding: "utf8",
            maxBuffer: 64 * 1024 * 1024,
        });
    }

    /** The state's token resources by name. */
    function stateResources(): Record<string, StateResource> {
        // Decrypted: each export encrypts secrets afresh, so ciphertexts never compare equal.
        const state = JSON.parse(pulumi("stack", "export", "--show-secrets")) as {
            deployment: { resources?: StateResource[] };
        };
        return Object.fromEntries(
            (state.deployment.resources ?? [])
                .filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/"))
                .map((r) => [r.urn.split("::").pop() ?? "", r]),
        );
    }

    /** What the state says of the git tokens: id, inputs, outputs (not the engine's bookkeeping). */
    function qoveryInState(): Record<string, Pick<StateResource, "id" | "inputs" | "outputs">> {
        const all = stateResources();
        return Object.fromEntries(
            QOVERY.map((name) => {
                const { id, inputs, outputs } = all[name]!;
                return [name, { id, inputs, outputs }];
            }),
        );
    }

    function liveIds(service: "gitea" | "codacy" | "qovery"): string[] {
        return sandbox
            .liveTokens(service)
            .map((token) => token.id)
            .sort();
    }

    /** Runs a command that must fail, and returns its whole output. */
    async function failing(run: () => Promise<unknown>): Promise<string> {
        try {
            await run();
        } catch (e: unknown) {
            return String(e);
        }
        throw new Error("expected the command to fail");
    }

    /** The engine's diagnostics: each failed resource's message once (not the progress lines). */
    function diagnosticsOf(output: string, name: string): string[] {
        const section = output.slice(output.lastIndexOf("Diagnostics:"));
        const block = section
            .split(/\n(?= {2}\S)/)
            .find((part) => part.includes(`::${name}`) || part.includes(`(${name})`));
        return (block ?? "").split("\n").filter((line) => /Qovery .* failed/.test(line));
    }

    /** One message per git token in the engine's diagnostics: the operation, the cause and what to do. */
    function expectOneClearMessagePerQoveryResource(
        output: string,
        operation: RegExp,
        cause = "ECONNREFUSED",
        whatToDo = "reachable",
    ): void {
        for (const name of QOVERY) {
            const lines = diagnosticsOf(output, name);
            expect(lines, `${name}: ${output}`).to.have.length(1);
            expect(lines[0]).to.match(operation).and.include(cause).and.include(whatToDo);
        }
        expect(output).to.not.include(SEED.qovery.apiToken);
    }

    before(async function () {
        this.timeout(40 * 60 * 1000); // a cold cache builds the engine first
        sandbox = await startSandbox();
        relay = new Relay(Number(new URL(sandbox.baseUrls.qovery).port));
        await relay.start();
        ws = await createTestWorkspace(programDir("tokens"), {
            envVars: {
                GITEA_BASE_URL: sandbox.baseUrls.gitea,
                GITEA_USERNAME: SEED.gitea.users.bob.username,
                GITEA_PASSWORD: SEED.gitea.users.bob.password,
            },
            config: {
                "codacy:baseUrl": { value: sandbox.baseUrls.codacy },
                "codacy:apiToken": { value: SEED.codacy.apiToken, secret: true },
                "qovery:baseUrl": { value: `http://127.0.0.1:${relay.port}/qovery` },
                "qovery:apiToken": { value: SEED.qovery.apiToken, secret: true },
            },
        });
        await configure("v1");
    });

    after(async () => {
        await ws?.dispose();
        await relay?.stop();
        await sandbox?.close();
    });

    describe("all services up", () => {
        it("up creates the tokens of three services", async () => {
            const result = await ws.stack.up();
            expect(changes(result.summary.resourceChanges)).to.deep.equal({ create: 5 });
            expect(liveIds("qovery")).to.have.length(2);
            expect(liveIds("gitea")).to.have.length(1);
        });

        it("destroy with Qovery's usage look-up answering 404: the git tokens stay, in state and on Qovery", async () => {
            const before = qoveryInState();
            sandbox.faults.add({
                service: "qovery",
                method: "GET",
                path: /\/associatedServices$/,
                kind: "status",
                status: 404,
                times: -1,
            });
            const output = await failing(() => ws.stack.destroy({ continueOnError: true }));
            sandbox.faults.clear();
            for (const name of QOVERY) {
                const lines = diagnosticsOf(output, name);
                expect(lines, `${name}: ${output}`).to.have.length(1);
                expect(lines[0])
                    .to.include("HTTP 404")
                    .and.include("still exists")
                    .and.include("allowDeleteWhileInUse");
            }
            expect(qoveryInState(), "the state keeps the git tokens").to.deep.equal(before);
            expect(liveIds("qovery"), "and so does Qovery").to.deep.equal(
                QOVERY.map((name) => before[name]!.id!).sort(),
            );
            // The others were deleted; the next up brings them back and leaves the git tokens as they are.
            expect(liveIds("gitea")).to.deep.equal([]);
            const healed = await ws.stack.up();
            expect(changes(healed.summary.resourceChanges)).to.deep.equal({ create: 2 });
            expect(qoveryInState()).to.deep.equal(before);
        });
    });

    describe("Qovery down (connection refused)", () => {
        let qoveryBefore: ReturnType<typeof qoveryInState>;

        before(async () => {
            qoveryBefore = qoveryInState();
            await relay.stop();
        });

        it("refresh fails for each git token with one clear message; their state is unchanged; Codacy drift is seen", async () => {
            const codacyId = stateResources().codacy!.id!;
            sandbox.codacy.deleteToken(Number(codacyId));
            const output = await failing(() => ws.stack.refresh());
            expectOneClearMessagePerQoveryResource(output, /Qovery read git token failed/);
            expect(qoveryInState()).to.deep.equal(qoveryBefore);
            expect(
                Object.keys(stateResources()).sort(),
                "the Codacy token deleted out of band left the state",
            ).to.deep.equal(["gitea", ...QOVERY].sort());
        });

        it("up fails for each git token; the other services' resources reconcile", async () => {
            // An in-place update of both git tokens, and a replacement of the Gitea token (a new name).
            await ws.stack.setConfig("resources", {
                value: JSON.stringify(
                    resources("v2").map((r) =>
                        (r as { name: string }).name === "gitea"
                            ? { kind: "GiteaToken", name: "gitea", args: { name: "ci-2", scopes: ["read:repository"] } }
                            : r,
                    ),
                ),
            });
            const giteaBefore = liveIds("gitea");
            const output = await failing(() => ws.stack.up({ continueOnError: true }));
            expectOneClearMessagePerQoveryResource(output, /Qovery update git token failed/);
            expect(qoveryInState()).to.deep.equal(qoveryBefore);
            // Gitea replaced (new name), Codacy's deleted token recreated.
            const giteaAfter = liveIds("gitea");
            expect(giteaAfter).to.have.length(1).and.not.deep.equal(giteaBefore);
            expect(stateResources().gitea!.id).to.equal(giteaAfter[0]);
            const codacy = stateResources().codacy!;
            expect(liveIds("codacy")).to.include(codacy.id);
        });

        it("destroy fails for each git token and keeps them; the others are deleted", async () => {
            const output = await failing(() => ws.stack.destroy({ continueOnError: true }));
            expectOneClearMessagePerQoveryResource(output, /Qovery (list services using|delete) git token/);
            expect(qoveryInState()).to.deep.equal(qoveryBefore);
            expect(Object.keys(stateResources()).sort()).to.deep.equal(QOVERY);
            expect(liveIds("gitea")).to.deep.equal([]);
            expect(liveIds("codacy")).to.deep.equal([]);
        });

        after(async () => {
            await relay.start(); // the same port: the outage is over
        });
    });

    describe("Qovery answering 503 to every request", () => {
        it("refresh fails for each git token naming HTTP 503; their state is unchanged", async () => {
            const before = qoveryInState();
            sandbox.faults.add({ service: "qovery", kind: "status", status: 503, times: -1 });
            let output: string;
            try {
                output = await failing(() => ws.stack.refresh());
            } finally {
                sandbox.faults.clear();
            }
            expectOneClearMessagePerQoveryResource(output, /Qovery read git token failed/, "HTTP 503", "again later");
            expect(qoveryInState()).to.deep.equal(before);
        });
    });

    describe("Qovery back", () => {
        it("after the outage, up completes and destroy leaves nothing live", async () => {
            const up = await ws.stack.up();
            expect(up.summary.result).to.equal("succeeded");
            for (const name of QOVERY) {
                const token = sandbox.qovery.findToken(stateResources()[name]!.id!);
                // What was declared, followed by the resource's ownership mark.
                expect(token?.description, name).to.match(/^v2 \[pulumi-owner:[0-9a-f]{16}\]$/);
            }
            const destroyed = await ws.stack.destroy();
            expect(destroyed.summary.result).to.equal("succeeded");
            expect(liveIds("qovery")).to.deep.equal([]);
            expect(liveIds("gitea")).to.deep.equal([]);
            expect(liveIds("codacy")).to.deep.equal([]);
        });
    });
});
