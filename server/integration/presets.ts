import type { OutboundApiInput, OutboundApiKind } from "@/lib/schemas/integration";

/**
 * Presets fill the outbound-API form: plain data (defaults and, where a CRM
 * wants its own format, a Liquid body template). No preset has a code path
 * of its own — what it sends is exactly what the form then shows.
 */
/** The fields of any one kind's form, all optional. */
type PresetValues = OutboundApiInput extends infer Input ? (Input extends OutboundApiInput ? Partial<Omit<Input, "kind">> : never) : never;

export interface Preset {
  id: string;
  label: { en: string; hu: string };
  description: { en: string; hu: string };
  kinds: OutboundApiKind[];
  values: PresetValues;
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
    id: "minicrm_call_log",
    label: { en: "MiniCRM call log", hu: "MiniCRM hívásnapló" },
    description: {
      en: "End-of-call data in MiniCRM's call-log format. Put your MiniCRM API key in the template secret. MiniCRM fetches recordings by ReferenceId from GET /api/v1/recordings/{code} with a technical user's Basic credentials (scope recordings:read).",
      hu: "Hívás végi adatok a MiniCRM hívásnapló-formátumában. A MiniCRM API-kulcsát a sablon titkos értékébe írja. A MiniCRM a felvételt a ReferenceId alapján a GET /api/v1/recordings/{code} végpontról tölti le egy technikai felhasználó Basic azonosítójával (recordings:read jogosultság).",
    },
    kinds: ["end_of_call"],
    values: {
      method: "POST",
      auth: { type: "none" },
      headers: {},
      apply_to: "all_calls",
      send_recordings: true,
      send_partials: false,
      body_template: MINICRM_CALL_LOG_TEMPLATE,
    },
  },
];
