export { GET } from "@/server/api/rest/document";
