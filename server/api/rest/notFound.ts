import { ApiProblem, problemResponse } from "./problem";

export function unknownPathProblem(pathname: string): ApiProblem {
  return new ApiProblem(404, `No API operation at ${pathname}; see /api/v1/openapi.json`);
}

/** Unknown paths under /api/v1 answer problem+json like everything else in the API. */
export function unknownPath(request: Request): Response {
  return problemResponse(unknownPathProblem(new URL(request.url).pathname));
}
