/**
 * Search: SageMaker's Search over runs and training jobs (`POST search`), and the
 * names a search can use (`GET search/names`, for the search box's completion).
 */
import { jsonInit, requestAPI } from './request';
import type { components } from './schema';

type Schemas = components['schemas'];

export type ISearchRequest = Schemas['SearchRequest'];
export type ISearchResponse = Schemas['SearchResponse'];
export type ISearchNamesResponse = Schemas['SearchNamesResponse'];

/** One page of a search, answered from the server's indexes. */
export function search(request: ISearchRequest): Promise<ISearchResponse> {
  return requestAPI<ISearchResponse>('search', jsonInit('POST', request));
}

/** The parameter, metric and tag names that exist for a resource. */
export function searchNames(
  resource: ISearchRequest['Resource'] = 'ExperimentTrialComponent'
): Promise<ISearchNamesResponse> {
  return requestAPI<ISearchNamesResponse>(
    'search/names',
    {},
    { Resource: resource }
  );
}
