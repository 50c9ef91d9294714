export { issueToken as POST } from "@/server/api/rest/operations/auth";
