/**
 * The report part of an endpoint's Monitoring tab: the execution shown with its record
 * count, the constraint violations it found, and per feature (drifted and violated
 * ones first) the baseline's distribution against the window's — overlaid histograms
 * from the sketches — and the drift distance over time with the threshold.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import {
  IFeatureDrift,
  IMonitoringReport,
  IViolation
} from '../api/monitoring';
import { EmptyState } from '../components/EmptyState';
import { ErrorState } from '../components/ErrorState';
import { Plot } from '../components/Plot';
import { formatNumber, relativeTime } from '../format';
import { MonitoringModel } from '../models/monitoring';
import {
  drifted,
  driftFigure,
  formatDistance,
  overlayFigure,
  sortedFeatures,
  violatedFeatures
} from '../models/monitoringSpec';

/** The report of the execution shown: violations, then the features and their charts. */
export function ReportSection(props: {
  model: MonitoringModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  const state = model.report;
  let body: JSX.Element;
  if (state.kind === 'loading') {
    body = (
      <p className="jp-mlstudio-Loading" role="status" aria-busy="true">
        {trans.__('Loading the report…')}
      </p>
    );
  } else if (state.kind === 'error') {
    body = (
      <ErrorState
        title={trans.__('Could not read the report.')}
        message={state.message}
        retryLabel={trans.__('Retry')}
        onRetry={() => void model.refresh()}
      />
    );
  } else if (state.kind === 'none' || !state.report.ProcessingJobName) {
    body = (
      <EmptyState title={trans.__('No report yet')}>
        {trans.__(
          'The report appears once an execution of %1 completed.',
          model.schedule
        )}
      </EmptyState>
    );
  } else {
    body = <Report model={model} report={state.report} trans={trans} />;
  }
  return (
    <section
      aria-label={trans.__('Monitoring report')}
      className="jp-mlstudio-MonitoringReport"
    >
      <h2>{trans.__('Report')}</h2>
      {body}
    </section>
  );
}

function Report(props: {
  model: MonitoringModel;
  report: IMonitoringReport;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, report, trans } = props;
  const features = React.useMemo(
    () => sortedFeatures(report.Features, report.Violations),
    [report]
  );
  const current = features.find(f => f.Name === model.feature);
  return (
    <>
      <p className="jp-mlstudio-MonitoringReport-summary">
        {trans.__(
          'Execution %1 of %2, scheduled %3: %4 records',
          report.ProcessingJobName ?? '',
          report.MonitoringScheduleName,
          relativeTime(report.ScheduledTime),
          formatNumber(report.RecordCount ?? 0)
        )}
        {report.ParseErrors ? (
          <span className="jp-mlstudio-MonitoringParseErrors">
            {' · '}
            {trans._n(
              '%1 record could not be parsed',
              '%1 records could not be parsed',
              report.ParseErrors
            )}
          </span>
        ) : null}
      </p>
      <h3>{trans.__('Violations')}</h3>
      <ViolationsTable violations={report.Violations} trans={trans} />
      <h3>{trans.__('Features')}</h3>
      {features.length ? (
        <div className="jp-mlstudio-MonitoringFeatures">
          <FeaturesTable
            features={features}
            violations={report.Violations}
            selected={current?.Name ?? ''}
            onSelect={name => (model.feature = name)}
            trans={trans}
          />
          {current ? (
            <FeatureCharts report={report} feature={current} trans={trans} />
          ) : null}
        </div>
      ) : (
        <p className="jp-mlstudio-Muted">
          {trans.__('The execution profiled no features.')}
        </p>
      )}
    </>
  );
}

function ViolationsTable(props: {
  violations: IViolation[];
  trans: TranslationBundle;
}): JSX.Element {
  const { violations, trans } = props;
  if (!violations.length) {
    return (
      <p className="jp-mlstudio-MonitoringNoViolations" role="status">
        {trans.__(
          'No violations: the window meets the baseline’s constraints.'
        )}
      </p>
    );
  }
  return (
    <table
      className="jp-mlstudio-Table jp-mlstudio-ViolationsTable"
      aria-label={trans.__('Constraint violations')}
    >
      <thead>
        <tr>
          <th scope="col">{trans.__('Feature')}</th>
          <th scope="col">{trans.__('Check')}</th>
          <th scope="col">{trans.__('Description')}</th>
        </tr>
      </thead>
      <tbody>
        {violations.map((violation, index) => (
          <tr
            key={index}
            data-feature={violation.FeatureName ?? ''}
            data-check={violation.ConstraintCheckType}
          >
            <th scope="row">{violation.FeatureName ?? ''}</th>
            <td>
              <code>{violation.ConstraintCheckType}</code>
            </td>
            <td className="jp-mlstudio-ViolationsTable-description">
              {violation.Description}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function FeaturesTable(props: {
  features: IFeatureDrift[];
  violations: IViolation[];
  selected: string;
  onSelect: (name: string) => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { features, selected, trans } = props;
  const violated = violatedFeatures(props.violations);
  return (
    <table
      className="jp-mlstudio-Table jp-mlstudio-FeaturesTable"
      aria-label={trans.__('Features')}
    >
      <thead>
        <tr>
          <th scope="col">{trans.__('Feature')}</th>
          <th scope="col">{trans.__('Type')}</th>
          <th scope="col" className="jp-mlstudio-Number">
            {trans.__('Distance')}
          </th>
          <th scope="col" className="jp-mlstudio-Number">
            {trans.__('Threshold')}
          </th>
        </tr>
      </thead>
      <tbody>
        {features.map(feature => {
          const isDrifted = drifted(feature);
          const flagged = isDrifted || violated.has(feature.Name);
          return (
            <tr
              key={feature.Name}
              data-feature={feature.Name}
              data-drifted={isDrifted}
              className={`${feature.Name === selected ? 'jp-mod-selected' : ''} ${flagged ? 'jp-mlstudio-mod-issues' : ''}`}
            >
              <th scope="row">
                <button
                  type="button"
                  className="jp-mlstudio-Link jp-mlstudio-FeaturesTable-name"
                  aria-pressed={feature.Name === selected}
                  title={trans.__('Chart %1', feature.Name)}
                  onClick={() => props.onSelect(feature.Name)}
                >
                  {feature.Name}
                </button>
                {flagged ? (
                  <span
                    className="jp-mlstudio-FeatureFlag"
                    title={
                      isDrifted
                        ? trans.__('The distance is above the threshold')
                        : trans.__('A constraint of this feature is violated')
                    }
                  >
                    {isDrifted ? trans.__('drift') : trans.__('violation')}
                  </span>
                ) : null}
              </th>
              <td>{feature.InferredType ?? ''}</td>
              <td
                className={`jp-mlstudio-Number ${isDrifted ? 'jp-mod-error' : ''}`}
              >
                {formatDistance(feature.Distance)}
              </td>
              <td className="jp-mlstudio-Number">
                {formatDistance(feature.Threshold)}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function FeatureCharts(props: {
  report: IMonitoringReport;
  feature: IFeatureDrift;
  trans: TranslationBundle;
}): JSX.Element {
  const { report, feature, trans } = props;
  const overlay = React.useMemo(
    () =>
      overlayFigure(feature, {
        baseline: trans.__('baseline'),
        window: trans.__('window'),
        share: trans.__('share of records (%)')
      }),
    [feature, trans]
  );
  const drift = React.useMemo(
    () =>
      driftFigure(report.DriftHistory, feature.Name, feature.Threshold, {
        distance: trans.__('distance'),
        threshold: trans.__('threshold')
      }),
    [report, feature, trans]
  );
  const overlayLayout = React.useMemo(
    () => ({
      ...overlay?.layout,
      height: 260,
      margin: { l: 56, r: 16, t: 16, b: 44 },
      legend: { orientation: 'h' as const, y: 1.12 }
    }),
    [overlay]
  );
  const driftLayout = React.useMemo(
    () => ({
      ...drift?.layout,
      height: 220,
      margin: { l: 56, r: 16, t: 16, b: 36 }
    }),
    [drift]
  );
  return (
    <div className="jp-mlstudio-FeatureCharts" data-feature={feature.Name}>
      <figure className="jp-mlstudio-MonitoringChart" data-chart="distribution">
        <figcaption>
          {trans.__('%1: baseline against the window', feature.Name)}
        </figcaption>
        {overlay ? (
          <Plot
            label={trans.__(
              'Distribution of %1 in the baseline and in the window',
              feature.Name
            )}
            data={overlay.data}
            layout={overlayLayout}
          />
        ) : (
          <p className="jp-mlstudio-Muted">
            {trans.__('No distribution was recorded for this feature.')}
          </p>
        )}
      </figure>
      <figure className="jp-mlstudio-MonitoringChart" data-chart="drift">
        <figcaption>
          {trans.__('%1: drift distance over time', feature.Name)}
        </figcaption>
        {drift ? (
          <Plot
            label={trans.__('Drift distance of %1 over time', feature.Name)}
            data={drift.data}
            layout={driftLayout}
          />
        ) : (
          <p className="jp-mlstudio-Muted">
            {trans.__('No execution measured a distance for this feature.')}
          </p>
        )}
      </figure>
    </div>
  );
}
