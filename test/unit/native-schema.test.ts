import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { z } from "zod";
import { NATIVE_KINDS } from "../../provider/native/kinds";
import { LANGUAGES, packageSchema, type SchemaProperty } from "../../provider/native/schema";
import { unwrapSecrets, wrapSecrets } from "../../provider/native/server";
import { NATIVE_SETTINGS, stackConfigOf } from "../../provider/native/settings";

const SECRET = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };

interface ResourceSpec {
    inputProperties: Record<string, SchemaProperty>;
    requiredInputs: string[];
    properties: Record<string, SchemaProperty>;
}

/** An input zod refuses whatever its value (`never`, optional or not). */
function acceptsNothing(schema: z.ZodType): boolean {
    let current: z.ZodType = schema;
    while (current instanceof z.ZodOptional) {
        current = current.unwrap() as z.ZodType;
    }
    return current instanceof z.ZodNever;
}

/** The string values a zod schema accepts when it is an enum (through optional wrappers), else undefined. */
function enumValues(schema: z.ZodType): string[] | undefined {
    let current: z.ZodType = schema;
    while (current instanceof z.ZodOptional) {
        current = current.unwrap() as z.ZodType;
    }
    return current instanceof z.ZodEnum ? (current.options as string[]) : undefined;
}

describe("native provider: the package schema agrees with the zod input schemas", () => {
    const schema = packageSchema("1.2.3");

    it("has one resource per kind, under accesstokens:<service>:<Kind>", () => {
        expect(Object.keys(schema.resources).sort()).to.deep.equal(
            [
                "accesstokens:codacy:CodacyRepoToken",
                "accesstokens:gitea:GiteaToken",
                "accesstokens:gitlab:GroupAccessToken",
                "accesstokens:gitlab:PersonalAccessToken",
                "accesstokens:gitlab:DeployToken",
                "accesstokens:gitlab:PipelineTriggerToken",
                "accesstokens:qovery:QoveryApiToken",
                "accesstokens:gitlab:ProjectAccessToken",
                "accesstokens:qovery:QoveryGitToken",
            ].sort(),
        );
        // Every kind the package implements is served by the plugin too.
        const dynamicKinds = fs
            .readdirSync(path.join(__dirname, "..", "..", "sdk", "providers"))
            .filter((file) => file.endsWith(".js"))
            .map((file) => path.basename(file, ".js"));
        expect(NATIVE_KINDS.map((kind) => kind.kind).sort()).to.deep.equal(dynamicKinds.sort());
        expect(schema.name).to.equal("accesstokens");
        expect(schema.version).to.equal("1.2.3");
    });

    for (const kind of NATIVE_KINDS) {
        describe(kind.token, () => {
            const resource = () => schema.resources[kind.token] as ResourceSpec;
            const shape = kind.inputs.shape as Record<string, z.ZodType>;

            it("declares exactly the properties zod accepts, each described", () => {
                const accepted = Object.keys(shape).filter((name) => !acceptsNothing(shape[name]!));
                expect(Object.keys(resource().inputProperties).sort()).to.deep.equal(accepted.sort());
                for (const [name, property] of Object.entries(resource().inputProperties)) {
                    expect(property.description, `${name} has a description`).to.be.a("string").and.not.equal("");
                }
            });

            it("requires exactly what zod requires", () => {
                const required = Object.entries(shape)
                    .filter(([, field]) => !field.safeParse(undefined).success)
                    .map(([name]) => name);
                expect([...resource().requiredInputs].sort()).to.deep.equal(required.sort());
            });

            it("lists the enum values zod allows", () => {
                for (const [name, field] of Object.entries(shape)) {
                    const values = enumValues(field);
                    if (!values) {
                        continue;
                    }
                    const ref = resource().inputProperties[name]?.$ref ?? "";
                    const type = schema.types[ref.replace("#/types/", "")] as { enum?: { value: string }[] };
                    expect(
                        type?.enum?.map((e) => e.value),
                        name,
                    ).to.deep.equal(values);
                }
            });

            it("marks credentials and token values secret, and names replacing inputs that exist", () => {
                expect(resource().inputProperties.connection?.secret).to.equal(true);
                expect(resource().properties.token?.secret ?? kind.secretInputs.includes("token")).to.equal(true);
                for (const name of [...kind.secretInputs, ...kind.replaceOnChanges]) {
                    expect(Object.keys(shape), name).to.include(name);
                }
            });
        });
    }

    it("declares one config key per setting of the dynamic resources, credentials secret", () => {
        const variables = schema.config.variables;
        expect(variables.gitlabToken).to.include({ type: "string", secret: true });
        expect(variables.giteaPassword).to.include({ secret: true });
        expect(variables.giteaUsername?.secret).to.equal(undefined);
        expect(variables.codacyMaxRequestsPerSecond).to.include({ type: "integer" });
        expect(variables.qoveryAllowInsecureHttp).to.include({ type: "boolean" });
        expect(Object.keys(variables)).to.have.length(NATIVE_SETTINGS.length);
        expect(schema.provider.inputProperties).to.deep.equal(variables);
    });
});

describe("native provider: what the SDK generators read (sdk/generated/schema.json)", () => {
    /** The repository root, from test/unit or the compiled dist/test/unit. */
    function repoRoot(): string {
        let dir = __dirname;
        while (!fs.existsSync(path.join(dir, "scripts", "gen-sdks"))) {
            expect(path.dirname(dir), "repository root").to.not.equal(dir);
            dir = path.dirname(dir);
        }
        return dir;
    }
    const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot(), "package.json"), "utf8")) as {
        name: string;
        version: string;
    };

    it("names packages apart from the hand-written one, each versioned as the schema is", () => {
        const schema = packageSchema(manifest.version);
        expect(schema.language).to.deep.equal(LANGUAGES);
        expect(LANGUAGES.nodejs.packageName).to.not.equal(manifest.name);
        expect(LANGUAGES.nodejs.respectSchemaVersion).to.equal(true); // else the Node SDK asks for plugin ${VERSION}
        expect(LANGUAGES.python.respectSchemaVersion).to.equal(true);
        expect(LANGUAGES.csharp.respectSchemaVersion).to.equal(true); // else pulumi-plugin.json names no version
        expect(LANGUAGES.csharp.rootNamespace).to.not.equal("Pulumi"); // Pulumi's own namespace
        expect(LANGUAGES.go.importBasePath.endsWith(`/${schema.name}`)).to.equal(true);
    });

    it("the committed schema is the one the plugin serves for this package version (else: npm run gen-sdks)", () => {
        const committed: unknown = JSON.parse(
            fs.readFileSync(path.join(repoRoot(), "sdk", "generated", "schema.json"), "utf8"),
        );
        expect(committed).to.deep.equal(JSON.parse(JSON.stringify(packageSchema(manifest.version))));
    });
});

describe("native provider: configuration and secrets", () => {
    it("hands `accesstokens:gitlabToken` to the lifecycles as `gitlab:token`", () => {
        const config = stackConfigOf({
            gitlabToken: "t",
            codacyMaxRequestsPerSecond: 5,
            qoveryAllowInsecureHttp: true,
        });
        expect(config.get("gitlab:token")).to.equal("t");
        expect(config.get("codacy:maxRequestsPerSecond")).to.equal("5");
        expect(config.get("qovery:allowInsecureHttp")).to.equal("true");
        expect(config.get("gitea:password")).to.equal(undefined);
        expect(config.get("gitlabToken")).to.equal(undefined);
    });

    it("unwraps secret values for the lifecycles and wraps the named outputs again", () => {
        const received = {
            name: "ci",
            connection: { ...SECRET, value: { token: "t" } },
            list: [{ ...SECRET, value: 1 }],
        };
        expect(unwrapSecrets(received)).to.deep.equal({ name: "ci", connection: { token: "t" }, list: [1] });
        const wrapped = wrapSecrets({ token: "v", name: "ci", gone: undefined }, ["token", "connection"]);
        expect(wrapped).to.deep.equal({ token: { ...SECRET, value: "v" }, name: "ci" });
        // Already secret stays as it is (not wrapped twice).
        expect(wrapSecrets({ token: { ...SECRET, value: "v" } }, ["token"])).to.deep.equal({
            token: { ...SECRET, value: "v" },
        });
    });
});
