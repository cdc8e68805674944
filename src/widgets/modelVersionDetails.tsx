/**
 * A model version's details, under its row in the versions table: its approval, its
 * model's container and inference specification, each metrics file with its report
 * (the numbers and the JSON when the studio can read it, else its URI), its lineage
 * (what produced it) and its customer metadata.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import { ApprovalBadge } from '../components/ApprovalBadge';
import { ArtifactUri } from '../components/ArtifactUri';
import { Lineage, useLineageModel } from '../components/Lineage';
import { absoluteTime, formatNumber } from '../format';
import {
  inferenceSpecification,
  IVersionMetricsSource,
  metricsSources
} from '../models/registry';
import { IVersionRow, ModelGroupModel } from '../models/registryGroup';
import { ReportState } from '../models/registryReports';
import { KeyValues } from './runView';

/** "ModelQuality" → "Model quality". */
function words(name: string): string {
  const spaced = name.replace(/([a-z\d])([A-Z])/g, '$1 $2');
  return spaced.charAt(0) + spaced.slice(1).toLowerCase();
}

/** A metrics file's kind and role: "Model quality · Statistics". */
export function sourceLabel(source: IVersionMetricsSource): string {
  return `${words(source.group)} · ${source.name}`;
}

export function VersionDetails(props: {
  model: ModelGroupModel;
  row: IVersionRow;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, row, trans } = props;
  const { summary, described } = row;
  if (!described) {
    return (
      <p className="jp-mlstudio-Loading" role="status" aria-busy="true">
        {trans.__('Reading version %1…', summary.ModelPackageVersion)}
      </p>
    );
  }
  const spec = inferenceSpecification(described);
  const containers = spec.Containers ?? [];
  const sources = metricsSources(described);
  const lists: [string, string[] | undefined][] = [
    [trans.__('Content types'), spec.SupportedContentTypes],
    [trans.__('Response types'), spec.SupportedResponseMIMETypes],
    [
      trans.__('Real-time instance types'),
      spec.SupportedRealtimeInferenceInstanceTypes
    ],
    [trans.__('Transform instance types'), spec.SupportedTransformInstanceTypes]
  ];
  const extra = (['Domain', 'Task', 'SamplePayloadUrl'] as const).filter(
    key => typeof described[key] === 'string' && described[key]
  );
  return (
    <div className="jp-mlstudio-VersionDetails">
      <div className="jp-mlstudio-VersionDetails-column">
        <section aria-label={trans.__('Approval')}>
          <h3>{trans.__('Approval')}</h3>
          <p>
            <ApprovalBadge
              status={described.ModelApprovalStatus}
              trans={trans}
            />{' '}
            <span className="jp-mlstudio-VersionDetails-approval">
              {described.ApprovalDescription || (
                <span className="jp-mlstudio-Muted">
                  {trans.__('No approval description.')}
                </span>
              )}
            </span>
          </p>
          <p className="jp-mlstudio-Muted">
            {trans.__(
              'Last changed %1',
              absoluteTime(described.LastModifiedTime)
            )}
            {' · '}
            <code title={described.ModelPackageArn}>
              {described.ModelPackageArn}
            </code>
          </p>
        </section>
        <section aria-label={trans.__('Metrics')}>
          <h3>{trans.__('Metrics')}</h3>
          {sources.length === 0 ? (
            <p className="jp-mlstudio-Muted">
              {trans.__('No metrics registered.')}
            </p>
          ) : (
            sources.map(source => (
              <MetricsReport
                key={`${source.group}/${source.name}`}
                source={source}
                report={model.reports.get(source.S3Uri)}
                onRetry={() => void model.reports.load(source.S3Uri, true)}
                trans={trans}
              />
            ))
          )}
        </section>
      </div>
      <div className="jp-mlstudio-VersionDetails-column">
        <section aria-label={trans.__('Model')}>
          <h3>{trans.__('Model')}</h3>
          {containers.length === 0 ? (
            <p className="jp-mlstudio-Muted">
              {trans.__('No inference specification.')}
            </p>
          ) : (
            containers.map((container, index) => (
              <KeyValues
                key={index}
                empty=""
                values={[
                  [
                    trans.__('Image'),
                    container.Image ? (
                      <code>{container.Image}</code>
                    ) : (
                      trans.__('the studio’s script-mode serving')
                    )
                  ],
                  ...(container.ModelDataUrl
                    ? [
                        [
                          trans.__('Model data'),
                          <ArtifactUri uri={container.ModelDataUrl} />
                        ] as [string, React.ReactNode]
                      ]
                    : []),
                  ...Object.entries(container.Environment ?? {}).map(
                    ([key, value]) =>
                      [key, <EnvironmentValue value={String(value)} />] as [
                        string,
                        React.ReactNode
                      ]
                  ),
                  ...lists
                    .filter(([, values]) => values?.length)
                    .map(
                      ([label, values]) =>
                        [label, values!.join(', ')] as [string, React.ReactNode]
                    )
                ]}
              />
            ))
          )}
        </section>
        <section aria-label={trans.__('Lineage')}>
          <h3>{trans.__('Lineage')}</h3>
          <VersionLineage arn={summary.ModelPackageArn} trans={trans} />
        </section>
        <section aria-label={trans.__('Customer metadata')}>
          <h3>{trans.__('Customer metadata')}</h3>
          <KeyValues
            empty={trans.__('None.')}
            values={[
              ...Object.entries(described.CustomerMetadataProperties ?? {}),
              ...extra.map(
                key => [key, String(described[key])] as [string, string]
              )
            ]}
          />
        </section>
      </div>
    </div>
  );
}

/** What produced the version: its model data, the job that wrote it, ... */
function VersionLineage(props: {
  arn: string;
  trans: TranslationBundle;
}): JSX.Element {
  const lineage = useLineageModel({ ModelPackageArn: props.arn });
  return (
    <Lineage
      model={lineage}
      trans={props.trans}
      emptyText={props.trans.__(
        'Nothing is known about what produced this version.'
      )}
    />
  );
}

/** An environment value: a URI relative to the artifact root, else as it is. */
function EnvironmentValue(props: { value: string }): JSX.Element {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(props.value) ? (
    <ArtifactUri uri={props.value} />
  ) : (
    <code>{props.value}</code>
  );
}

/** One metrics file: its URI, and its report's numbers and JSON when readable. */
export function MetricsReport(props: {
  source: IVersionMetricsSource;
  report: ReportState | null;
  onRetry: () => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { source, report, trans } = props;
  let body: React.ReactNode;
  if (!report || report.kind === 'loading') {
    body = (
      <p className="jp-mlstudio-Muted" role="status">
        {trans.__('Reading the report…')}
      </p>
    );
  } else if (report.kind === 'unreachable') {
    body = (
      <p className="jp-mlstudio-Muted">
        {trans.__(
          'The studio cannot read this location; the report is where the URI says.'
        )}
      </p>
    );
  } else if (report.kind === 'error') {
    body = (
      <p className="jp-mlstudio-MetricsReport-error" role="alert">
        {trans.__('Could not read the report: %1', report.message)}{' '}
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mod-reject"
          onClick={props.onRetry}
        >
          {trans.__('Retry')}
        </button>
      </p>
    );
  } else {
    body = (
      <>
        {report.metrics.length ? (
          <table className="jp-mlstudio-Table jp-mlstudio-MetricsReport-metrics">
            <tbody>
              {report.metrics.map(metric => (
                <tr key={metric.path} data-metric={metric.path}>
                  <th scope="row" title={metric.path}>
                    {metric.name}
                  </th>
                  <td>{formatNumber(metric.value)}</td>
                  <td className="jp-mlstudio-Muted">
                    {metric.standardDeviation !== undefined
                      ? `± ${formatNumber(metric.standardDeviation)}`
                      : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        <pre
          className="jp-mlstudio-MetricsReport-json"
          aria-label={trans.__('Report %1', sourceLabel(source))}
          tabIndex={0}
        >
          {report.json === undefined
            ? report.text
            : JSON.stringify(report.json, null, 2)}
        </pre>
      </>
    );
  }
  return (
    <div
      className="jp-mlstudio-MetricsReport"
      data-source={`${source.group}.${source.name}`}
    >
      <div className="jp-mlstudio-MetricsReport-head">
        <strong>{sourceLabel(source)}</strong>
        {source.ContentType ? (
          <span className="jp-mlstudio-Muted">{source.ContentType}</span>
        ) : null}
        <ArtifactUri
          uri={source.S3Uri}
          className="jp-mlstudio-MetricsReport-uri"
        />
      </div>
      {body}
    </div>
  );
}
