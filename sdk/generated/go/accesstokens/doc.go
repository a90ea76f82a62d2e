// GitLab, Gitea, Codacy and Qovery access tokens as declared, reconciled Pulumi state (the native plugin of pulumi-access-tokens).
package accesstokens
