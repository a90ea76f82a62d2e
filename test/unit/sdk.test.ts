import * as path from "node:path";
import { EventEmitter } from "node:events";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { z } from "zod";
import { OWNER_INPUT, ownerMarkOf } from "../../provider/ownership";
import { withSecretOutputs } from "../../sdk/common";
import { dynamicProviderFor } from "../../sdk/dynamicProvider";
import type { ResourceKind } from "../../provider/types";

const KINDS: ResourceKind[] = [
    "ProjectAccessToken",
    "GroupAccessToken",
    "GiteaToken",
    "CodacyRepoToken",
    "QoveryGitToken",
    "QoveryApiToken",
];

describe("SDK resource classes", () => {
    const registered: pulumi.runtime.MockResourceArgs[] = [];

    before(() => {
        pulumi.runtime.setMocks(
            {
                newResource: (args) => {
                    registered.push(args);
                    return { id: `${args.name}-id`, state: args.inputs };
                },
                call: () => {
                    throw new Error("no calls expected");
                },
            },
            "project",
            "stack",
            false,
        );
    });

    it("serializes each dynamic provider small and free of credentials", async () => {
        process.env.GITLAB_TOKEN = "env-credential-must-not-leak";
        try {
            for (const kind of KINDS) {
                const provider = dynamicProviderFor(kind);
                const serialized = await pulumi.runtime.serializeFunction(() => provider);
                expect(serialized.text.length, kind).to.be.below(50_000);
                expect(serialized.text).to.not.include("env-credential-must-not-leak");
                expect(serialized.text).to.include(`"${kind}"`);
            }
        } finally {
            delete process.env.GITLAB_TOKEN;
        }
    });

    it("registers typed URNs and stores token values and credentials as secrets", async () => {
        const sdk = await import("../../sdk");
        const project = new sdk.ProjectAccessToken("p", {
            project: "acme/web",
            name: "ci",
            scopes: ["read_api"],
            connection: { token: "credential-in-input" },
        });
        new sdk.GroupAccessToken("g", { group: 11, name: "ci", scopes: ["api"] });
        new sdk.GiteaToken("t", { name: "ci", scopes: ["read:user"] });
        new sdk.CodacyRepoToken("c", { provider: "gh", organization: "acme", repository: "web" });
        const qovery = new sdk.QoveryGitToken("q", {
            organizationId: "00000000-0000-4000-8000-00000000a001",
            name: "ci",
            type: "GITLAB",
            token: project.token,
        });
        const apiToken = new sdk.QoveryApiToken("qa", {
            organizationId: "00000000-0000-4000-8000-00000000a001",
            name: "ci-deploy",
            roleId: "00000000-0000-4000-8000-00000000b003",
        });
        await new Promise<void>((resolve) => qovery.urn.apply(() => resolve()));
        await new Promise<void>((resolve) => apiToken.urn.apply(() => resolve()));
        const types = registered.map((r) => r.type);
        expect(types).to.include.members([
            "pulumi-nodejs:dynamic/gitlab:ProjectAccessToken",
            "pulumi-nodejs:dynamic/gitlab:GroupAccessToken",
            "pulumi-nodejs:dynamic/gitea:GiteaToken",
            "pulumi-nodejs:dynamic/codacy:CodacyRepoToken",
            "pulumi-nodejs:dynamic/qovery:QoveryGitToken",
            "pulumi-nodejs:dynamic/qovery:QoveryApiToken",
        ]);
        const registeredApiToken = registered.find((r) => r.type === "pulumi-nodejs:dynamic/qovery:QoveryApiToken");
        expect(registeredApiToken?.inputs[OWNER_INPUT], "the API token carries its ownership mark").to.be.a("string");
    });

    it("gives each GitLab, Gitea and Qovery resource the ownership mark of its own URN, parent included", async () => {
        const sdk = await import("../../sdk");
        const component = new pulumi.ComponentResource("acme:x:Group", "grp");
        const token = new sdk.GiteaToken("owned", { name: "ci", scopes: ["read:user"] }, { parent: component });
        const plain = new sdk.ProjectAccessToken("owned", { project: 1, name: "ci", scopes: ["api"] });
        const urns = await Promise.all(
            [token, plain].map((r) => new Promise<string>((resolve) => r.urn.apply((urn) => resolve(urn)))),
        );
        const marks = urns.map((urn) => registered.find((r) => r.inputs[OWNER_INPUT] === ownerMarkOf(urn)));
        expect(marks[0]?.type, urns[0]).to.equal("pulumi-nodejs:dynamic/gitea:GiteaToken");
        expect(marks[1]?.type, urns[1]).to.equal("pulumi-nodejs:dynamic/gitlab:ProjectAccessToken");
        expect(ownerMarkOf(urns[0]!)).to.not.equal(ownerMarkOf(urns[1]!));
        for (const r of registered) {
            const marked = r.type !== "pulumi-nodejs:dynamic/codacy:CodacyRepoToken" && r.type.includes(":dynamic/");
            expect(r.inputs[OWNER_INPUT] !== undefined, r.type).to.equal(marked);
        }
    });

    it("asks the engine to encrypt the token output, keeping the user's own secret outputs", () => {
        expect(withSecretOutputs(undefined, ["token"]).additionalSecretOutputs).to.deep.equal(["token"]);
        const merged = withSecretOutputs({ protect: true, additionalSecretOutputs: ["name", "token"] }, ["token"]);
        expect(merged).to.deep.include({ protect: true });
        expect(merged.additionalSecretOutputs).to.deep.equal(["name", "token"]);
    });

    it("registers without passing the traces recorded on each property's promises through the program's formatter", async () => {
        const sdk = await import("../../sdk");
        // What ts-node's source-map-support installs: a formatter that maps every frame (here it only says who asked).
        const askedBy: string[] = [];
        const programFormatter = (error: Error, frames: NodeJS.CallSite[]): string => {
            askedBy.push(frames[0]?.getFunctionName() ?? "");
            return `${error}\n    at (mapped)`;
        };
        const formatterBefore = Error.prepareStackTrace;
        Error.prepareStackTrace = programFormatter;
        try {
            // Control: a plain dynamic resource has @pulumi/pulumi format a trace per promise, recorded by the
            // function TokenResource recognizes (fails if a version of @pulumi/pulumi renames it).
            class Plain extends pulumi.dynamic.Resource {}
            new Plain({ create: async () => ({ id: "x" }) }, "plain", { a: "x" }, undefined, "t", "T");
            expect(askedBy).to.include("debuggablePromise");
            askedBy.length = 0;
            new sdk.GiteaToken("traced", { name: "ci", scopes: ["read:user"] });
            new sdk.ProjectAccessToken("traced", { project: "acme/web", name: "ci", scopes: ["read_api"] });
            expect(askedBy).to.not.include("debuggablePromise");
            // The resource's own source position (kept in the state) still goes through the program's formatter.
            expect(askedBy.length).to.be.above(0);
            expect(Error.prepareStackTrace).to.equal(programFormatter);
            // Restored when the registration throws, too (an empty name is refused by @pulumi/pulumi).
            expect(() => new sdk.GiteaToken("", { name: "ci", scopes: ["read:user"] })).to.throw();
            expect(Error.prepareStackTrace).to.equal(programFormatter);
        } finally {
            Error.prepareStackTrace = formatterBefore;
        }
    });

    it("records the program's line as a token's source position, and only the program's frames in its trace", async () => {
        const sdk = await import("../../sdk");
        // @pulumi/pulumi's private Resource.stackTrace gives the position and trace the state keeps.
        type Frame = { uri: string; line: number } | undefined;
        const resourceClass = pulumi.Resource as unknown as { stackTrace: (skip: number) => Frame[] };
        const original = resourceClass.stackTrace;
        const recorded: Frame[][] = [];
        resourceClass.stackTrace = (skip: number) => {
            const trace = original.call(pulumi.Resource, skip + 1); // + this spy's own frame
            recorded.push(trace);
            return trace;
        };
        const sdkDir = `${path.dirname(require.resolve("../../sdk/tokenResource"))}/`;
        const fromSdk = (trace: Frame[]) => trace.filter((f) => f && fileURLToPath(f.uri).startsWith(sdkDir));
        const thisFile = pathToFileURL(__filename).toString();
        // Declares through Node's own code (an event) and another package's (a zod transform), as a program's
        // library or callback would: such frames are below the declaring line in the trace.
        const declareThrough = (declare: () => void) => {
            const events = new EventEmitter();
            events.on("declare", () =>
                z
                    .string()
                    .transform(() => declare())
                    .parse("now"),
            );
            events.emit("declare");
        };
        const fromZod = (trace: Frame[]) => trace.filter((f) => f?.uri.includes("/node_modules/zod/"));
        try {
            // Control: a plain dynamic resource's position is its own class's constructor, here in this file, and
            // its trace holds Node's own frames (empty ones), as well as zod's.
            class Plain extends pulumi.dynamic.Resource {}
            declareThrough(
                () => new Plain({ create: async () => ({ id: "x" }) }, "plain-position", {}, undefined, "t", "T"),
            );
            expect(recorded).to.have.length(1);
            expect(recorded[0]?.[0]?.uri).to.equal(thisFile);
            expect(recorded[0]).to.include(undefined);
            expect(fromZod(recorded[0] ?? [])).to.not.deep.equal([]);
            recorded.length = 0;
            let declaredAt = "";
            // A named function: @pulumi/pulumi reads no position from an anonymous frame ("at file:line:column").
            declareThrough(function declareTokens() {
                declaredAt = new Error().stack?.split("\n")[1] ?? ""; // the line just below declares the tokens
                new sdk.ProjectAccessToken("positioned", { project: "acme/web", name: "ci", scopes: ["read_api"] });
                new sdk.CodacyRepoToken("positioned", { provider: "gh", organization: "acme", repository: "web" });
            });
            expect(recorded).to.have.length(2);
            recorded.forEach((trace, i) => {
                expect(trace[0]?.uri).to.equal(thisFile);
                expect(declaredAt).to.include(`:${(trace[0]?.line ?? 0) - 1 - i}:`);
                expect(fromSdk(trace)).to.deep.equal([]);
                // The program's frames only: Node's own go, another package's (as a user's library) stay.
                expect(trace).to.not.include(undefined);
                expect(fromZod(trace)).to.not.deep.equal([]);
            });
        } finally {
            resourceClass.stackTrace = original;
        }
    });
});
