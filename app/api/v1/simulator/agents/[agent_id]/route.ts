export { setAgentState as PUT } from "@/server/api/rest/operations/simulator";
