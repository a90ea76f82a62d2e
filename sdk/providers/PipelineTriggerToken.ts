// This module's exports ARE the provider object (see ProjectAccessToken.ts): its path is stored in users' states.
import { dynamicProviderFor } from "../dynamicProvider";

export = dynamicProviderFor("PipelineTriggerToken");
