export { listFlows as GET, createFlow as POST } from "@/server/api/rest/operations/flows";
