/** Stable codes for validation findings, with English and Hungarian wording (the UI may use its own by code). */

type Params = Record<string, string>;
type Wording = { en: (p: Params) => string; hu: (p: Params) => string };

export const VALIDATION_MESSAGES = {
  schema_invalid: { en: (p) => p.detail, hu: (p) => `Hibás érték: ${p.detail}` },
  start_missing: { en: () => "The flow needs a Start node", hu: () => "A hívaslogikához kell egy Kezdés csomópont" },
  start_multiple: { en: () => "A flow has exactly one Start node", hu: () => "Egy hívaslogikában pontosan egy Kezdés csomópont lehet" },
  node_id_duplicate: { en: (p) => `Node id ${p.id} is used more than once`, hu: (p) => `A(z) ${p.id} azonosító többször szerepel` },
  edge_id_duplicate: { en: (p) => `Connection id ${p.id} is used more than once`, hu: (p) => `A(z) ${p.id} kapcsolat-azonosító többször szerepel` },
  edge_source_missing: { en: (p) => `A connection starts at missing node ${p.id}`, hu: (p) => `Egy kapcsolat nem létező csomópontból indul: ${p.id}` },
  edge_target_missing: { en: (p) => `A connection leads to missing node ${p.id}`, hu: (p) => `Egy kapcsolat nem létező csomópontba mutat: ${p.id}` },
  edge_port_unknown: {
    en: (p) => `${p.node} has no output "${p.port}"`,
    hu: (p) => `A(z) ${p.node} csomópontnak nincs „${p.port}” kimenete`,
  },
  edge_duplicate: { en: () => "The same connection is drawn twice", hu: () => "Ugyanaz a kapcsolat kétszer szerepel" },
  port_multiple_edges: {
    en: (p) => `Output "${p.port}" leads to more than one node`,
    hu: (p) => `A(z) „${p.port}” kimenet több csomópontba vezet`,
  },
  port_unconnected: { en: (p) => `Connect output "${p.port}"`, hu: (p) => `Kösse be a(z) „${p.port}” kimenetet` },
  port_unconnected_optional: {
    en: (p) => `Output "${p.port}" is not connected: the call ends there`,
    hu: (p) => `A(z) „${p.port}” kimenet nincs bekötve: ott véget ér a hívás`,
  },
  node_unreachable: { en: () => "No call can reach this node", hu: () => "Ehhez a csomóponthoz egy hívás sem juthat el" },
  extension_missing: { en: (p) => `Extension ${p.id} does not exist`, hu: (p) => `A(z) ${p.id} mellék nem létezik` },
  queue_missing: { en: (p) => `Queue ${p.id} does not exist`, hu: (p) => `A(z) ${p.id} várólista nem létezik` },
  outbound_api_missing: { en: (p) => `Outbound API ${p.id} does not exist`, hu: (p) => `A(z) ${p.id} kimenő API nem létezik` },
  outbound_api_wrong_kind: {
    en: (p) => `Outbound API ${p.id} is not a ${p.kind} API`,
    hu: (p) => `A(z) ${p.id} kimenő API nem ${p.kind} típusú`,
  },
  audio_prompt_missing: {
    en: (p) => `Audio prompt not found: ${p.id}`,
    hu: (p) => `A hangfájl nem található: ${p.id}`,
  },
  flow_missing: { en: (p) => `Flow ${p.id} does not exist`, hu: (p) => `A(z) ${p.id} hívaslogika nem létezik` },
  goto_cycle: {
    en: (p) => `Going to ${p.id} leads back to this flow (${p.path})`,
    hu: (p) => `A(z) ${p.id} hívaslogikára ugrás visszavezet ide (${p.path})`,
  },
  loop_without_wait: {
    en: (p) => `These nodes loop without waiting for the caller: ${p.nodes}`,
    hu: (p) => `Ezek a csomópontok körbeérnek anélkül, hogy a hívóra várnának: ${p.nodes}`,
  },
  template_invalid: { en: (p) => `Template error: ${p.detail}`, hu: (p) => `Sablonhiba: ${p.detail}` },
  expression_invalid: { en: (p) => `Condition error: ${p.detail}`, hu: (p) => `Feltételhiba: ${p.detail}` },
  variable_unknown: {
    en: (p) => `${p.name} is not set before this node`,
    hu: (p) => `A(z) ${p.name} nincs beállítva e csomópont előtt`,
  },
  lookup_without_data_lookup: {
    en: (p) => `${p.name} is empty here: no CRM look-up runs before this node`,
    hu: (p) => `A(z) ${p.name} itt üres: e csomópont előtt nincs CRM lekérdezés`,
  },
} satisfies Record<string, Wording>;

export type ValidationCode = keyof typeof VALIDATION_MESSAGES;
