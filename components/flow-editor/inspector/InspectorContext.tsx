"use client";
/** What inspector widgets need besides their own value: the node's variables for autocomplete, picker lists, the flow. */
import { createContext, useContext } from "react";
import type { Locale } from "@/flows/model/types";
import type { AvailableVariable } from "@/flows/templates/variables";
import type { PickerOptions } from "../issues";

export interface InspectorContextValue {
  locale: Locale;
  flowId: string;
  variables: AvailableVariable[];
  options: PickerOptions;
}

export const InspectorContext = createContext<InspectorContextValue | null>(null);

export function useInspector(): InspectorContextValue {
  const value = useContext(InspectorContext);
  if (!value) throw new Error("useInspector outside the inspector");
  return value;
}
