export { getContact as GET, updateContact as PUT, deleteContact as DELETE } from "@/server/api/rest/operations/operations";
