export { transferFromPhone as POST } from "@/server/api/rest/operations/simulator";
