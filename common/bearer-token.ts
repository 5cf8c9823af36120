/**
 * The token of an `Authorization: Bearer <token>` header, parsed one way for every credential
 * (account access tokens, admission passes, order tokens, visitor tokens, the operator token):
 * the scheme is case-insensitive (RFC 9110), one token of visible characters, bounded in size so
 * no verifier is handed megabytes. Anything else is no token at all (a 401 for the caller).
 */
const BEARER = /^Bearer +([\x21-\x7e]{1,4096})$/i;

export function bearerToken(authorization: string | undefined | null): string | undefined {
  return BEARER.exec(authorization ?? '')?.[1];
}
