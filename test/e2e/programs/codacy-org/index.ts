// Every repository of a Codacy organization gets one managed token. Config: `organization` (default acme),
// `exclude` (JSON list of globs, optional). Credentials come from codacy:baseUrl / codacy:apiToken.
import * as pulumi from "@pulumi/pulumi";
import { CodacyOrganizationRepoTokens } from "pulumi-access-tokens";

const config = new pulumi.Config();
const org = new CodacyOrganizationRepoTokens("acme", {
    provider: "gh",
    organization: config.get("organization") ?? "acme",
    exclude: config.getObject<string[]>("exclude") ?? [],
});

/** repository → token value (secret). */
export const tokens = org.tokens;
/** repository → Codacy token id. */
export const tokenIds = org.tokenIds;
export const repositoryCount = org.repositories.apply((names) => names.length);
