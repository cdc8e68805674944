import { requestAPI } from './request';
import { IListEndpointsRequest, IListEndpointsResponse } from './types';

export function listEndpoints(
  request: IListEndpointsRequest = {}
): Promise<IListEndpointsResponse> {
  return requestAPI<IListEndpointsResponse>('endpoints', {}, { ...request });
}
