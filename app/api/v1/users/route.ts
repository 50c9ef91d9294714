export { listUsers as GET } from "@/server/api/rest/operations/users";
