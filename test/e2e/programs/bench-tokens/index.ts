// The benchmarks' token program: the JSON file named by BENCH_TOKENS_FILE lists the tokens to declare as
// { kind, name, args }. A file rather than stack config: the engine copies all stack config into the default
// provider's state entry, which would grow with the list and blur the state-size figures. Nothing is exported.
import * as fs from "node:fs";
import type * as pulumi from "@pulumi/pulumi";
import * as tokens from "pulumi-access-tokens";

type Kind = "ProjectAccessToken" | "GroupAccessToken" | "GiteaToken" | "CodacyRepoToken" | "QoveryGitToken";
interface Spec {
    kind: Kind;
    name: string;
    args: Record<string, unknown>;
}
type Constructor = new (name: string, args: unknown) => pulumi.CustomResource;

const constructors: Record<Kind, Constructor> = {
    ProjectAccessToken: tokens.ProjectAccessToken as unknown as Constructor,
    GroupAccessToken: tokens.GroupAccessToken as unknown as Constructor,
    GiteaToken: tokens.GiteaToken as unknown as Constructor,
    CodacyRepoToken: tokens.CodacyRepoToken as unknown as Constructor,
    QoveryGitToken: tokens.QoveryGitToken as unknown as Constructor,
};

const file = process.env.BENCH_TOKENS_FILE;
const specs: Spec[] = file ? JSON.parse(fs.readFileSync(file, "utf8")) : [];
for (const spec of specs) {
    new constructors[spec.kind](spec.name, spec.args);
}
