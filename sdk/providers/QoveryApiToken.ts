// This module's exports ARE the provider object. When the package is installed under node_modules, Pulumi
// then stores `require("pulumi-access-tokens/dist/sdk/providers/QoveryApiToken.js")` in each resource's state
// instead of the provider's code (see sdk/dynamicProvider.ts).
import { dynamicProviderFor } from "../dynamicProvider";

export = dynamicProviderFor("QoveryApiToken");
