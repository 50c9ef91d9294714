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

const HUBSPOT_DOCS = "HubSpot CRM API v3 (developers.hubspot.com: CRM owners — GET /crm/v3/owners; CRM search — POST /crm/v3/objects/contacts/search with filterGroups on hs_searchable_calculated_phone_number / _mobile_number; contacts' hubspot_owner_id; Calls engagement — POST /crm/v3/objects/calls with properties and associations, call-to-contact association type 194; private-app access tokens), as published in 2026";

const hubspotConnector = (guide: Text): Connector => ({
  crm: "HubSpot",
  docs: HUBSPOT_DOCS,
  guide,
  credentials: { secret: { en: "Private app access token", hu: "Privát alkalmazás hozzáférési tokenje" } },
  errors: {
    401: { en: "HubSpot refused the access token (401). Check the private app's token.", hu: "A HubSpot elutasította a hozzáférési tokent (401). Ellenőrizze a privát alkalmazás tokenjét." },
    403: {
      en: "HubSpot refused access (403): the private app needs the scope crm.objects.contacts.read (look-up) or crm.objects.contacts.write (call log).",
      hu: "A HubSpot megtagadta a hozzáférést (403): a privát alkalmazásnak crm.objects.contacts.read (lekérdezés) vagy crm.objects.contacts.write (hívásnapló) jogosultság kell.",
    },
    429: { en: "HubSpot is limiting the request rate (429); the search API allows a few requests per second.", hu: "A HubSpot korlátozza a kérések számát (429); a keresési API másodpercenként csak néhány kérést enged." },
  },
});

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

const PIPEDRIVE_DOCS = "Pipedrive API (developers.pipedrive.com: v2 Persons — GET /api/v2/persons/search with term, fields=phone; v1 Users — GET /v1/users; v1 CallLogs — POST /v1/callLogs; API token in the x-api-token header), as published in 2026";

const pipedriveConnector = (guide: Text): Connector => ({
  crm: "Pipedrive",
  docs: PIPEDRIVE_DOCS,
  guide,
  credentials: { secret: { en: "API token", hu: "API-token" } },
  errors: {
    401: { en: "Pipedrive refused the API token (401). Check the token in your Pipedrive profile.", hu: "A Pipedrive elutasította az API-tokent (401). Ellenőrizze a tokent a Pipedrive-profiljában." },
    429: { en: "Pipedrive is limiting the request rate (429).", hu: "A Pipedrive korlátozza a kérések számát (429)." },
  },
});

/**
 * HubSpot's call engagement (CRM API v3 "Calls"): hs_timestamp in UTC,
 * hs_call_duration in milliseconds, direction from the HubSpot user's side,
 * hs_call_status from the disposition; the recording link must be https
 * (mp3 or wav), made absolute with the public address from Settings. Associated with the contact the look-up found (type 194,
 * call → contact), without associations when none was found.
 */
export const HUBSPOT_CALL_LOG_TEMPLATE = `{
  "properties": {
    "hs_timestamp": {{ data.started_at | json }},
    "hs_call_title": {% if summary.direction == "outbound" %}{{ "Outgoing call to " | append: summary.external_number | json }}{% else %}{{ "Incoming call from " | append: summary.external_number | json }}{% endif %},
    "hs_call_body": {{ "Extension " | append: summary.extension | json }},
    "hs_call_duration": {{ data.talk_time_s | times: 1000 | round }},
    "hs_call_direction": {% if summary.direction == "outbound" %}"OUTBOUND"{% else %}"INBOUND"{% endif %},
    "hs_call_from_number": {{ data.caller.number | json }},
    "hs_call_to_number": {{ data.called_number | json }},{% if summary.recording_url != "" %}
    "hs_call_recording_url": {{ summary.recording_url_absolute | json }},{% endif %}
    "hs_call_status": {% case summary.disposition %}{% when "answered" %}"COMPLETED"{% when "busy" %}"BUSY"{% when "failed" %}"FAILED"{% when "cancelled" %}"CANCELED"{% else %}"NO_ANSWER"{% endcase %}
  }{% if summary.contact_id != "" %},
  "associations": [
    { "to": { "id": {{ summary.contact_id | json }} }, "types": [{ "associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 194 }] }
  ]{% endif %}
}`;

/**
 * Pipedrive's call log (API v1 "CallLogs"): start/end in UTC
 * "YYYY-MM-DD HH:MM:SS", duration in seconds as a string, outcome from the
 * disposition, person_id from the look-up. Pipedrive attaches audio only as
 * a multipart upload to a second endpoint, which a data-only connector
 * cannot send: the note carries the recording link instead.
 */
export const PIPEDRIVE_CALL_LOG_TEMPLATE = `{
  "subject": {% if summary.direction == "outbound" %}{{ "Outgoing call to " | append: summary.external_number | json }}{% else %}{{ "Incoming call from " | append: summary.external_number | json }}{% endif %},
  "duration": {{ summary.talk_time_s | append: "" | json }},
  "outcome": {% case summary.disposition %}{% when "answered" %}"connected"{% when "busy" %}"busy"{% else %}"no_answer"{% endcase %},
  "from_phone_number": {{ data.caller.number | json }},
  "to_phone_number": {{ data.called_number | json }},
  "start_time": {{ summary.started_at_utc | json }},
  "end_time": {{ summary.ended_at_utc | json }},{% if summary.contact_id != "" %}
  "person_id": {{ summary.contact_id | plus: 0 | json }},{% endif %}
  "note": {% if summary.recording_url != "" %}{{ "Recording: " | append: summary.recording_url_absolute | json }}{% else %}{{ "Extension " | append: summary.extension | json }}{% endif %}
}`;

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
    connector: hubspotConnector({
      en: "1. In HubSpot, open Settings → Integrations → Private apps and create an app with the scope crm.objects.contacts.read. 2. Copy its access token into the field below. 3. In the user table, add each HubSpot owner with the extension that should ring for them (the owner id is in HubSpot under Settings → Users & Teams, or in a contact's Contact owner property). 4. Press Test with a number from your HubSpot: the result shows the contact and the extension. 5. Put a CRM look-up node in your call flow and pick this API.",
      hu: "1. A HubSpotban nyissa meg a Beállítások → Integrációk → Privát alkalmazások oldalt, és hozzon létre egy alkalmazást a crm.objects.contacts.read jogosultsággal. 2. Másolja a hozzáférési tokenjét az alábbi mezőbe. 3. A felhasználói táblázatba vegye fel a HubSpot-tulajdonosokat és a mellékeket, amelyeken csörögjön a hívásuk (a tulajdonos azonosítója a HubSpot Beállítások → Felhasználók és csapatok oldalán, vagy a kapcsolat Tulajdonos mezőjében látható). 4. Nyomja meg a Teszt gombot egy, a HubSpotban szereplő telefonszámmal: az eredmény megmutatja a kapcsolatot és a melléket. 5. Tegyen CRM adatlekérdezés csomópontot a hívásfolyamatba, és válassza ki ezt az API-t.",
    }),
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
    connector: pipedriveConnector({
      en: "1. In Pipedrive, open your profile → Personal preferences → API and copy your personal API token (the look-up sees what that user may see). 2. Paste it into the field below. 3. In the user table, add each Pipedrive user who owns persons with the extension that should ring for them (the user id is in Pipedrive under Company settings → Manage users: the number in the user's address). 4. Press Test with a number from your Pipedrive: the result shows the person and the extension. 5. Put a CRM look-up node in your call flow and pick this API.",
      hu: "1. A Pipedrive-ban nyissa meg a profilja → Személyes beállítások → API oldalt, és másolja ki a személyes API-tokenjét (a lekérdezés azt látja, amit ez a felhasználó). 2. Illessze be az alábbi mezőbe. 3. A felhasználói táblázatba vegye fel azokat a Pipedrive-felhasználókat, akik személyek tulajdonosai, és a mellékeket, amelyeken csörögjön a hívásuk (a felhasználó azonosítója a Pipedrive Cégbeállítások → Felhasználók kezelése oldalán, a felhasználó címében látható szám). 4. Nyomja meg a Teszt gombot egy, a Pipedrive-ban szereplő telefonszámmal: az eredmény megmutatja a személyt és a melléket. 5. Tegyen CRM adatlekérdezés csomópontot a hívásfolyamatba, és válassza ki ezt az API-t.",
    }),
  },
  {
    id: "hubspot_call_log",
    label: { en: "HubSpot call log", hu: "HubSpot hívásnapló" },
    description: {
      en: "Logs every external call as a HubSpot call engagement (duration, direction, status, recording link), associated with the contact a HubSpot look-up found.",
      hu: "Minden külső hívást HubSpot hívás-tevékenységként naplóz (időtartam, irány, állapot, felvétel-link), a HubSpot-lekérdezés által megtalált kapcsolathoz rendelve.",
    },
    kinds: ["end_of_call"],
    values: {
      url: "https://api.hubapi.com/crm/v3/objects/calls",
      method: "POST",
      auth: { type: "bearer" },
      headers: {},
      apply_to: "all_calls",
      send_recordings: true,
      recording_format: "mp3",
      send_partials: false,
      body_template: HUBSPOT_CALL_LOG_TEMPLATE,
    },
    connector: hubspotConnector({
      en: "1. In HubSpot, give your private app (Settings → Integrations → Private apps) the scope crm.objects.contacts.write as well, and paste its access token into the field below. 2. Set this server's public address under Settings (it must start with https://): HubSpot plays the recording from that address, through a signed link that works for RECORDING_LINK_TTL_HOURS (30 days by default). 3. Calls are associated with the contact that the HubSpot look-up of the same call found; calls without a look-up, or from unknown numbers, are logged without a contact. Shapes: HubSpot CRM API v3, Calls engagement (2026).",
      hu: "1. A HubSpotban adja meg a privát alkalmazásnak (Beállítások → Integrációk → Privát alkalmazások) a crm.objects.contacts.write jogosultságot is, és illessze be a hozzáférési tokenjét az alábbi mezőbe. 2. Adja meg ennek a szervernek a nyilvános címét a Beállítások oldalon (https://-sel kell kezdődnie): a HubSpot erről a címről játssza le a felvételt, egy aláírt linken, amely RECORDING_LINK_TTL_HOURS ideig (alapból 30 napig) működik. 3. A hívás ahhoz a kapcsolathoz kerül, amelyet ugyanennek a hívásnak a HubSpot-lekérdezése megtalált; a lekérdezés nélküli vagy ismeretlen számról érkező hívások kapcsolat nélkül kerülnek a naplóba. Formátum: HubSpot CRM API v3, Calls engagement (2026).",
    }),
  },
  {
    id: "pipedrive_call_log",
    label: { en: "Pipedrive call log", hu: "Pipedrive hívásnapló" },
    description: {
      en: "Logs every external call as a Pipedrive call log (outcome, duration, recording link in the note), linked to the person a Pipedrive look-up found.",
      hu: "Minden külső hívást Pipedrive-hívásnaplóként rögzít (eredmény, időtartam, felvétel-link a megjegyzésben), a Pipedrive-lekérdezés által megtalált személyhez kapcsolva.",
    },
    kinds: ["end_of_call"],
    values: {
      url: "https://api.pipedrive.com/v1/callLogs",
      method: "POST",
      auth: { type: "header", name: "x-api-token" },
      headers: {},
      apply_to: "all_calls",
      send_recordings: true,
      recording_format: "mp3",
      send_partials: false,
      body_template: PIPEDRIVE_CALL_LOG_TEMPLATE,
    },
    connector: pipedriveConnector({
      en: "1. Paste your Pipedrive API token (profile → Personal preferences → API) into the field below; the call logs belong to that user. 2. Set this server's public address under Settings, so the recording link in the note opens from outside. 3. Pipedrive attaches audio files only as an upload to a second request, which this connector does not make: the call log's note carries a signed link to the recording instead (it works for RECORDING_LINK_TTL_HOURS, 30 days by default). 4. Calls are linked to the person that the Pipedrive look-up of the same call found; other calls are logged without a person. Shapes: Pipedrive API v1 CallLogs (2026).",
      hu: "1. Illessze be a Pipedrive API-tokenjét (profil → Személyes beállítások → API) az alábbi mezőbe; a hívásnaplók ehhez a felhasználóhoz kerülnek. 2. Adja meg ennek a szervernek a nyilvános címét a Beállítások oldalon, hogy a megjegyzésben lévő felvétel-link kívülről is megnyíljon. 3. A Pipedrive hangfájlt csak egy második kérésben feltöltve fogad, ezt ez a csatlakozó nem küldi: a hívásnapló megjegyzése helyette aláírt linket tartalmaz a felvételre (RECORDING_LINK_TTL_HOURS ideig, alapból 30 napig működik). 4. A hívás ahhoz a személyhez kapcsolódik, akit ugyanennek a hívásnak a Pipedrive-lekérdezése megtalált; a többi hívás személy nélkül kerül a naplóba. Formátum: Pipedrive API v1 CallLogs (2026).",
    }),
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
