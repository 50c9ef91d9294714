export { listNumbers as GET } from "@/server/api/rest/operations/numbers";
