import { templateCsv } from '../../domain/imports/columns.ts';
import { apiHandler, type ApiRequest } from './http.ts';
import { routeFor } from './routes.ts';

const route = routeFor('importTemplate');

/** The CSV template (header and one example row) operators fill in for a bulk import. Same for everyone. */
export async function importTemplate(_request: ApiRequest<typeof route>) {
  return {
    status: 200,
    text: templateCsv(),
    contentType: 'text/csv; charset=utf-8',
    headers: { 'content-disposition': 'attachment; filename="verval-import-template.csv"' },
  };
}

export const handler = apiHandler(route, importTemplate);
