// One Codacy repository API token for every repository of an organization (e.g. for coverage uploads).
// The repositories are listed from Codacy on every `preview`/`up`: a new repository gets its token on the next
// `up`, a removed (or excluded) one has its token revoked. `pulumi preview` shows every token to be created.
//
//   pulumi config set codacy:baseUrl https://app.codacy.com      # omit for app.codacy.com
//   pulumi config set --secret codacy:apiToken <account API token>
//   pulumi config set codacyOrganization acme                    # optional, default acme
//   pulumi config set --path 'codacyExclude[0]' 'archive-*'       # optional glob patterns to leave out
//   pulumi up
//   pulumi stack output --show-secrets tokens
import * as pulumi from "@pulumi/pulumi";
import { CodacyOrganizationRepoTokens, type CodacyProvider } from "pulumi-access-tokens";

const config = new pulumi.Config();

const organization = new CodacyOrganizationRepoTokens("codacy", {
    provider: (config.get("codacyProvider") ?? "gh") as CodacyProvider,
    organization: config.get("codacyOrganization") ?? "acme",
    include: config.getObject<string[]>("codacyInclude"),
    exclude: config.getObject<string[]>("codacyExclude"),
});

/** repository → token (secret: `pulumi stack output --show-secrets tokens`). */
export const tokens = organization.tokens;
/** The repositories that have a managed token. */
export const repositories = organization.repositories;
