export { listContacts as GET, createContact as POST } from "@/server/api/rest/operations/operations";
