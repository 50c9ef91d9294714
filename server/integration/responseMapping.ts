import { JSONPath } from "jsonpath-plus";
import type { ResponseMapping } from "@/lib/schemas/integration";
import type { ContactCard } from "./events";

/**
 * Reads a look-up reply with the admin's JSONPath mapping. Script
 * evaluation is switched off (`eval: false`): filter expressions such as
 * `$[?(@.x)]` are refused, so a mapping can only walk the reply, never run
 * code. The same function feeds the form's live preview and the runtime.
 */
export interface MappedReply {
  found: boolean;
  extension?: string;
  contact?: ContactCard;
  variables?: Record<string, unknown>;
  /** A CRM user id, for the API's user map. */
  owner_user_id?: string;
  /** Named values for the chain's later steps. */
  fields?: Record<string, string>;
  /** Anything at all was read (a step that reads nothing means "no match"). */
  matched: boolean;
  /** Mapping paths that are malformed or point at something unusable, for the preview. */
  problems: { field: string; message: string }[];
}

/** `path + path`: the texts of several paths joined by a space (a CRM that stores first and last name apart). */
const JOINED = " + ";

function pick(path: string, json: unknown, field: string, problems: MappedReply["problems"]): unknown {
  if (!path.trim()) return undefined;
  if (path.includes(JOINED)) {
    const parts = path.split(JOINED).map((part) => pick(part, json, field, problems));
    const texts = parts.filter((part) => typeof part === "string" || typeof part === "number").map(String).filter((part) => part.trim() !== "");
    return texts.length > 0 ? texts.join(" ") : undefined;
  }
  try {
    const matches = JSONPath({ path, json: json as object, eval: false, wrap: true }) as unknown[];
    return matches?.[0];
  } catch (error) {
    problems.push({ field, message: (error as Error).message });
    return undefined;
  }
}

function text(value: unknown, field: string, problems: MappedReply["problems"]): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "string") return value.slice(0, 500);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  problems.push({ field, message: "expected a text or a number" });
  return undefined;
}

/** One value read from a reply (the first match; `a + b` joins texts), or undefined; malformed paths read nothing. */
export function readPath(path: string, json: unknown): unknown {
  return pick(path, json, "", []);
}

export function applyResponseMapping(mapping: ResponseMapping, reply: unknown): MappedReply {
  const problems: MappedReply["problems"] = [];
  const extension = text(pick(mapping.extension, reply, "extension", problems), "extension", problems);
  const contact: ContactCard = {};
  const id = text(pick(mapping.contact_id, reply, "contact_id", problems), "contact_id", problems);
  const name = text(pick(mapping.contact_name, reply, "contact_name", problems), "contact_name", problems);
  const company = text(pick(mapping.contact_company, reply, "contact_company", problems), "contact_company", problems);
  const url = text(pick(mapping.contact_url, reply, "contact_url", problems), "contact_url", problems);
  if (id) contact.id = id;
  if (name) contact.name = name;
  if (company) contact.company = company;
  if (url) contact.url = url;
  const rawVariables = pick(mapping.variables, reply, "variables", problems);
  let variables: Record<string, unknown> | undefined;
  if (rawVariables !== undefined && rawVariables !== null) {
    if (typeof rawVariables === "object" && !Array.isArray(rawVariables)) variables = { ...(rawVariables as Record<string, unknown>) };
    else problems.push({ field: "variables", message: "expected an object" });
  }
  const owner = text(pick(mapping.owner_user_id, reply, "owner_user_id", problems), "owner_user_id", problems);
  const fields: Record<string, string> = {};
  for (const [name, path] of Object.entries(mapping.fields)) {
    const value = text(pick(path, reply, `fields.${name}`, problems), `fields.${name}`, problems);
    if (value !== undefined) fields[name] = value;
  }
  const hasContact = Object.keys(contact).length > 0;
  const hasFields = Object.keys(fields).length > 0;
  return {
    found: Boolean(extension) || hasContact,
    matched: Boolean(extension) || hasContact || Boolean(owner) || hasFields || variables !== undefined,
    ...(extension ? { extension } : {}),
    ...(hasContact ? { contact } : {}),
    ...(variables ? { variables } : {}),
    ...(owner ? { owner_user_id: owner } : {}),
    ...(hasFields ? { fields } : {}),
    problems,
  };
}
