export { placeSimulatedCall as POST } from "@/server/api/rest/operations/simulator";
