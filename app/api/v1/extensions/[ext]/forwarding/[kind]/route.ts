export { getForwardingRule as GET, setForwardingRule as PUT, deleteForwardingRule as DELETE } from "@/server/api/rest/operations/operations";
