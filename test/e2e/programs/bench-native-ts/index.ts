// The benchmarks' token program (as bench-tokens) through the native plugin: each token is a custom resource of
// the plugin's type (`accesstokens:<service>:<Kind>`), which is all a class of a generated SDK does. The plugin
// (pulumi-resource-accesstokens) is found on PATH. Nothing is exported.
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";

interface Spec {
    kind: string;
    name: string;
    args: Record<string, unknown>;
}

const SERVICE_OF: Record<string, string> = {
    ProjectAccessToken: "gitlab",
    GroupAccessToken: "gitlab",
    GiteaToken: "gitea",
    CodacyRepoToken: "codacy",
    QoveryGitToken: "qovery",
};

/** A resource of one of the plugin's types, as a generated SDK's class is. */
class NativeToken extends pulumi.CustomResource {
    constructor(kind: string, name: string, args: Record<string, unknown>) {
        super(`accesstokens:${SERVICE_OF[kind]}:${kind}`, name, args, { additionalSecretOutputs: ["token"] });
    }
}

const file = process.env.BENCH_TOKENS_FILE;
const specs: Spec[] = file ? JSON.parse(fs.readFileSync(file, "utf8")) : [];
for (const spec of specs) {
    new NativeToken(spec.kind, spec.name, spec.args);
}
