/**
 * Lineage (`GET lineage`): what produced an endpoint, a model, a model package version
 * or a job, as entities (nearest first) and the edges between them.
 */
import { requestAPI } from './request';
import { QueryOf, Schemas } from './types';

/** The collection route of lineage. */
export const LINEAGE_ROUTE = 'lineage';

/** One entity of a lineage (an endpoint, a job, an artifact, a run, ...). */
export type ILineageEntity = Schemas['LineageEntityBody'];
export type LineageEntityType = ILineageEntity['Type'];
/** An edge: `Source` contributed to, produced or is associated with `Destination`. */
export type ILineageEdge = Schemas['LineageEdgeBody'];
export type ILineage = Schemas['LineageResponse'];
/** Exactly one of `Arn`, `EndpointName`, `ModelName`, `ModelPackageArn`. */
export type ILineageQuery = Partial<QueryOf<'getLineage'>>;

/** The lineage of the one entity `query` names. */
export function getLineage(query: ILineageQuery): Promise<ILineage> {
  return requestAPI<ILineage>(LINEAGE_ROUTE, {}, { ...query });
}
