import type { ConfigField } from "../../configFields";
import type { ControlIds } from "../FieldShell";

/** Every widget edits one config value; `undefined` leaves the field out of the config (its default applies). */
export interface WidgetProps {
  field: ConfigField;
  value: unknown;
  onChange: (value: unknown) => void;
  ids: ControlIds;
}
