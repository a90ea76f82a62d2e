// The rate-limit benchmark's program: one managed Codacy repository token for every repository of the
// organization `gh/<organization>` (config, default acme). Throttling comes from stack config
// (`codacy:maxConcurrency`, `codacy:maxRequestsPerSecond`), credentials from codacy:baseUrl / codacy:apiToken.
import * as pulumi from "@pulumi/pulumi";
import { CodacyOrganizationRepoTokens } from "pulumi-access-tokens";

const org = new CodacyOrganizationRepoTokens("org", {
    provider: "gh",
    organization: new pulumi.Config().get("organization") ?? "acme",
});

export const repositoryCount = org.repositories.apply((names) => names.length);
