import { ulid } from "ulid";

/** Prefixed, sortable ids (`usr_01J…`) so an id in a log or a CRM ticket says what it is. */
export const idPrefixes = {
  user: "usr",
  extension: "ext",
  phoneNumber: "did",
  flow: "flw",
  flowRevision: "rev",
  queue: "que",
  agent: "agt",
  contact: "con",
  technicalUser: "tu",
  outboundApi: "oapi",
  message: "msg",
  delivery: "dlv",
  audioPrompt: "aud",
  sipTrunk: "trk",
} as const;

export function newId(kind: keyof typeof idPrefixes): string {
  return `${idPrefixes[kind]}_${ulid()}`;
}
