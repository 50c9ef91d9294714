export { docsAsset as GET } from "@/server/api/rest/docs/docsPage";
