export { getOutboundApi as GET, updateOutboundApi as PUT, deleteOutboundApi as DELETE } from "@/server/api/rest/operations/integration";
