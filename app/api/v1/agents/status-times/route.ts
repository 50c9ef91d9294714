export { listAgentStatusTimes as GET } from "@/server/api/rest/operations/operations";
