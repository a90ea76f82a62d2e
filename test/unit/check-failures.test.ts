// Check failures reach the engine, which prints "property P value V has a problem: R" with V the input's value
// in clear, secret or not. Failures about a credential-bearing input must therefore name no property.
import { expect } from "chai";
import { z } from "zod";
import { codacyTokenInputsSchema } from "../../provider/codacy/inputs";
import { giteaTokenInputsSchema } from "../../provider/gitea/inputs";
import { groupTokenInputsSchema, projectTokenInputsSchema } from "../../provider/gitlab/inputs";
import { GitLabTokenLifecycle } from "../../provider/gitlab/lifecycle";
import { CREDENTIAL_INPUTS, withoutValueIfSensitive } from "../../provider/lifecycle";
import { qoveryApiTokenInputsSchema, qoveryTokenInputsSchema } from "../../provider/qovery/inputs";
import { QoveryTokenLifecycle } from "../../provider/qovery/lifecycle";
import { contextWith } from "../support/context";

const SCHEMAS: Record<string, z.ZodObject> = {
    ProjectAccessToken: projectTokenInputsSchema,
    GroupAccessToken: groupTokenInputsSchema,
    GiteaToken: giteaTokenInputsSchema,
    CodacyRepoToken: codacyTokenInputsSchema,
    QoveryGitToken: qoveryTokenInputsSchema,
    QoveryApiToken: qoveryApiTokenInputsSchema,
};

const PLANTED = "glpat-planted-credential-0123456789";

describe("check failures never let the engine print a credential", () => {
    const sample = z.strictObject({ name: z.string(), connection: z.object({}), token: z.string() });

    for (const [kind, schema] of Object.entries(SCHEMAS)) {
        it(`${kind}: every input whose name says it holds a credential is a credential-bearing input`, () => {
            const suspicious = Object.keys(schema.shape).filter((key) =>
                /token$|password|secret|credential|key$|connection/i.test(key),
            );
            for (const key of suspicious) {
                expect(CREDENTIAL_INPUTS.has(key), `${kind}.${key}`).to.equal(true);
            }
            expect(Object.keys(schema.shape)).to.include("connection");
        });
    }

    it("a failure about `connection` names no property and keeps the field in its reason", () => {
        const failure = withoutValueIfSensitive({ property: "connection", reason: "must be https" }, sample);
        expect(failure).to.deep.equal({ property: "", reason: "connection: must be https" });
        const nested = withoutValueIfSensitive({ property: "connection", reason: "baseUrl: must be a URL" }, sample);
        expect(nested).to.deep.equal({ property: "", reason: "connection.baseUrl: must be a URL" });
    });

    it("a reason that already names the field is kept as it is", () => {
        const reason = 'Missing gitlab setting "token": … or the resource\'s `connection.token` input.';
        expect(withoutValueIfSensitive({ property: "connection", reason }, sample)).to.deep.equal({
            property: "",
            reason,
        });
    });

    it("a failure about an unknown input (a misspelt `connection` holds credentials too) names no property", () => {
        const failure = withoutValueIfSensitive(
            { property: "conection", reason: 'unknown property "conection"' },
            sample,
        );
        expect(failure.property).to.equal("");
        expect(failure.reason).to.include("conection");
    });

    it("a failure about an ordinary input still names it, so the engine shows the offending value", () => {
        const failure = { property: "name", reason: "name must not be empty" };
        expect(withoutValueIfSensitive(failure, sample)).to.deep.equal(failure);
    });

    it("GitLab: an http:// connection with a planted token fails with the reason only, no property", async () => {
        const lifecycle = new GitLabTokenLifecycle("project", contextWith({}));
        const result = await lifecycle.check(
            {},
            {
                project: "acme/web",
                name: "ci",
                scopes: ["read_api"],
                connection: { baseUrl: "http://gitlab.internal.example", token: PLANTED },
            },
        );
        expect(result.failures).to.have.length(1);
        expect(result.failures![0]!.property).to.equal("");
        expect(result.failures![0]!.reason).to.match(/Refusing gitlab baseUrl http:\/\/gitlab\.internal.*connection\./);
        expect(JSON.stringify(result.failures)).to.not.include(PLANTED);
    });

    it("Qovery: a bad git token input fails naming `token` in the reason only", async () => {
        const lifecycle = new QoveryTokenLifecycle(contextWith({ "qovery:apiToken": "x" }));
        const result = await lifecycle.check(
            {},
            {
                organizationId: "8d2e1c4a-3b5f-4e6d-9a7b-1c2d3e4f5a6b",
                name: "gitlab-ci",
                type: "GITLAB",
                token: "",
            },
        );
        const failure = result.failures?.find((f) => f.reason.includes("token"));
        expect(failure, JSON.stringify(result.failures)).to.not.equal(undefined);
        expect(failure!.property).to.equal("");
    });
});
