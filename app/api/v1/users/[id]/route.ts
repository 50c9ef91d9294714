export { getUser as GET } from "@/server/api/rest/operations/users";
