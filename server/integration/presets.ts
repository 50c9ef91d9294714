import type { OutboundApiInput, OutboundApiKind } from "@/lib/schemas/integration";

/**
 * Presets fill the outbound-API form: plain data (defaults and, where a CRM
 * wants its own format, a Liquid body template). No preset has a code path
 * of its own — what it sends is exactly what the form then shows.
 */
/** The fields of any one kind's form, all optional. */
type PresetValues = OutboundApiInput extends infer Input ? (Input extends OutboundApiInput ? Partial<Omit<Input, "kind">> : never) : never;

type Text = { en: string; hu: string };

/**
 * A ready connector for one CRM: still plain data. The form shows the guide
 * and labels the credential fields in the CRM's own terms; the Test button
 * words refusals with `errors` (or "{crm} refused the credentials").
 */
export interface Connector {
  crm: string;
  /** Which public API documentation (and version) the request and reply shapes follow. */
  docs: string;
  guide: Text;
  /** How the CRM names the credentials the auth fields hold. */
  credentials: { username?: Text; secret: Text };
  errors?: Partial<Record<number, Text>>;
}

export interface Preset {
  id: string;
  label: Text;
  description: Text;
  kinds: OutboundApiKind[];
  values: PresetValues;
  connector?: Connector;
}

/**
 * MiniCRM's call-log format. CallType: 0 outgoing, 1 incoming, 2 missed;
 * Duration in seconds; Date in UTC; ReferenceId is our recording code, which
 * MiniCRM uses to fetch the audio from GET /api/v1/recordings/{code}.
 */
export const MINICRM_CALL_LOG_TEMPLATE = `{
  "ApiKey": {{ secret | json }},
  "UserExtension": {{ summary.extension | json }},
  "Data": [
    {
      "Number": {{ summary.external_number | json }},
      "Duration": {{ summary.talk_time_s }},
      "CallType": {% if summary.direction == "outbound" %}0{% elsif summary.missed %}2{% else %}1{% endif %},
      "Date": {{ summary.started_at_utc | json }},
      "ReferenceId": {{ summary.recording_code | json }}
    }
  ]
}`;

const MINICRM_DOCS = "MiniCRM REST API R3 (minicrm.hu/help: Contact actions, Project actions, General information on search) and MiniCRM Call log API (minicrm.hu/help/call-log-api), as published in 2026";

const minicrmConnector = (guide: Text, credentials: Connector["credentials"]): Connector => ({
  crm: "MiniCRM",
  docs: MINICRM_DOCS,
  guide,
  credentials,
  errors: {
    401: { en: "MiniCRM refused the API key (401). Check the System ID and the API key.", hu: "A MiniCRM elutasította az API-kulcsot (401). Ellenőrizze a rendszerazonosítót és az API-kulcsot." },
    403: { en: "MiniCRM refused access (403): the API add-on may be off, or this address is not allowed.", hu: "A MiniCRM megtagadta a hozzáférést (403): lehet, hogy az API kiegészítő nincs bekapcsolva, vagy ez a cím nincs engedélyezve." },
    429: { en: "MiniCRM is limiting the request rate (429); Switchboard waits as MiniCRM asks and tries again.", hu: "A MiniCRM korlátozza a kérések számát (429); a Switchboard a MiniCRM által kért ideig vár, majd újra próbálja." },
  },
});

/**
 * MiniCRM look-up: the contact by the caller's last 9 digits (MiniCRM's
 * full-text contact search wants digits only, at least the last 6), then the
 * contact's project by field search (`ContactId`); the project's `UserId` is
 * the responsible user, which the user map turns into an extension. Search
 * replies are `{Count, Results: {"<id>": {…}}}`.
 */
const MINICRM_LOOKUP: PresetValues = {
  method: "GET",
  url: "https://r3.minicrm.hu/Api/R3/Contact?Query={{ call.caller.number | last_digits: 9 }}",
  auth: { type: "basic", username: "" },
  headers: {},
  body_template: null,
  timeout_ms: 3000,
  response_mapping: {
    extension: "",
    contact_id: "$.Results.*.Id",
    contact_name: "$.Results.*.Name",
    contact_company: "",
    contact_url: "",
    variables: "",
    owner_user_id: "",
    fields: {},
  },
  next_steps: [
    {
      method: "GET",
      url: "https://r3.minicrm.hu/Api/R3/Project?ContactId={{ fields.contact_id }}",
      body_template: null,
      response_mapping: { extension: "", contact_id: "", contact_name: "", contact_company: "", contact_url: "", variables: "", owner_user_id: "$.Results.*.UserId", fields: {} },
    },
  ],
  fallback: { branch: "error", variables: {} },
};

const HUBSPOT_DOCS = "HubSpot CRM API v3 (developers.hubspot.com: CRM owners — GET /crm/v3/owners; CRM search — POST /crm/v3/objects/contacts/search with filterGroups on hs_searchable_calculated_phone_number / _mobile_number; contacts' hubspot_owner_id; private-app access tokens), as published in 2026";

/**
 * HubSpot look-up: one CRM search request. HubSpot keeps every contact's
 * phone and mobile number as digits without the country code in the
 * calculated properties `hs_searchable_calculated_phone_number` and
 * `…_mobile_number`, whatever format they were typed in: the caller's
 * national number is searched in either (two OR-ed filter groups). The
 * contact's `hubspot_owner_id` goes through the user map. Search replies are
 * `{total, results: [{id, properties}]}`.
 */
const HUBSPOT_SEARCH_TEMPLATE = `{
  "filterGroups": [
    { "filters": [{ "propertyName": "hs_searchable_calculated_phone_number", "operator": "EQ", "value": {{ call.caller.national_number | json }} }] },
    { "filters": [{ "propertyName": "hs_searchable_calculated_mobile_number", "operator": "EQ", "value": {{ call.caller.national_number | json }} }] }
  ],
  "properties": ["firstname", "lastname", "company", "hubspot_owner_id"],
  "limit": 1
}`;

const PIPEDRIVE_DOCS = "Pipedrive API (developers.pipedrive.com: v2 Persons — GET /api/v2/persons/search with term, fields=phone; v1 Users — GET /v1/users; API token in the x-api-token header), as published in 2026";

export const presets: Preset[] = [
  {
    id: "generic_json",
    label: { en: "Generic JSON CRM", hu: "Általános JSON CRM" },
    description: {
      en: "The documented standard payloads ({type, timestamp, data}), signed with Standard Webhooks headers.",
      hu: "A dokumentált szabványos üzenetek ({type, timestamp, data}), Standard Webhooks aláírással.",
    },
    kinds: ["data_lookup", "incoming_notification", "end_of_call", "event_hook"],
    values: { method: "POST", body_template: null, auth: { type: "bearer" }, headers: {} },
  },
  {
    id: "minicrm_lookup",
    label: { en: "MiniCRM: route to the responsible user", hu: "MiniCRM: kapcsolás a felelős felhasználóhoz" },
    description: {
      en: "Finds the caller among MiniCRM contacts by the last 9 digits, reads the responsible user of the contact's project, and rings that user's extension (from the user table below).",
      hu: "A hívót az utolsó 9 számjegy alapján megkeresi a MiniCRM kapcsolatai között, kiolvassa a kapcsolat projektjének felelősét, és annak a mellékét hívja (az alábbi felhasználói táblázat szerint).",
    },
    kinds: ["data_lookup"],
    values: MINICRM_LOOKUP,
    connector: minicrmConnector(
      {
        en: "1. In MiniCRM, open Settings → System and create an API key (administrators only; the REST API add-on must be on). 2. Type your System ID (the number after r3.minicrm.hu/ in the browser) and the API key below. 3. In the user table, add each MiniCRM user who owns projects with the extension that should ring for them (the user id is in MiniCRM under Settings → Users). 4. Press Test with a number from your MiniCRM: the result shows the contact and the extension the call would go to. 5. Put a CRM look-up node in your call flow and pick this API.",
        hu: "1. A MiniCRM-ben a Beállítások → Rendszer oldalon hozzon létre API-kulcsot (csak adminisztrátor; a REST API kiegészítőnek bekapcsolva kell lennie). 2. Írja be lent a rendszerazonosítót (a böngésző címsorában az r3.minicrm.hu/ utáni szám) és az API-kulcsot. 3. A felhasználói táblázatba vegye fel azokat a MiniCRM-felhasználókat, akik projekteket felelősként visznek, és a mellékeket, amelyeken csörögjön a hívásuk (a felhasználó azonosítója a MiniCRM Beállítások → Felhasználók oldalán látható). 4. Nyomja meg a Teszt gombot egy, a MiniCRM-ben szereplő telefonszámmal: az eredmény megmutatja a kapcsolatot és a melléket, ahová a hívás kerülne. 5. Tegyen CRM adatlekérdezés csomópontot a hívásfolyamatba, és válassza ki ezt az API-t.",
      },
      { username: { en: "System ID", hu: "Rendszerazonosító (SystemId)" }, secret: { en: "API key", hu: "API-kulcs" } },
    ),
  },
  {
    id: "hubspot_lookup",
    label: { en: "HubSpot: route to the contact owner", hu: "HubSpot: kapcsolás a kapcsolattartó tulajdonosához" },
    description: {
      en: "Finds the caller among HubSpot contacts by phone or mobile number and rings the extension of the contact's owner (from the user table below).",
      hu: "A hívót telefon- vagy mobilszám alapján megkeresi a HubSpot kapcsolatai között, és a kapcsolat tulajdonosának mellékét hívja (az alábbi felhasználói táblázat szerint).",
    },
    kinds: ["data_lookup"],
    values: {
      method: "POST",
      url: "https://api.hubapi.com/crm/v3/objects/contacts/search",
      auth: { type: "bearer" },
      headers: {},
      body_template: HUBSPOT_SEARCH_TEMPLATE,
      timeout_ms: 3000,
      response_mapping: {
        extension: "",
        contact_id: "$.results[0].id",
        contact_name: "$.results[0].properties.firstname + $.results[0].properties.lastname",
        contact_company: "$.results[0].properties.company",
        contact_url: "",
        variables: "",
        owner_user_id: "$.results[0].properties.hubspot_owner_id",
        fields: {},
      },
      next_steps: [],
      users_request: { url: "https://api.hubapi.com/crm/v3/owners?limit=100", items: "$.results", id: "$.id", name: "$.firstName + $.lastName" },
      fallback: { branch: "error", variables: {} },
    },
    connector: {
      crm: "HubSpot",
      docs: HUBSPOT_DOCS,
      guide: {
        en: "1. In HubSpot, open Settings → Integrations → Private apps and create an app with the scope crm.objects.contacts.read. 2. Copy its access token into the field below. 3. In the user table, add each HubSpot owner with the extension that should ring for them (the owner id is in HubSpot under Settings → Users & Teams, or in a contact's Contact owner property). 4. Press Test with a number from your HubSpot: the result shows the contact and the extension. 5. Put a CRM look-up node in your call flow and pick this API.",
        hu: "1. A HubSpotban nyissa meg a Beállítások → Integrációk → Privát alkalmazások oldalt, és hozzon létre egy alkalmazást a crm.objects.contacts.read jogosultsággal. 2. Másolja a hozzáférési tokenjét az alábbi mezőbe. 3. A felhasználói táblázatba vegye fel a HubSpot-tulajdonosokat és a mellékeket, amelyeken csörögjön a hívásuk (a tulajdonos azonosítója a HubSpot Beállítások → Felhasználók és csapatok oldalán, vagy a kapcsolat Tulajdonos mezőjében látható). 4. Nyomja meg a Teszt gombot egy, a HubSpotban szereplő telefonszámmal: az eredmény megmutatja a kapcsolatot és a melléket. 5. Tegyen CRM adatlekérdezés csomópontot a hívásfolyamatba, és válassza ki ezt az API-t.",
      },
      credentials: { secret: { en: "Private app access token", hu: "Privát alkalmazás hozzáférési tokenje" } },
      errors: {
        401: { en: "HubSpot refused the access token (401). Check the private app's token.", hu: "A HubSpot elutasította a hozzáférési tokent (401). Ellenőrizze a privát alkalmazás tokenjét." },
        403: { en: "HubSpot refused access (403): the private app needs the scope crm.objects.contacts.read.", hu: "A HubSpot megtagadta a hozzáférést (403): a privát alkalmazásnak crm.objects.contacts.read jogosultság kell." },
        429: { en: "HubSpot is limiting the request rate (429); the search API allows a few requests per second.", hu: "A HubSpot korlátozza a kérések számát (429); a keresési API másodpercenként csak néhány kérést enged." },
      },
    },
  },
  {
    id: "pipedrive_lookup",
    label: { en: "Pipedrive: route to the person's owner", hu: "Pipedrive: kapcsolás a személy tulajdonosához" },
    description: {
      en: "Finds the caller among Pipedrive persons by phone number and rings the extension of the person's owner (from the user table below).",
      hu: "A hívót telefonszám alapján megkeresi a Pipedrive személyei között, és a személy tulajdonosának mellékét hívja (az alábbi felhasználói táblázat szerint).",
    },
    kinds: ["data_lookup"],
    values: {
      method: "GET",
      /** Pipedrive's phone search matches part of a stored number: the last 9 digits, whatever the format. */
      url: "https://api.pipedrive.com/api/v2/persons/search?term={{ call.caller.number | last_digits: 9 }}&fields=phone&limit=1",
      auth: { type: "header", name: "x-api-token" },
      headers: {},
      body_template: null,
      timeout_ms: 3000,
      response_mapping: {
        extension: "",
        contact_id: "$.data.items[0].item.id",
        contact_name: "$.data.items[0].item.name",
        contact_company: "$.data.items[0].item.organization.name",
        contact_url: "",
        variables: "",
        owner_user_id: "$.data.items[0].item.owner.id",
        fields: {},
      },
      next_steps: [],
      users_request: { url: "https://api.pipedrive.com/v1/users", items: "$.data", id: "$.id", name: "$.name" },
      fallback: { branch: "error", variables: {} },
    },
    connector: {
      crm: "Pipedrive",
      docs: PIPEDRIVE_DOCS,
      guide: {
        en: "1. In Pipedrive, open your profile → Personal preferences → API and copy your personal API token (the look-up sees what that user may see). 2. Paste it into the field below. 3. In the user table, add each Pipedrive user who owns persons with the extension that should ring for them (the user id is in Pipedrive under Company settings → Manage users: the number in the user's address). 4. Press Test with a number from your Pipedrive: the result shows the person and the extension. 5. Put a CRM look-up node in your call flow and pick this API.",
        hu: "1. A Pipedrive-ban nyissa meg a profilja → Személyes beállítások → API oldalt, és másolja ki a személyes API-tokenjét (a lekérdezés azt látja, amit ez a felhasználó). 2. Illessze be az alábbi mezőbe. 3. A felhasználói táblázatba vegye fel azokat a Pipedrive-felhasználókat, akik személyek tulajdonosai, és a mellékeket, amelyeken csörögjön a hívásuk (a felhasználó azonosítója a Pipedrive Cégbeállítások → Felhasználók kezelése oldalán, a felhasználó címében látható szám). 4. Nyomja meg a Teszt gombot egy, a Pipedrive-ban szereplő telefonszámmal: az eredmény megmutatja a személyt és a melléket. 5. Tegyen CRM adatlekérdezés csomópontot a hívásfolyamatba, és válassza ki ezt az API-t.",
      },
      credentials: { secret: { en: "API token", hu: "API-token" } },
      errors: {
        401: { en: "Pipedrive refused the API token (401). Check the token in your Pipedrive profile.", hu: "A Pipedrive elutasította az API-tokent (401). Ellenőrizze a tokent a Pipedrive-profiljában." },
        429: { en: "Pipedrive is limiting the request rate (429).", hu: "A Pipedrive korlátozza a kérések számát (429)." },
      },
    },
  },
  {
    id: "minicrm_call_log",
    label: { en: "MiniCRM call log", hu: "MiniCRM hívásnapló" },
    description: {
      en: "End-of-call data in MiniCRM's call-log format. Put your MiniCRM API key in the template secret. MiniCRM fetches recordings by ReferenceId from GET /api/v1/recordings/{code} with a technical user's Basic credentials (scope recordings:read).",
      hu: "Hívás végi adatok a MiniCRM hívásnapló-formátumában. A MiniCRM API-kulcsát a sablon titkos értékébe írja. A MiniCRM a felvételt a ReferenceId alapján a GET /api/v1/recordings/{code} végpontról tölti le egy technikai felhasználó Basic azonosítójával (recordings:read jogosultság).",
    },
    kinds: ["end_of_call"],
    connector: minicrmConnector(
      {
        en: "1. In MiniCRM, open Settings → System and create a VOIP key (a separate key from the general API key) and give MiniCRM this server's public IP address for its allow-list. 2. Paste the VOIP key into the VOIP key field below. 3. Each user's extension must be set in their MiniCRM profile: calls are filed under the user whose extension answered. 4. For playable recordings, set MiniCRM's recording address to this server's recording link with the ReferenceId (the recording code), e.g. https://<technical user>:<secret>@<this server>/api/v1/recordings/{ReferenceId}?format=mp3 (MiniCRM plays mp3).",
        hu: "1. A MiniCRM-ben a Beállítások → Rendszer oldalon hozzon létre VOIP-kulcsot (ez külön kulcs, nem az általános API-kulcs), és adja meg a MiniCRM-nek ennek a szervernek a nyilvános IP-címét az engedélyezési listához. 2. Illessze be a VOIP-kulcsot lent a VOIP-kulcs mezőbe. 3. A felhasználók mellékét a MiniCRM-profiljukban kell beállítani: a hívás annál a felhasználónál jelenik meg, akinek a melléke fogadta. 4. A lejátszható felvételekhez adja meg a MiniCRM-ben a felvétel címét ennek a szervernek a felvétel-linkjével és a ReferenceId-vel (a felvétel kódjával), pl. https://<technikai felhasználó>:<titok>@<ez a szerver>/api/v1/recordings/{ReferenceId}?format=mp3 (a MiniCRM mp3-at játszik le).",
      },
      { secret: { en: "VOIP key", hu: "VOIP-kulcs" } },
    ),
    values: {
      url: "https://r3.minicrm.hu/Api/CallLog",
      method: "POST",
      auth: { type: "none" },
      headers: {},
      apply_to: "all_calls",
      send_recordings: true,
      // MiniCRM plays mp3 recordings.
      recording_format: "mp3",
      send_partials: false,
      body_template: MINICRM_CALL_LOG_TEMPLATE,
    },
  },
];

/**
 * A refusal in the CRM's words, for APIs made from a connector: its own
 * message for the status, or "{crm} refused the credentials (401)".
 */
export function connectorMessage(presetId: string | null, status: number): Text | undefined {
  const connector = presets.find((preset) => preset.id === presetId)?.connector;
  if (!connector) return undefined;
  const own = connector.errors?.[status];
  if (own) return own;
  if (status === 401 || status === 403) {
    return { en: `${connector.crm} refused the credentials (${status})`, hu: `A(z) ${connector.crm} elutasította a hozzáférési adatokat (${status})` };
  }
  return undefined;
}
