export { getExtensionForwarding as GET } from "@/server/api/rest/operations/operations";
