"use client";
import { useState } from "react";
import { type EditorDocument, sameExceptPositions } from "../editorDocument";

/**
 * The document as far as anything but node positions is concerned: the same
 * object until something other than a position changes, so work that ignores
 * positions (validation, connections) is not redone on every drag frame.
 */
export function useStructure(document: EditorDocument): EditorDocument {
  const [structure, setStructure] = useState(document);
  if (sameExceptPositions(structure, document)) return structure;
  // React's pattern for state derived from a previous render: re-renders at once with the new value.
  setStructure(document);
  return document;
}
