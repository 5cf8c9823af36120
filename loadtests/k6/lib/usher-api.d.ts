// Generated from usher-api.js by loadtests/onsale/fixture-declarations.ts. Do not edit.
/** @typedef {keyof typeof routes} RouteName */
/**
 * The concrete path of a route: each `:name` replaced by its (URI-encoded) parameter.
 * @param {RouteName} name
 * @param {Record<string, string>} [params]
 * @returns {string}
 */
export function pathOf(name: RouteName, params?: Record<string, string>): string;
/**
 * Client frames of the waiting-room socket.
 * @param {string} token visitor token
 * @param {string} [nonce] proof of work, when the sale asks for it
 */
export function joinMessage(token: string, nonce?: string): string;
export function takeMessage(): string;
/**
 * Picks from weighted choices with `r` in [0, 1).
 * @template T
 * @param {ReadonlyArray<readonly [T, number]>} choices
 * @param {number} r
 * @returns {T}
 */
export function weighted<T>(choices: ReadonlyArray<readonly [T, number]>, r: number): T;
/**
 * A best-available hold body.
 * @param {{ tierCode?: string, sectionId?: string, quantity: number, together?: boolean }} want
 * @returns {HoldBody}
 */
export function bestHoldBody(want: {
    tierCode?: string;
    sectionId?: string;
    quantity: number;
    together?: boolean;
}): HoldBody;
/**
 * An explicit-seats hold body.
 * @param {number[]} seatIds
 * @returns {HoldBody}
 */
export function seatsHoldBody(seatIds: number[]): HoldBody;
/**
 * The checkout body: the buyer's e-mail (loopback-only test addresses).
 * @param {string} who a unique label of the fan
 */
export function checkoutBody(who: string): {
    email: string;
};
/**
 * The catalog search path (GET /v1/events with a query string).
 * @param {number} i which search
 */
export function searchPath(i: number): string;
export namespace routes {
    namespace visitor {
        let server: "edge";
        let method: "POST";
        let path: "/v1/visitors";
    }
    namespace queueSocket {
        let server_1: "edge";
        export { server_1 as server };
        let method_1: "GET";
        export { method_1 as method };
        let path_1: "/v1/sales/:sale/ws";
        export { path_1 as path };
    }
    namespace queueStatus {
        let server_2: "edge";
        export { server_2 as server };
        let method_2: "GET";
        export { method_2 as method };
        let path_2: "/v1/sales/:sale/status";
        export { path_2 as path };
    }
    namespace queueJoin {
        let server_3: "edge";
        export { server_3 as server };
        let method_3: "POST";
        export { method_3 as method };
        let path_3: "/v1/sales/:sale/join";
        export { path_3 as path };
    }
    namespace queueTake {
        let server_4: "edge";
        export { server_4 as server };
        let method_4: "POST";
        export { method_4 as method };
        let path_4: "/v1/sales/:sale/take";
        export { path_4 as path };
    }
    namespace eventSearch {
        let server_5: "api";
        export { server_5 as server };
        let method_5: "GET";
        export { method_5 as method };
        let path_5: "/v1/events";
        export { path_5 as path };
    }
    namespace eventDetail {
        let server_6: "api";
        export { server_6 as server };
        let method_6: "GET";
        export { method_6 as method };
        let path_6: "/v1/events/:id";
        export { path_6 as path };
    }
    namespace availability {
        let server_7: "api";
        export { server_7 as server };
        let method_7: "GET";
        export { method_7 as method };
        let path_7: "/v1/sales/:sale/availability";
        export { path_7 as path };
    }
    namespace seatMap {
        let server_8: "api";
        export { server_8 as server };
        let method_8: "GET";
        export { method_8 as method };
        let path_8: "/v1/sales/:sale/seat-map";
        export { path_8 as path };
    }
    namespace seatStates {
        let server_9: "api";
        export { server_9 as server };
        let method_9: "GET";
        export { method_9 as method };
        let path_9: "/v1/sales/:sale/seat-states";
        export { path_9 as path };
    }
    namespace hold {
        let server_10: "api";
        export { server_10 as server };
        let method_10: "POST";
        export { method_10 as method };
        let path_10: "/v1/sales/:sale/holds";
        export { path_10 as path };
    }
    namespace holdRead {
        let server_11: "api";
        export { server_11 as server };
        let method_11: "GET";
        export { method_11 as method };
        let path_11: "/v1/holds/:id";
        export { path_11 as path };
    }
    namespace holdRelease {
        let server_12: "api";
        export { server_12 as server };
        let method_12: "DELETE";
        export { method_12 as method };
        let path_12: "/v1/holds/:id";
        export { path_12 as path };
    }
    namespace checkout {
        let server_13: "api";
        export { server_13 as server };
        let method_13: "POST";
        export { method_13 as method };
        let path_13: "/v1/holds/:id/checkout";
        export { path_13 as path };
    }
    namespace demoPay {
        let server_14: "api";
        export { server_14 as server };
        let method_14: "POST";
        export { method_14 as method };
        let path_14: "/v1/holds/:id/demo-pay";
        export { path_14 as path };
    }
    namespace order {
        let server_15: "api";
        export { server_15 as server };
        let method_15: "GET";
        export { method_15 as method };
        let path_15: "/v1/orders/:id";
        export { path_15 as path };
    }
}
/** Version of the waiting-room WebSocket protocol the clients speak. */
export const PROTOCOL_VERSION: 1;
/**
 * What a shopper asks for (POST holds): best available by tier or section, or explicit seats.
 * @typedef {{ kind: 'best', tierCode: string, quantity: number, together?: boolean }
 *   | { kind: 'best', sectionId: string, quantity: number, together?: boolean }
 *   | { kind: 'seats', seatIds: number[] }} HoldBody
 */
/**
 * The quantities fans ask for, with their weights: mostly pairs, some singles, a few groups.
 * @type {ReadonlyArray<readonly [number, number]>}
 */
export const quantityWeights: ReadonlyArray<readonly [number, number]>;
/** Search texts browsers type into the catalog. */
export const searchTexts: string[];
/**
 * The mixed HTTP load of an on-sale, by share of requests at peak: waiting fans polling the status
 * fallback, browsers searching and reading the event, fans watching availability. Shoppers'
 * holds and payments come on top, at the admission rate.
 * @type {ReadonlyArray<readonly ['queueStatus' | 'eventSearch' | 'eventDetail' | 'availability', number]>}
 */
export const browseMix: ReadonlyArray<readonly ["queueStatus" | "eventSearch" | "eventDetail" | "availability", number]>;
export namespace thresholds {
    let peakRequestsPerS: number;
    let p99Ms: number;
    let admissionRateErrorPct: number;
    let maxErrorRatePct: number;
}
export type RouteName = keyof typeof routes;
export type Method = "GET" | "POST" | "DELETE";
export type Server = "edge" | "api";
export type Route = {
    server: Server;
    method: Method;
    path: string;
};
/**
 * What a shopper asks for (POST holds): best available by tier or section, or explicit seats.
 */
export type HoldBody = {
    kind: "best";
    tierCode: string;
    quantity: number;
    together?: boolean;
} | {
    kind: "best";
    sectionId: string;
    quantity: number;
    together?: boolean;
} | {
    kind: "seats";
    seatIds: number[];
};
