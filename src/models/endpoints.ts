import { listEndpoints } from '../api/endpoints';
import { IEndpointSummary } from '../api/types';
import { SectionModel } from './section';

/** The endpoints section. */
export class EndpointsModel extends SectionModel<IEndpointSummary> {
  constructor(options: Partial<SectionModel.IOptions> = {}) {
    super({ name: 'endpoints', ...options });
  }

  protected async fetch(): Promise<IEndpointSummary[]> {
    const response = await listEndpoints();
    return response.Endpoints;
  }
}
