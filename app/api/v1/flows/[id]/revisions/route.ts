export { listFlowRevisions as GET } from "@/server/api/rest/operations/flows";
