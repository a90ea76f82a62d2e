/**
 * The sandbox's Codacy and Qovery answers (and the request bodies it accepts) checked against the
 * official spec excerpts in /work/shared/specs, with `$ref`s resolved by ../sandbox/spec.
 */
import { expect } from "chai";
import { type Sandbox, SEED, startSandbox } from "../sandbox";
import {
    type ApiSpec,
    documentedStatuses,
    loadSpec,
    locateSpecsDir,
    namedSchema,
    requestSchema,
    responseSchema,
    SPEC_FILES,
    type Schema,
    validate,
} from "../sandbox/spec";

interface Answer {
    status: number;
    body: unknown;
}

async function send(url: string, method: string, headers: Record<string, string>, json?: unknown): Promise<Answer> {
    const res = await fetch(url, {
        method,
        headers: json === undefined ? headers : { ...headers, "content-type": "application/json" },
        body: json === undefined ? undefined : JSON.stringify(json),
    });
    const text = await res.text();
    return { status: res.status, body: text === "" ? undefined : (JSON.parse(text) as unknown) };
}

function schemaOf(spec: ApiSpec, path: string, method: string, status: number): Schema {
    const schema = responseSchema(spec, path, method, status);
    if (schema === undefined) {
        throw new Error(`${spec.file}: ${method} ${path} ${status} has no body schema`);
    }
    return schema;
}

/** Asserts that the answer's status is documented and its body matches the documented schema. */
function conforms(spec: ApiSpec, path: string, method: string, answer: Answer, strict = false): void {
    expect(documentedStatuses(spec, path, method), `${spec.file} ${method} ${path}`).to.include(answer.status);
    const schema = responseSchema(spec, path, method, answer.status);
    if (schema === undefined) {
        expect(answer.body, `${method} ${path} ${answer.status} must have no body`).to.equal(undefined);
        return;
    }
    const problems = validate(spec, schema, answer.body, { strict });
    expect(problems, `${spec.file} ${method} ${path} ${answer.status}: ${JSON.stringify(answer.body)}`).to.deep.equal(
        [],
    );
}

describe("sandbox vs. the shared API specs", function () {
    this.timeout(10_000);
    let sb: Sandbox;
    let swagger: ApiSpec;
    let v31: ApiSpec;
    let qovery: ApiSpec;
    let qoveryApiTokens: ApiSpec;

    before(async () => {
        // Fails with a message naming every folder it looked in when /work/shared/specs is missing.
        const dir = locateSpecsDir(__dirname);
        swagger = loadSpec(dir, SPEC_FILES.codacySwagger);
        v31 = loadSpec(dir, SPEC_FILES.codacyV31);
        qovery = loadSpec(dir, SPEC_FILES.qovery);
        qoveryApiTokens = loadSpec(dir, SPEC_FILES.qoveryApiTokens);
        sb = await startSandbox({ codacyRepositories: 30 });
    });
    afterEach(() => sb?.reset());
    after(async () => {
        await sb?.close();
    });

    it("the validator resolves $refs and rejects wrong shapes", () => {
        const token = namedSchema(v31, "ApiToken");
        expect(validate(v31, token, { id: 1, token: "t", expiresAt: "2030-01-01T00:00:00Z" })).to.deep.equal([]);
        expect(validate(v31, token, { id: "1" })).to.have.length(2);
        expect(validate(v31, token, { id: 1, token: "t", expiresAt: "soon" })[0]).to.match(/date-time/);
        expect(
            validate(swagger, namedSchema(swagger, "ApiToken"), { id: 1, token: "t", x: 1 }, { strict: true }),
        ).to.deep.equal(["$: undeclared property x"]);
        const unauthorized = namedSchema(v31, "Unauthorized");
        expect(validate(v31, unauthorized, { message: "m", actions: [], error: "Unauthorized" })).to.deep.equal([
            "$: missing required property code",
        ]);
        const gitToken = validate(qovery, namedSchema(qovery, "GitTokenResponse"), { id: "nope" }).join("\n");
        for (const part of ["not a uuid", "created_at", "name", "type", "associated_services_count", "git_api_url"]) {
            expect(gitToken).to.include(part);
        }
    });

    describe("Codacy", () => {
        const reposPath = "/organizations/{provider}/{remoteOrganizationName}/repositories";
        const tokensPath = "/organizations/{provider}/{remoteOrganizationName}/repositories/{repositoryName}/tokens";
        const tokenPath = `${tokensPath}/{tokenId}`;
        const headers = (): Record<string, string> => ({ "api-token": SEED.codacy.apiToken });
        const url = (p: string): string => `${sb.baseUrls.codacy}/api/v3${p}`;

        it("repository lists (GitHub and Bitbucket pages) match RepositoryListResponse", async () => {
            const gh = await send(url("/organizations/gh/acme/repositories?limit=7"), "GET", headers());
            const bb = await send(url("/organizations/bb/acme-bb/repositories?limit=2"), "GET", headers());
            const cursor = (bb.body as { pagination: { cursor: string } }).pagination.cursor;
            const bb2 = await send(
                url(`/organizations/bb/acme-bb/repositories?limit=2&cursor=${encodeURIComponent(cursor)}`),
                "GET",
                headers(),
            );
            for (const answer of [gh, bb, bb2]) {
                expect(answer.status).to.equal(200);
                conforms(swagger, reposPath, "get", answer);
                conforms(v31, reposPath, "get", answer, true);
            }
        });

        it("token create, list and delete match ApiTokenResponse / ApiTokenListResponse", async () => {
            const base = url("/organizations/gh/acme/repositories/repo-003/tokens");
            const plain = await send(base, "POST", headers());
            const expiring = await send(base, "POST", headers(), {
                expiresAt: new Date(sb.clock.now().getTime() + 86_400_000).toISOString(),
            });
            for (const answer of [plain, expiring]) {
                expect(answer.status).to.equal(201);
                conforms(v31, tokensPath, "post", answer, true);
                conforms(swagger, tokensPath, "post", answer);
            }
            conforms(swagger, tokensPath, "post", plain, true);
            const list = await send(base, "GET", headers());
            conforms(v31, tokensPath, "get", list, true);
            conforms(swagger, tokensPath, "get", list);
            const id = (plain.body as { data: { id: number } }).data.id;
            const deleted = await send(`${base}/${id}`, "DELETE", headers());
            expect(deleted.status).to.equal(204);
            conforms(v31, tokenPath, "delete", deleted);
            conforms(swagger, tokenPath, "delete", deleted);
        });

        it("error answers match BadRequest, Unauthorized and NotFound", async () => {
            const unauthorized = await send(url("/organizations/gh/acme/repositories/repo-001/tokens"), "GET", {
                "api-token": "wrong",
            });
            const missingRepo = await send(url("/organizations/gh/acme/repositories/nope/tokens"), "GET", headers());
            const missingToken = await send(
                url("/organizations/gh/acme/repositories/repo-001/tokens/42"),
                "DELETE",
                headers(),
            );
            const badCursor = await send(
                url("/organizations/bb/acme-bb/repositories?cursor=Yms+2/Pg=="),
                "GET",
                headers(),
            );
            expect([unauthorized.status, missingRepo.status, missingToken.status, badCursor.status]).to.deep.equal([
                401, 404, 404, 400,
            ]);
            for (const spec of [swagger, v31]) {
                // The 401 carries `code`, which only v3.1 declares (and requires).
                conforms(spec, tokensPath, "get", unauthorized, spec === v31);
                conforms(spec, tokensPath, "get", missingRepo, true);
                conforms(spec, tokenPath, "delete", missingToken, true);
                conforms(spec, reposPath, "get", badCursor, true);
            }
        });

        it("the create body it accepts uses ApiToken.expiresAt's format (v3.1)", async () => {
            const apiToken = namedSchema(v31, "ApiToken");
            const properties = apiToken.properties as Record<string, Schema>;
            const bodySchema: Schema = { type: "object", properties: { expiresAt: properties.expiresAt } };
            const base = url("/organizations/gh/acme/repositories/repo-004/tokens");
            const future = new Date(sb.clock.now().getTime() + 3_600_000);
            const candidates: unknown[] = [
                undefined,
                {},
                { expiresAt: future.toISOString() },
                { expiresAt: `${future.toISOString().slice(0, 19)}Z` },
                { expiresAt: "2099-13-45" },
                { expiresAt: "next week" },
                { expiresAt: 1234 },
            ];
            for (const body of candidates) {
                const answer = await send(base, "POST", headers(), body);
                const valid = body === undefined || validate(v31, bodySchema, body, { strict: true }).length === 0;
                expect(answer.status, JSON.stringify(body)).to.equal(valid ? 201 : 400);
            }
        });
    });

    describe("Qovery", () => {
        const listPath = "/organization/{organizationId}/gitToken";
        const itemPath = "/organization/{organizationId}/gitToken/{gitTokenId}";
        const servicesPath = "/organization/{organizationId}/gitToken/{gitTokenId}/associatedServices";
        const headers = (): Record<string, string> => ({ Authorization: `Token ${SEED.qovery.apiToken}` });
        const url = (p = ""): string => `${sb.baseUrls.qovery}/organization/${SEED.qovery.organizationId}/gitToken${p}`;

        it("create, list, get, update, services and delete match the documented schemas", async () => {
            const created = await send(url(), "POST", headers(), {
                name: "gl",
                type: "GITLAB",
                token: "sandbox-secret",
                description: "self-hosted",
                git_api_url: "https://gitlab.example.invalid",
            });
            expect(created.status).to.equal(201);
            conforms(qovery, listPath, "post", created, true);
            const bitbucket = await send(url(), "POST", headers(), {
                name: "bb",
                type: "BITBUCKET",
                token: "sandbox-secret",
                workspace: "acme",
            });
            conforms(qovery, listPath, "post", bitbucket, true);
            const id = (created.body as { id: string }).id;
            conforms(qovery, listPath, "get", await send(url(), "GET", headers()), true);
            conforms(qovery, itemPath, "get", await send(url(`/${id}`), "GET", headers()), true);
            const updated = await send(url(`/${id}`), "PUT", headers(), { name: "gl2", type: "GITLAB", token: "new" });
            expect(updated.status).to.equal(200);
            conforms(qovery, itemPath, "put", updated, true);
            sb.qovery.attachService(id);
            const services = await send(url(`/${id}/associatedServices`), "GET", headers());
            expect((services.body as { results: unknown[] }).results).to.have.length(1);
            conforms(qovery, servicesPath, "get", services, true);
            const deleted = await send(url(`/${id}`), "DELETE", headers());
            expect(deleted.status).to.equal(204);
            conforms(qovery, itemPath, "delete", deleted);
            for (const answer of [created, bitbucket, updated]) {
                expect(JSON.stringify(answer.body)).to.not.include("sandbox-secret");
            }
        });

        it("error statuses are documented (except POST's 400, which the excerpt omits)", async () => {
            const unauthorized = await send(url(), "GET", { Authorization: "Token nope" });
            const missing = await send(url("/00000000-0000-4000-8000-000000000000"), "GET", headers());
            const invalidPut = await send(url("/00000000-0000-4000-8000-000000000000"), "PUT", headers(), {});
            expect(documentedStatuses(qovery, listPath, "get")).to.include(unauthorized.status);
            expect(documentedStatuses(qovery, itemPath, "get")).to.include(missing.status);
            expect(documentedStatuses(qovery, itemPath, "put")).to.include(invalidPut.status);
            expect(documentedStatuses(qovery, listPath, "post")).to.not.include(400);
            for (const answer of [unauthorized, missing, invalidPut]) {
                expect(answer.body).to.include({ status: answer.status });
                expect((answer.body as { detail: unknown }).detail).to.be.a("string");
            }
        });

        it("accepts exactly the GitTokenRequest bodies the spec allows (plus BITBUCKET's workspace rule)", async () => {
            const schema = requestSchema(qovery, listPath, "post");
            expect(schema, "POST gitToken documents a JSON request body").to.not.equal(undefined);
            expect(requestSchema(qovery, itemPath, "put")).to.deep.equal(schema);
            const candidates: Array<Record<string, unknown>> = [
                { name: "a", type: "GITHUB", token: "t" },
                { name: "a", type: "GITLAB", token: "t", description: "d", git_api_url: "https://git.example.invalid" },
                { name: "a", type: "BITBUCKET", token: "t", workspace: "w" },
                { name: "a", type: "BITBUCKET", token: "t" },
                { name: "a", type: "GITEA", token: "t" },
                { name: "a", type: "GITHUB" },
                { type: "GITHUB", token: "t" },
                { name: "a", token: "t" },
                { name: 7, type: "GITHUB", token: "t" },
                { name: "a", type: "GITLAB", token: "t", git_api_url: "not a uri" },
            ];
            for (const body of candidates) {
                const schemaOk = validate(qovery, schema as Schema, body, { strict: true }).length === 0;
                const workspaceOk = body.type !== "BITBUCKET" || typeof body.workspace === "string";
                const answer = await send(url(), "POST", headers(), body);
                expect(answer.status, JSON.stringify(body)).to.equal(schemaOk && workspaceOk ? 201 : 400);
                if (answer.status === 201) {
                    conforms(qovery, listPath, "post", answer, true);
                }
            }
        });

        it("a `schema` fault really breaks the documented shape", async () => {
            sb.faults.add({ service: "qovery", kind: "schema" });
            const broken = await send(url(), "GET", headers());
            expect(broken.status).to.equal(200);
            const problems = validate(qovery, schemaOf(qovery, listPath, "get", 200), broken.body, { strict: true });
            expect(problems).to.not.deep.equal([]);
        });
    });

    describe("Qovery organization API tokens", () => {
        const listPath = "/organization/{organizationId}/apiToken";
        const itemPath = "/organization/{organizationId}/apiToken/{apiTokenId}";
        const roles = SEED.qovery.roles;
        const headers = (token: string = SEED.qovery.apiToken): Record<string, string> => ({
            Authorization: `Token ${token}`,
        });
        const url = (p = ""): string => `${sb.baseUrls.qovery}/organization/${SEED.qovery.organizationId}/apiToken${p}`;

        it("create, list and delete match the documented schemas; the value is answered by the create only", async () => {
            const created = await send(url(), "POST", headers(), {
                name: "ci",
                description: "deploys",
                role_id: roles.devops.id,
            });
            expect(created.status).to.equal(201);
            conforms(qoveryApiTokens, listPath, "post", created, true);
            const { id, token } = created.body as { id: string; token: string };
            expect(token).to.be.a("string").that.is.not.empty;
            const bare = await send(url(), "POST", headers(), { name: "bare", role_id: roles.viewer.id });
            conforms(qoveryApiTokens, listPath, "post", bare, true);
            const list = await send(url(), "GET", headers());
            conforms(qoveryApiTokens, listPath, "get", list, true);
            expect((list.body as { results: unknown[] }).results).to.have.length(2);
            expect(JSON.stringify(list.body)).to.not.include(token);
            const filtered = await send(url("?name=bare"), "GET", headers());
            conforms(qoveryApiTokens, listPath, "get", filtered, true);
            expect((filtered.body as { results: { name: string }[] }).results.map((t) => t.name)).to.deep.equal([
                "bare",
            ]);
            const deleted = await send(url(`/${id}`), "DELETE", headers());
            expect(deleted.status).to.equal(204);
            conforms(qoveryApiTokens, itemPath, "delete", deleted);
        });

        it("error statuses are documented: 400, 401, 403 (a Viewer's token), 404 and 409 (a taken name)", async () => {
            const viewer = await send(url(), "POST", headers(), { name: "viewer", role_id: roles.viewer.id });
            const viewerToken = (viewer.body as { token: string }).token;
            const answers = {
                unauthorized: await send(url(), "GET", headers("nope")),
                forbidden: await send(url(), "POST", headers(viewerToken), { name: "x", role_id: roles.viewer.id }),
                readByViewer: await send(url(), "GET", headers(viewerToken)),
                missing: await send(url("/00000000-0000-4000-8000-000000000000"), "DELETE", headers()),
                taken: await send(url(), "POST", headers(), { name: "viewer", role_id: roles.admin.id }),
                invalid: await send(url(), "POST", headers(), { name: "y" }),
            };
            expect(Object.fromEntries(Object.entries(answers).map(([k, a]) => [k, a.status]))).to.deep.equal({
                unauthorized: 401,
                forbidden: 403,
                readByViewer: 200,
                missing: 404,
                taken: 409,
                invalid: 400,
            });
            expect(documentedStatuses(qoveryApiTokens, listPath, "get")).to.include.members([401, 200]);
            expect(documentedStatuses(qoveryApiTokens, listPath, "post")).to.include.members([400, 403, 409]);
            expect(documentedStatuses(qoveryApiTokens, itemPath, "delete")).to.include(404);
            for (const answer of [answers.unauthorized, answers.forbidden, answers.missing, answers.taken]) {
                expect(answer.body).to.include({ status: answer.status });
                expect((answer.body as { detail: unknown }).detail).to.be.a("string");
            }
        });

        it("accepts exactly the OrganizationApiTokenCreateRequest bodies the spec allows (plus an existing role)", async () => {
            const schema = requestSchema(qoveryApiTokens, listPath, "post");
            expect(schema, "POST apiToken documents a JSON request body").to.not.equal(undefined);
            const candidates: Array<Record<string, unknown>> = [
                { name: "a1", role_id: roles.admin.id },
                { name: "a2", role_id: roles.devops.id, description: "d" },
                { name: "a3", role_id: null, scope: "ADMIN" },
                { name: "a4", role_id: roles.viewer.id, scope: null },
                { name: "b1" },
                { role_id: roles.admin.id },
                { name: "b3", role_id: "Admin" },
                { name: "b4", role_id: roles.admin.id, scope: "OWNER" },
                { name: 7, role_id: roles.admin.id },
                { name: "b6", role_id: roles.admin.id, description: 3 },
                { name: "b7", role_id: roles.admin.id, roleId: roles.admin.id },
            ];
            for (const body of candidates) {
                const schemaOk = validate(qoveryApiTokens, schema as Schema, body, { strict: true }).length === 0;
                const answer = await send(url(), "POST", headers(), body);
                expect(answer.status, JSON.stringify(body)).to.equal(schemaOk ? 201 : 400);
                if (answer.status === 201) {
                    conforms(qoveryApiTokens, listPath, "post", answer, true);
                }
            }
            const unknownRole = await send(url(), "POST", headers(), {
                name: "c1",
                role_id: "00000000-0000-4000-8000-0000000000ff",
            });
            expect(unknownRole.status, "a role the organization does not have").to.equal(400);
        });

        it("a `schema` fault really breaks the documented shape", async () => {
            sb.faults.add({ service: "qovery", kind: "schema" });
            const broken = await send(url(), "GET", headers());
            expect(broken.status).to.equal(200);
            const problems = validate(qoveryApiTokens, schemaOf(qoveryApiTokens, listPath, "get", 200), broken.body, {
                strict: true,
            });
            expect(problems).to.not.deep.equal([]);
        });
    });
});
