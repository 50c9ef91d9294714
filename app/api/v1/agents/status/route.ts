export { listAgentStates as GET } from "@/server/api/rest/operations/operations";
