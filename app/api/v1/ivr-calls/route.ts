export { startIvrCall as POST } from "@/server/api/rest/operations/calls";
