// A program driven by config, so one stack can be taken through every lifecycle step: `resources` is a JSON
// list of { kind, name, args }; an argument written "$ref:<name>.<output>" is that resource's output, one
// written "$id:<name>" that resource's service id as a string, one written "$secret:<key>" the project's secret
// config value <key> (how credentials reach a `connection`
// input without ever being written in clear).
import * as pulumi from "@pulumi/pulumi";
import * as tokens from "pulumi-access-tokens";

interface Spec {
    kind: Kind;
    name: string;
    args: Record<string, unknown>;
}
type AnyToken = pulumi.CustomResource & Record<string, pulumi.Output<unknown>>;
type Constructor = new (name: string, args: unknown) => AnyToken;

const constructors = {
    ProjectAccessToken: tokens.ProjectAccessToken as unknown as Constructor,
    GroupAccessToken: tokens.GroupAccessToken as unknown as Constructor,
    GiteaToken: tokens.GiteaToken as unknown as Constructor,
    CodacyRepoToken: tokens.CodacyRepoToken as unknown as Constructor,
    QoveryGitToken: tokens.QoveryGitToken as unknown as Constructor,
    PersonalAccessToken: tokens.PersonalAccessToken as unknown as Constructor,
    QoveryApiToken: tokens.QoveryApiToken as unknown as Constructor,
    DeployToken: tokens.DeployToken as unknown as Constructor,
    PipelineTriggerToken: tokens.PipelineTriggerToken as unknown as Constructor,
};
type Kind = keyof typeof constructors;

const config = new pulumi.Config();
const specs: Spec[] = JSON.parse(config.get("resources") ?? "[]");
const made: Record<string, AnyToken> = {};

function resolve(value: unknown): unknown {
    if (typeof value === "string" && value.startsWith("$ref:")) {
        const [name, output] = value.slice(5).split(".");
        const target = made[name ?? ""];
        if (!target || !output) {
            throw new Error(`unknown reference ${value}`);
        }
        return target[output];
    }
    if (typeof value === "string" && value.startsWith("$id:")) {
        // The service id as a string, e.g. a rotationTrigger that follows another token's replacement.
        const target = made[value.slice(4)];
        if (!target) {
            throw new Error(`unknown reference ${value}`);
        }
        return (target.tokenId ?? target.gitTokenId ?? target.apiTokenId)?.apply(String);
    }
    if (typeof value === "string" && value.startsWith("$secret:")) {
        return config.requireSecret(value.slice(8));
    }
    if (Array.isArray(value)) {
        return value.map(resolve);
    }
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
    }
    return value;
}

for (const spec of specs) {
    made[spec.name] = new constructors[spec.kind](spec.name, resolve(spec.args));
}

/** name → the service's id of the token (Qovery: the git token or API token id). */
export const ids = Object.fromEntries(
    Object.entries(made).map(([name, r]) => [
        name,
        (r.tokenId ?? r.gitTokenId ?? r.apiTokenId) as pulumi.Output<unknown>,
    ]),
);
/** name → token value, for the kinds that have one (a secret). */
export const values = Object.fromEntries(
    Object.entries(made)
        .filter(([, r]) => r.token !== undefined && !(r instanceof tokens.QoveryGitToken))
        .map(([name, r]) => [name, r.token]),
);
