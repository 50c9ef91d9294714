export { getFlow as GET, replaceFlowDraft as PUT, deleteFlow as DELETE } from "@/server/api/rest/operations/flows";
