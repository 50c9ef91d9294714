export { testOutboundApi as POST } from "@/server/api/rest/operations/integration";
