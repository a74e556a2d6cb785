import { apiHandler, json } from './http.ts';
import { openApiDocument } from './openapi-document.ts';
import { routeFor } from './routes.ts';

const route = routeFor('openApi');
let document: ReturnType<typeof openApiDocument> | undefined;

/** Serves the contract; built once per container from the route table. */
export async function serveOpenApi() {
  document ??= openApiDocument();
  return json(200, document, { 'cache-control': 'public, max-age=300' });
}

export const handler = apiHandler(route, serveOpenApi);
