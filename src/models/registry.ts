/**
 * The model registry in the sidebar (the Models section: model package groups with
 * their number of versions and latest version), and what the registry's views share:
 * approval statuses, the order of versions, a version's metrics sources and
 * inference specification, and deploying an approved version.
 */
import {
  IInferenceSpecification,
  IMetricsSource,
  IModelPackage,
  IModelPackageGroup,
  IModelPackageSummary,
  listModelPackageGroups,
  listModelPackages,
  MAX_VERSIONS,
  ModelApprovalStatus
} from '../api/registry';
import { fitName, IDeploySource } from './endpointDeploy';
import { SectionModel } from './section';

/** The approval statuses, in the order the UI lists them. */
export const APPROVAL_STATUSES: ModelApprovalStatus[] = [
  'PendingManualApproval',
  'Approved',
  'Rejected'
];

/** The most groups listed, and whose versions are counted on each poll. */
export const MAX_GROUPS = 100;
export const MAX_COUNTED = 50;

/** One row of the Models section. */
export interface IModelGroupRow {
  group: IModelPackageGroup;
  /** How many versions it has (null until counted). */
  versions: number | null;
  /** Whether it has more versions than were counted (`MAX_VERSIONS`). */
  more: boolean;
  /** How many of them are approved (null until counted). */
  approved: number | null;
  /** Its newest version (null when it has none, or until counted). */
  latest: IModelPackageSummary | null;
}

/** When a group last changed: its newest version's creation, else its own. */
export function lastActivity(row: IModelGroupRow): number {
  const created = Date.parse(row.group.CreationTime) || 0;
  const latest = row.latest ? Date.parse(row.latest.CreationTime) || 0 : 0;
  return Math.max(created, latest);
}

/** Groups with the most recent activity first (then by name). */
export function sortGroupRows(
  rows: readonly IModelGroupRow[]
): IModelGroupRow[] {
  return [...rows].sort(
    (a, b) =>
      lastActivity(b) - lastActivity(a) ||
      a.group.ModelPackageGroupName.localeCompare(b.group.ModelPackageGroupName)
  );
}

/** A group's row from its versions, newest first (null: not counted). */
export function groupRow(
  group: IModelPackageGroup,
  versions: readonly IModelPackageSummary[] | null,
  more = false
): IModelGroupRow {
  if (!versions) {
    return { group, versions: null, more: false, approved: null, latest: null };
  }
  const latest = versions.reduce<IModelPackageSummary | null>(
    (newest, v) =>
      !newest || v.ModelPackageVersion > newest.ModelPackageVersion
        ? v
        : newest,
    null
  );
  return {
    group,
    versions: versions.length,
    more,
    approved: versions.filter(v => v.ModelApprovalStatus === 'Approved').length,
    latest
  };
}

/**
 * The Models section: model package groups, filtered by a name search on the server,
 * each with its number of versions and its latest version's approval status. A group
 * whose versions cannot be listed keeps what was known of it.
 */
export class ModelGroupsModel extends SectionModel<IModelGroupRow> {
  constructor(options: Partial<SectionModel.IOptions> = {}) {
    super({ name: 'model-groups', ...options });
  }

  /** The name filter, sent to the server as `NameContains`. */
  get nameContains(): string {
    return this._nameContains;
  }
  set nameContains(value: string) {
    const trimmed = value.trim();
    if (trimmed === this._nameContains) {
      return;
    }
    this._nameContains = trimmed;
    void this.refresh();
  }

  protected async fetch(): Promise<IModelGroupRow[]> {
    const answer = await listModelPackageGroups({
      NameContains: this._nameContains || undefined,
      SortOrder: 'Descending',
      MaxResults: MAX_GROUPS
    });
    const groups = answer.ModelPackageGroupSummaryList;
    const rows = await Promise.all(
      groups.map(async (group, index) => {
        const name = group.ModelPackageGroupName;
        if (index < MAX_COUNTED) {
          try {
            const page = await listModelPackages(name, {
              SortOrder: 'Descending',
              MaxResults: MAX_VERSIONS
            });
            const row = groupRow(
              group,
              page.ModelPackageSummaryList,
              !!page.NextToken
            );
            this._known.set(name, row);
            return row;
          } catch {
            // keep what was known
          }
        }
        const known = this._known.get(name);
        return known ? { ...known, group } : groupRow(group, null);
      })
    );
    const names = new Set(groups.map(g => g.ModelPackageGroupName));
    for (const name of this._known.keys()) {
      if (!names.has(name)) {
        this._known.delete(name);
      }
    }
    return sortGroupRows(rows);
  }

  private _known = new Map<string, IModelGroupRow>();
  private _nameContains = '';
}

// --- versions ------------------------------------------------------------------------

/** A column the versions table sorts by. */
export type VersionColumn = 'version' | 'created' | 'status';

export interface IVersionSort {
  column: VersionColumn;
  descending: boolean;
}

/** Newest version first, as ListModelPackages answers. */
export const DEFAULT_VERSION_SORT: IVersionSort = {
  column: 'version',
  descending: true
};

/**
 * The versions in the table's order; ties (same time, same status) newest version
 * first. `version` picks the summary out of a row.
 */
export function sortVersions<T>(
  rows: readonly T[],
  sort: IVersionSort,
  version: (row: T) => IModelPackageSummary
): T[] {
  const sign = sort.descending ? -1 : 1;
  const key = (summary: IModelPackageSummary): number => {
    switch (sort.column) {
      case 'created':
        return Date.parse(summary.CreationTime) || 0;
      case 'status':
        return APPROVAL_STATUSES.indexOf(summary.ModelApprovalStatus);
      default:
        return summary.ModelPackageVersion;
    }
  };
  return [...rows].sort((a, b) => {
    const x = version(a);
    const y = version(b);
    return (
      sign * (key(x) - key(y)) || y.ModelPackageVersion - x.ModelPackageVersion
    );
  });
}

/** The next order after a click on `column`: the same column reverses, a new one starts descending for numbers and times, ascending for statuses. */
export function nextVersionSort(
  current: IVersionSort,
  column: VersionColumn
): IVersionSort {
  if (current.column === column) {
    return { column, descending: !current.descending };
  }
  return { column, descending: column !== 'status' };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One file of a version's metrics, by what it is. */
export interface IVersionMetricsSource extends IMetricsSource {
  /** The kind of metrics: ModelQuality, ModelDataQuality, Bias, Explainability. */
  group: string;
  /** The file's role: Statistics, Constraints, Report, … */
  name: string;
}

/** A version's metrics files (ModelMetrics), ModelQuality first. */
export function metricsSources(pkg: IModelPackage): IVersionMetricsSource[] {
  const metrics = isObject(pkg.ModelMetrics) ? pkg.ModelMetrics : {};
  const found: IVersionMetricsSource[] = [];
  for (const [group, sources] of Object.entries(metrics)) {
    if (!isObject(sources)) {
      continue;
    }
    for (const [name, source] of Object.entries(sources)) {
      if (isObject(source) && typeof source.S3Uri === 'string') {
        found.push({
          group,
          name,
          S3Uri: source.S3Uri,
          ContentType:
            typeof source.ContentType === 'string' ? source.ContentType : '',
          ContentDigest:
            typeof source.ContentDigest === 'string'
              ? source.ContentDigest
              : null
        });
      }
    }
  }
  const rank = (group: string) => (group === 'ModelQuality' ? 0 : 1);
  return found.sort((a, b) => rank(a.group) - rank(b.group));
}

/** A version's InferenceSpecification (empty when it has none). */
export function inferenceSpecification(
  pkg: IModelPackage
): IInferenceSpecification {
  return isObject(pkg.InferenceSpecification)
    ? (pkg.InferenceSpecification as IInferenceSpecification)
    : {};
}

/** Instance types an endpoint of the studio accepts. */
const INSTANCE_TYPE = /^(local|local_gpu|ml\.[a-z0-9-]+\.[a-z0-9]+)$/;

/**
 * What deploying a version deploys: its first container (Image, ModelDataUrl,
 * Environment) on its first supported real-time instance type ('local' without one).
 * Null when it has no container with a model or an image.
 */
export function packageDeploySource(pkg: IModelPackage): IDeploySource | null {
  const spec = inferenceSpecification(pkg);
  const container = spec.Containers?.[0];
  if (!container || (!container.ModelDataUrl && !container.Image)) {
    return null;
  }
  const environment: Record<string, string> = {};
  for (const [key, value] of Object.entries(container.Environment ?? {})) {
    environment[key] = String(value);
  }
  const instanceType =
    (spec.SupportedRealtimeInferenceInstanceTypes ?? []).find(type =>
      INSTANCE_TYPE.test(type)
    ) ?? 'local';
  const group = pkg.ModelPackageGroupName;
  const version = pkg.ModelPackageVersion;
  return {
    kind: 'model-package',
    name: group,
    version,
    container: {
      ...(container.ModelDataUrl
        ? { ModelDataUrl: container.ModelDataUrl }
        : {}),
      ...(container.Image ? { Image: container.Image } : {}),
      Environment: environment
    },
    instanceType,
    endpointName: fitName(group, `-v${version}`)
  };
}

/** Why a version cannot be deployed now (null: it can). */
export type DeployBlocker = 'pending' | 'rejected' | 'no-model' | 'loading';

/**
 * Only an approved version with a model deploys; `pkg` is its description (null while
 * it is being read).
 */
export function deployBlocker(
  status: ModelApprovalStatus,
  pkg: IModelPackage | null
): DeployBlocker | null {
  if (status === 'PendingManualApproval') {
    return 'pending';
  }
  if (status === 'Rejected') {
    return 'rejected';
  }
  if (!pkg) {
    return 'loading';
  }
  return packageDeploySource(pkg) ? null : 'no-model';
}
