/**
 * What templates can read, in API.md's snake_case: `call.*`, `lookup.*`,
 * `flow.*`, `now`, and user variables at the top level. The runtime builds
 * its scope from these functions and validation/autocomplete use the
 * same field lists, so they cannot drift apart.
 */
import type { LocalizedText } from "@/flows/model/types";
import type { CallInfo, LookupResult } from "@/flows/runtime/ports";

export const CALL_FIELDS: Readonly<Record<string, LocalizedText>> = {
  "call.id": { en: "Call id", hu: "Hívásazonosító" },
  "call.conversation_id": { en: "Conversation id", hu: "Beszélgetés-azonosító" },
  "call.direction": { en: "inbound, outbound or internal", hu: "inbound, outbound vagy internal" },
  "call.caller.number": { en: "Caller's number (E.164)", hu: "Hívó száma (E.164)" },
  "call.caller.number_raw": { en: "Caller's number as received", hu: "Hívó száma, ahogy érkezett" },
  "call.caller.name": { en: "Caller's name, if known", hu: "Hívó neve, ha ismert" },
  "call.called_number": { en: "Number that was dialled", hu: "A hívott szám" },
  "call.started_at": { en: "Call start (ISO 8601)", hu: "Hívás kezdete (ISO 8601)" },
  "call.flow_id": { en: "Id of the flow the call entered", hu: "A hívaslogika azonosítója" },
};

export const LOOKUP_FIELDS: Readonly<Record<string, LocalizedText>> = {
  "lookup.found": { en: "The CRM knew the caller", hu: "A CRM ismerte a hívót" },
  "lookup.status": { en: "found, not_found, error or none", hu: "found, not_found, error vagy none" },
  "lookup.extension": { en: "Extension the CRM suggested", hu: "A CRM által javasolt mellék" },
  "lookup.contact.id": { en: "Contact id in the CRM", hu: "Kapcsolat azonosítója a CRM-ben" },
  "lookup.contact.name": { en: "Contact name", hu: "Kapcsolat neve" },
  "lookup.contact.company": { en: "Contact's company", hu: "Kapcsolat cége" },
  "lookup.contact.url": { en: "Link to the contact", hu: "Hivatkozás a kapcsolatra" },
  "lookup.variables": { en: "Variables the CRM returned", hu: "A CRM által visszaadott változók" },
  "lookup.error": { en: "Why the look-up failed", hu: "A lekérdezés hibája" },
};

export const FLOW_FIELDS: Readonly<Record<string, LocalizedText>> = {
  "flow.id": { en: "Id of the running flow", hu: "A futó hívaslogika azonosítója" },
  "flow.name": { en: "Name of the running flow", hu: "A futó hívaslogika neve" },
  now: { en: "Current time (ISO 8601, UTC)", hu: "Aktuális idő (ISO 8601, UTC)" },
};

export type TemplateCall = ReturnType<typeof templateCall>;

export function templateCall(call: CallInfo) {
  return {
    id: call.id,
    conversation_id: call.conversationId,
    direction: call.direction,
    caller: { number: call.caller.number, number_raw: call.caller.numberRaw, name: call.caller.name },
    called_number: call.calledNumber,
    started_at: call.startedAt,
    flow_id: call.flowId,
  };
}

export interface TemplateLookup {
  status: "none" | LookupResult["status"];
  found: boolean;
  extension: string;
  contact: { id: string; name: string; company: string; url: string };
  variables: Record<string, unknown>;
  error: string;
}

/** Every lookup field always exists (empty until a look-up runs), so `{{ lookup.contact.name }}` never fails on a miss. */
export function templateLookup(result?: LookupResult): TemplateLookup {
  const lookup: TemplateLookup = {
    status: result?.status ?? "none",
    found: result?.status === "found",
    extension: "",
    contact: { id: "", name: "", company: "", url: "" },
    variables: {},
    error: "",
  };
  if (result?.status === "found") lookup.extension = result.extension ?? "";
  if (result && result.status !== "error" && result.contact) {
    lookup.contact = {
      id: result.contact?.id ?? "",
      name: result.contact?.name ?? "",
      company: result.contact?.company ?? "",
      url: result.contact?.url ?? "",
    };
  }
  if (result && result.status !== "error") lookup.variables = { ...result.variables };
  if (result?.status === "error") lookup.error = result.error;
  return lookup;
}
