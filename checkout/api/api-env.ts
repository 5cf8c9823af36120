import type { PassClaims } from '../../admission/admission-pass.js';
import type { Hold } from '../../inventory/inventory-api.js';

/** Per-request values the shared middleware sets for the handlers after it. */
export interface ApiEnv {
  Variables: {
    requestId: string;
    /** Set by passAuth: the verified admission pass. */
    pass: PassClaims;
    /** Set by passAuth with a rate limit: holds this pass has released (admission/pass-holder.ts). */
    passReleases?: number;
    /** Set at checkout when the fan named their account (x-usher-account): its user id. */
    accountUserId?: string;
    /** Set by the hold routes' pass check: the read of the hold in the path, started with it (hold-routes.ts). */
    holdRead?: Promise<Hold | null>;
    /** Set by defaultBodyLimit: the limit of routes that declare none. */
    bodyLimitBytes?: number;
  };
}
