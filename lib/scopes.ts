/** Public API scopes (API.md §Auth). A technical user created without scopes has all of them. */
export const apiScopes = [
  "calls:read",
  "calls:write",
  "forwarding:read",
  "forwarding:write",
  "recordings:read",
  "users:read",
  "phonebook:read",
  "phonebook:write",
  "agents:read",
  "cdrs:read",
  "flows:read",
  "flows:write",
  "outbound-apis:read",
  "outbound-apis:write",
  "simulator",
] as const;
export type ApiScope = (typeof apiScopes)[number];

export function isApiScope(value: string): value is ApiScope {
  return (apiScopes as readonly string[]).includes(value);
}
