export { listOutboundApis as GET, createOutboundApi as POST } from "@/server/api/rest/operations/integration";
