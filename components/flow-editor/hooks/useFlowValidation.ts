"use client";
/**
 * Validation while editing: the same validateFlow the server runs, in the
 * browser, with references (extensions, queues, flows, outbound APIs) checked
 * against the picker options. Publishing re-validates on the server.
 */
import { useDeferredValue, useMemo } from "react";
import { validateFlow } from "@/flows/validation/validateFlow";
import type { EditorDocument } from "../editorDocument";
import { useStructure } from "./useStructure";
import { type PickerOptions, issuesByNode, referenceLookup } from "../issues";

export function useFlowValidation(document: EditorDocument, flowId: string, options: PickerOptions | undefined) {
  // Typing stays responsive on big flows: validation may lag a keystroke behind.
  const deferred = useDeferredValue(useStructure(document));
  const refs = useMemo(() => (options ? referenceLookup(options) : undefined), [options]);
  return useMemo(() => {
    const result = validateFlow(deferred, refs, { flowId });
    return { result, byNode: issuesByNode(result) };
  }, [deferred, refs, flowId]);
}

export type FlowValidation = ReturnType<typeof useFlowValidation>;
