#include "core/store/schema.h"

namespace orrery::store {

const std::vector<Migration> &migrations()
{
    static const std::vector<Migration> all = {
        {1, "workspace metadata",
         R"sql(
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
)sql"},
        {2, "audit log",
         // Append-only, hash-chained: hash = SHA-256 over the previous hash and this entry's fields
         // (core/audit). audit_head keeps the last sequence number and hash, so removing the newest
         // entries is detected too.
         R"sql(
CREATE TABLE audit_log (
  seq       INTEGER PRIMARY KEY,
  time      TEXT NOT NULL,
  actor     TEXT NOT NULL,
  action    TEXT NOT NULL,
  target    TEXT NOT NULL,
  reason    TEXT NOT NULL,
  details   TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash      TEXT NOT NULL
);
CREATE TABLE audit_head (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  seq  INTEGER NOT NULL,
  hash TEXT NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
)sql"},
        {3, "data: stat cache and cache references",
         // stat_cache lets `data status` skip reading unchanged files: a file whose inode, size and
         // mtime (ns) match its row has the recorded md5. cache_refs lists cache objects that runs
         // and registered models use, so `data gc` never frees them.
         R"sql(
CREATE TABLE stat_cache (
  path     TEXT PRIMARY KEY,
  inode    INTEGER NOT NULL,
  size     INTEGER NOT NULL,
  mtime_ns INTEGER NOT NULL,
  md5      TEXT NOT NULL
);
CREATE TABLE cache_refs (
  md5   TEXT NOT NULL,
  owner TEXT NOT NULL,
  PRIMARY KEY (md5, owner)
);
)sql"},
        {4, "tracking: experiments, runs, params, tags, metrics",
         // Metrics are stored packed: one row per block of up to 1024 points of one run and key
         // (one indexed row per point tops out near 450,000 rows/s here). metric_blocks holds each
         // block's summary (min, max, where they are, step range) and metric_points the points, in
         // separate tables so that a long history decimates from compact summary pages without
         // touching the points. latest_metrics serves search and sort (MLflow's "latest" rule:
         // the point with the greatest (step, timestamp, value)).
         R"sql(
CREATE TABLE experiments (
  id               INTEGER PRIMARY KEY,
  name             TEXT NOT NULL UNIQUE,
  artifact_location TEXT NOT NULL,
  lifecycle_stage  TEXT NOT NULL DEFAULT 'active',
  creation_time    INTEGER NOT NULL,
  last_update_time INTEGER NOT NULL
);
CREATE TABLE experiment_tags (
  experiment_id INTEGER NOT NULL REFERENCES experiments(id),
  key   TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (experiment_id, key)
);
CREATE TABLE runs (
  id              TEXT PRIMARY KEY,
  experiment_id   INTEGER NOT NULL REFERENCES experiments(id),
  name            TEXT NOT NULL,
  user_id         TEXT NOT NULL,
  status          TEXT NOT NULL,
  start_time      INTEGER NOT NULL,
  end_time        INTEGER,
  heartbeat_time  INTEGER NOT NULL,
  lifecycle_stage TEXT NOT NULL DEFAULT 'active',
  artifact_uri    TEXT NOT NULL,
  host            TEXT NOT NULL DEFAULT '',
  pid             INTEGER NOT NULL DEFAULT 0,
  status_reason   TEXT NOT NULL DEFAULT '',
  parent_run_id   TEXT
);
CREATE INDEX runs_by_experiment ON runs(experiment_id, start_time);
CREATE TABLE params (
  run_id TEXT NOT NULL REFERENCES runs(id),
  key    TEXT NOT NULL,
  value  TEXT NOT NULL,
  PRIMARY KEY (run_id, key)
);
CREATE TABLE tags (
  run_id TEXT NOT NULL REFERENCES runs(id),
  key    TEXT NOT NULL,
  value  TEXT NOT NULL,
  PRIMARY KEY (run_id, key)
);
CREATE TABLE metric_blocks (
  run_id     TEXT NOT NULL,
  key        TEXT NOT NULL,
  block      INTEGER NOT NULL,
  count      INTEGER NOT NULL,
  first_step INTEGER NOT NULL,
  last_step  INTEGER NOT NULL,
  min_value  REAL,
  min_step   INTEGER,
  max_value  REAL,
  max_step   INTEGER,
  PRIMARY KEY (run_id, key, block)
) WITHOUT ROWID;
CREATE TABLE metric_points (
  run_id TEXT NOT NULL,
  key    TEXT NOT NULL,
  block  INTEGER NOT NULL,
  points BLOB NOT NULL,
  PRIMARY KEY (run_id, key, block)
);
CREATE TABLE latest_metrics (
  run_id    TEXT NOT NULL,
  key       TEXT NOT NULL,
  value     REAL,
  timestamp INTEGER NOT NULL,
  step      INTEGER NOT NULL,
  is_nan    INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (run_id, key)
);
CREATE INDEX latest_metrics_by_key ON latest_metrics(key, value);
CREATE TABLE run_manifests (
  run_id   TEXT PRIMARY KEY REFERENCES runs(id),
  manifest TEXT NOT NULL
);
INSERT INTO experiments(id, name, artifact_location, creation_time, last_update_time)
  VALUES (0, 'Default', 'mlflow-artifacts:/0', CAST(strftime('%s','now') AS INTEGER) * 1000, CAST(strftime('%s','now') AS INTEGER) * 1000);
)sql"},
        {5, "tracking: wall times of block extremes and 64-point segment summaries",
         // A chart with wall time on x needs the extremes' timestamps; a zoomed chart needs more
         // than two points per 1,024-point block, so each block also keeps the extremes of its
         // 64-point segments (48 bytes each) — in a table of their own, so that metric_blocks
         // stays a few compact pages for decimating whole histories. Blocks written before this
         // migration have no segments and NULL times, and are read point by point instead.
         R"sql(
ALTER TABLE metric_blocks ADD COLUMN min_time INTEGER;
ALTER TABLE metric_blocks ADD COLUMN max_time INTEGER;
CREATE TABLE metric_segments (
  run_id   TEXT NOT NULL,
  key      TEXT NOT NULL,
  block    INTEGER NOT NULL,
  segments BLOB NOT NULL,
  PRIMARY KEY (run_id, key, block)
) WITHOUT ROWID;
)sql"},
        {6, "tracking: artifacts as content-addressed cache objects",
         // An artifact's bytes are one object in .orrery/cache (identical files across runs are
         // stored once); this table maps MLflow's artifact paths (<experiment>/<run>/artifacts/…)
         // to them, and cache_refs rows ('run:<id>') keep them from `data gc`.
         R"sql(
CREATE TABLE artifacts (
  path    TEXT PRIMARY KEY,
  run_id  TEXT NOT NULL,
  md5     TEXT NOT NULL,
  size    INTEGER NOT NULL,
  created INTEGER NOT NULL
);
CREATE INDEX artifacts_by_run ON artifacts(run_id);
)sql"},
        {7, "tracking: the runs table reads covering indexes",
         // The runs table of an experiment of 100,000 runs reads all their ids in the default order
         // (newest first), and a metric sort reads one key's latest values with their runs. Both
         // indexes lacked columns those reads need, so every row cost a lookup in the table: 0.1 s
         // and 0.35 s. Covering, each read is one range scan: 0.03 s and 0.02 s. Their prefixes
         // still serve what they served (runs by experiment and time, a metric's value range).
         R"sql(
DROP INDEX runs_by_experiment;
CREATE INDEX runs_by_experiment ON runs(experiment_id, start_time DESC, id, lifecycle_stage);
DROP INDEX latest_metrics_by_key;
CREATE INDEX latest_metrics_by_key ON latest_metrics(key, value, is_nan, run_id);
)sql"},
        {8, "tracking: dataset inputs of runs (MLflow's runs/log-inputs)",
         // A dataset is recorded once per experiment by (name, digest), as MLflow's stores do, and
         // a run's inputs name it; schema and profile are NULL when the client did not send them
         // (MLflow leaves them out of its answers then). run_inputs' rowid keeps the order the
         // inputs were logged in; a dataset logged twice to one run is one input, with the tags
         // it was first logged with.
         R"sql(
CREATE TABLE datasets (
  id            INTEGER PRIMARY KEY,
  experiment_id INTEGER NOT NULL REFERENCES experiments(id),
  name          TEXT NOT NULL,
  digest        TEXT NOT NULL,
  source_type   TEXT NOT NULL,
  source        TEXT NOT NULL,
  schema        TEXT,
  profile       TEXT,
  UNIQUE (experiment_id, name, digest)
);
CREATE TABLE run_inputs (
  run_id     TEXT NOT NULL REFERENCES runs(id),
  dataset_id INTEGER NOT NULL REFERENCES datasets(id),
  UNIQUE (run_id, dataset_id)
);
CREATE TABLE input_tags (
  run_id     TEXT NOT NULL,
  dataset_id INTEGER NOT NULL,
  key        TEXT NOT NULL,
  value      TEXT NOT NULL,
  PRIMARY KEY (run_id, dataset_id, key)
);
)sql"},
        {9, "registry: models, versions, aliases and their history, webhooks and their deliveries",
         // Versions refer to their model by name with ON UPDATE CASCADE, so MLflow's rename moves
         // them in one statement. A version's file lives in the content cache (model_md5); lineage,
         // signature and gate outcomes are JSON objects a version never changes after it is made
         // (validation aside). model_alias_history keeps every move of every alias with who and
         // why: "which version was champion at time T" is one indexed lookup. Webhook deliveries
         // are durable rows: the command that made the change tries them once, a long-running
         // process holding the "webhooks" lease retries them with backoff.
         R"sql(
CREATE TABLE registered_models (
  name              TEXT PRIMARY KEY,
  description       TEXT NOT NULL DEFAULT '',
  creation_time     INTEGER NOT NULL,
  last_updated_time INTEGER NOT NULL,
  gates             TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE registered_model_tags (
  name  TEXT NOT NULL REFERENCES registered_models(name) ON UPDATE CASCADE ON DELETE CASCADE,
  key   TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (name, key)
);
CREATE TABLE model_versions (
  name                TEXT NOT NULL REFERENCES registered_models(name) ON UPDATE CASCADE ON DELETE CASCADE,
  version             INTEGER NOT NULL,
  creation_time       INTEGER NOT NULL,
  last_updated_time   INTEGER NOT NULL,
  description         TEXT NOT NULL DEFAULT '',
  source              TEXT NOT NULL,
  run_id              TEXT NOT NULL DEFAULT '',
  run_link            TEXT NOT NULL DEFAULT '',
  user_id             TEXT NOT NULL DEFAULT '',
  status              TEXT NOT NULL,
  status_message      TEXT NOT NULL DEFAULT '',
  stage               TEXT NOT NULL DEFAULT 'None',
  archived            INTEGER NOT NULL DEFAULT 0,
  model_md5           TEXT NOT NULL DEFAULT '',
  model_size          INTEGER NOT NULL DEFAULT 0,
  model_file_name     TEXT NOT NULL DEFAULT '',
  format              TEXT NOT NULL DEFAULT '',
  signature           TEXT NOT NULL DEFAULT '{}',
  not_servable_reason TEXT NOT NULL DEFAULT '',
  lineage             TEXT NOT NULL DEFAULT '{}',
  validation          TEXT NOT NULL DEFAULT 'not_run',
  gate_outcomes       TEXT NOT NULL DEFAULT '[]',
  card                TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (name, version)
);
CREATE INDEX model_versions_by_run ON model_versions(run_id);
CREATE TABLE model_version_tags (
  name    TEXT NOT NULL,
  version INTEGER NOT NULL,
  key     TEXT NOT NULL,
  value   TEXT NOT NULL,
  PRIMARY KEY (name, version, key),
  FOREIGN KEY (name, version) REFERENCES model_versions(name, version) ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE INDEX model_version_tags_by_key ON model_version_tags(key, value);
CREATE TABLE model_aliases (
  name    TEXT NOT NULL REFERENCES registered_models(name) ON UPDATE CASCADE ON DELETE CASCADE,
  alias   TEXT NOT NULL,
  version INTEGER NOT NULL,
  PRIMARY KEY (name, alias)
);
CREATE TABLE model_alias_history (
  id       INTEGER PRIMARY KEY,
  name     TEXT NOT NULL,
  alias    TEXT NOT NULL,
  version  INTEGER NOT NULL,
  previous INTEGER NOT NULL,
  time     INTEGER NOT NULL,
  actor    TEXT NOT NULL,
  reason   TEXT NOT NULL
);
CREATE INDEX model_alias_history_by_alias ON model_alias_history(name, alias, time);
CREATE TABLE webhooks (
  id         INTEGER PRIMARY KEY,
  url        TEXT NOT NULL,
  events     TEXT NOT NULL,
  model      TEXT NOT NULL DEFAULT '',
  secret     TEXT NOT NULL,
  allow_http INTEGER NOT NULL DEFAULT 0,
  created    INTEGER NOT NULL,
  active     INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE webhook_deliveries (
  id           INTEGER PRIMARY KEY,
  webhook_id   INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  event        TEXT NOT NULL,
  payload      TEXT NOT NULL,
  state        TEXT NOT NULL DEFAULT 'pending',
  attempts     INTEGER NOT NULL DEFAULT 0,
  next_attempt INTEGER NOT NULL,
  last_error   TEXT NOT NULL DEFAULT '',
  last_status  INTEGER NOT NULL DEFAULT 0,
  created      INTEGER NOT NULL,
  finished     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(state, next_attempt);
CREATE TABLE leases (
  name    TEXT PRIMARY KEY,
  holder  TEXT NOT NULL,
  expires INTEGER NOT NULL
);
)sql"},
        {10, "deploy: endpoints' desired state and rollouts, their events, and the serving processes",
         R"sql(
CREATE TABLE deployments (
  endpoint          TEXT PRIMARY KEY,
  model             TEXT NOT NULL,
  stable_version    INTEGER NOT NULL DEFAULT 0,
  candidate_version INTEGER NOT NULL DEFAULT 0,
  strategy          TEXT NOT NULL,
  phase             TEXT NOT NULL,
  steps             TEXT NOT NULL DEFAULT '',
  step_index        INTEGER NOT NULL DEFAULT 0,
  canary_weight     INTEGER NOT NULL DEFAULT 0,
  pause_ms          INTEGER NOT NULL DEFAULT 60000,
  analysis          TEXT NOT NULL DEFAULT '',
  min_requests      INTEGER NOT NULL DEFAULT 200,
  max_inconclusive  INTEGER NOT NULL DEFAULT 3,
  inconclusive      INTEGER NOT NULL DEFAULT 0,
  step_started      INTEGER NOT NULL DEFAULT 0,
  message           TEXT NOT NULL DEFAULT '',
  revision          INTEGER NOT NULL,
  updated           INTEGER NOT NULL
);
CREATE TABLE deploy_revision (
  id       INTEGER PRIMARY KEY CHECK (id = 1),
  revision INTEGER NOT NULL
);
INSERT INTO deploy_revision VALUES (1, 0);
CREATE TABLE deployment_events (
  id                INTEGER PRIMARY KEY,
  endpoint          TEXT NOT NULL,
  time              INTEGER NOT NULL,
  kind              TEXT NOT NULL,
  model             TEXT NOT NULL,
  stable_version    INTEGER NOT NULL,
  candidate_version INTEGER NOT NULL,
  weights           TEXT NOT NULL,
  detail            TEXT NOT NULL DEFAULT '',
  actor             TEXT NOT NULL DEFAULT ''
);
CREATE INDEX deployment_events_endpoint ON deployment_events(endpoint, time);
CREATE INDEX deployment_events_model ON deployment_events(model, time);
CREATE TABLE servers (
  id        INTEGER PRIMARY KEY,
  hostname  TEXT NOT NULL,
  pid       INTEGER NOT NULL,
  host      TEXT NOT NULL,
  port      INTEGER NOT NULL,
  started   INTEGER NOT NULL,
  heartbeat INTEGER NOT NULL,
  applied_revision INTEGER NOT NULL DEFAULT 0
);
)sql"},
        {11, "monitor: the prediction log (every answer; inputs for a sampled share) and the true labels that come later",
         R"sql(
CREATE TABLE predictions (
  id         INTEGER PRIMARY KEY,
  request_id TEXT NOT NULL,
  endpoint   TEXT NOT NULL,
  version    TEXT NOT NULL,
  time       INTEGER NOT NULL,
  latency_ms REAL NOT NULL,
  rows       INTEGER NOT NULL,
  outputs    TEXT NOT NULL,
  inputs     TEXT
);
CREATE INDEX predictions_request ON predictions(request_id);
CREATE INDEX predictions_endpoint_time ON predictions(endpoint, time);
CREATE TABLE feedback (
  id            INTEGER PRIMARY KEY,
  endpoint      TEXT NOT NULL,
  request_id    TEXT NOT NULL,
  row           INTEGER NOT NULL,
  label_number  REAL,
  label_text    TEXT,
  time          INTEGER NOT NULL,
  prediction_id INTEGER,
  version       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX feedback_request ON feedback(request_id, row);
CREATE INDEX feedback_endpoint_time ON feedback(endpoint, time);
)sql"},
        {12, "monitor: reference profiles with model versions, live drift windows per endpoint and feature, alerts",
         R"sql(
ALTER TABLE model_versions ADD COLUMN reference_profile TEXT NOT NULL DEFAULT '';
CREATE TABLE monitor_windows (
  id             INTEGER PRIMARY KEY,
  endpoint       TEXT NOT NULL,
  start_time     INTEGER NOT NULL,
  end_time       INTEGER NOT NULL,
  requests       INTEGER NOT NULL,
  rows           INTEGER NOT NULL,
  latency_p50_ms REAL,
  latency_p99_ms REAL,
  reference      TEXT NOT NULL,
  grid           TEXT NOT NULL DEFAULT '',
  versions       TEXT NOT NULL DEFAULT '{}',
  prediction     TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX monitor_windows_endpoint_time ON monitor_windows(endpoint, start_time);
CREATE TABLE monitor_features (
  window_id          INTEGER NOT NULL REFERENCES monitor_windows(id) ON DELETE CASCADE,
  endpoint           TEXT NOT NULL,
  feature            TEXT NOT NULL,
  start_time         INTEGER NOT NULL,
  kind               TEXT NOT NULL,
  status             TEXT NOT NULL,
  test               TEXT NOT NULL,
  statistic          REAL,
  p_value            REAL,
  threshold          REAL,
  effect             REAL,
  effect_threshold   REAL,
  error_bound        REAL,
  drifted            INTEGER NOT NULL,
  alarm              INTEGER NOT NULL,
  rows               INTEGER NOT NULL,
  missing_share      REAL NOT NULL DEFAULT 0,
  out_of_range_share REAL NOT NULL DEFAULT 0,
  unseen_share       REAL NOT NULL DEFAULT 0,
  counts             TEXT NOT NULL DEFAULT ''
);
CREATE INDEX monitor_features_series ON monitor_features(endpoint, feature, start_time);
CREATE INDEX monitor_features_window ON monitor_features(window_id);
CREATE TABLE monitor_references (
  endpoint  TEXT PRIMARY KEY,
  kind      TEXT NOT NULL,
  from_time INTEGER NOT NULL DEFAULT 0,
  to_time   INTEGER NOT NULL DEFAULT 0,
  span_ms   INTEGER NOT NULL DEFAULT 0,
  updated   INTEGER NOT NULL
);
CREATE TABLE alerts (
  id              INTEGER PRIMARY KEY,
  rule            TEXT NOT NULL,
  fingerprint     TEXT NOT NULL,
  labels          TEXT NOT NULL,
  annotations     TEXT NOT NULL DEFAULT '{}',
  state           TEXT NOT NULL,
  value           REAL,
  active_since    INTEGER NOT NULL,
  fired_at        INTEGER,
  resolved_at     INTEGER,
  last_evaluated  INTEGER NOT NULL,
  acknowledged_by TEXT NOT NULL DEFAULT '',
  acknowledged_at INTEGER,
  silenced_until  INTEGER
);
CREATE INDEX alerts_fingerprint ON alerts(fingerprint, state);
CREATE INDEX alerts_state ON alerts(state, active_since);
)sql"},
        {13, "ct: the continuous-training loop's iterations, their steps, and the loop's state across restarts",
         // core/ct. One iteration at a time is active (running, waiting_approval, approved); a
         // running one names the process that runs it (owner_pid, owner_host, heartbeat) so the next
         // start can fail it cleanly when that process is gone. ct_state is one row: paused, and
         // what the policies and triggers must remember across restarts (the last retrain for the
         // cool-down, the UTC day's count for the daily maximum, the triggers' watermark, what the
         // watched data held, a manual request waiting for the loop).
         R"sql(
CREATE TABLE ct_iterations (
  id             INTEGER PRIMARY KEY,
  trigger_kind   TEXT NOT NULL,
  trigger_detail TEXT NOT NULL,
  state          TEXT NOT NULL,
  step           TEXT NOT NULL DEFAULT '',
  pipeline_run   TEXT NOT NULL DEFAULT '',
  data_version   TEXT NOT NULL DEFAULT '',
  data_commit    TEXT NOT NULL DEFAULT '',
  rows_through   INTEGER NOT NULL DEFAULT 0,
  model          TEXT NOT NULL DEFAULT '',
  model_version  INTEGER NOT NULL DEFAULT 0,
  endpoint       TEXT NOT NULL DEFAULT '',
  branch         TEXT NOT NULL DEFAULT '',
  worktree       TEXT NOT NULL DEFAULT '',
  outcome        TEXT NOT NULL DEFAULT '',
  reason         TEXT NOT NULL DEFAULT '',
  decided_by     TEXT NOT NULL DEFAULT '',
  owner_pid      INTEGER NOT NULL DEFAULT 0,
  owner_host     TEXT NOT NULL DEFAULT '',
  heartbeat      INTEGER NOT NULL DEFAULT 0,
  created        INTEGER NOT NULL,
  updated        INTEGER NOT NULL,
  finished       INTEGER
);
CREATE INDEX ct_iterations_state ON ct_iterations(state, id);
CREATE TABLE ct_steps (
  id           INTEGER PRIMARY KEY,
  iteration_id INTEGER NOT NULL REFERENCES ct_iterations(id),
  name         TEXT NOT NULL,
  state        TEXT NOT NULL,
  started      INTEGER NOT NULL,
  finished     INTEGER,
  reason       TEXT NOT NULL DEFAULT '',
  detail       TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX ct_steps_iteration ON ct_steps(iteration_id, id);
CREATE TABLE ct_state (
  id               INTEGER PRIMARY KEY CHECK (id = 1),
  paused           INTEGER NOT NULL DEFAULT 0,
  paused_by        TEXT NOT NULL DEFAULT '',
  paused_reason    TEXT NOT NULL DEFAULT '',
  paused_at        INTEGER NOT NULL DEFAULT 0,
  last_retrain     INTEGER NOT NULL DEFAULT 0,
  day              TEXT NOT NULL DEFAULT '',
  day_count        INTEGER NOT NULL DEFAULT 0,
  triggers_from    INTEGER NOT NULL DEFAULT 0,
  watched          TEXT NOT NULL DEFAULT '',
  manual_requested INTEGER NOT NULL DEFAULT 0,
  manual_by        TEXT NOT NULL DEFAULT '',
  manual_reason    TEXT NOT NULL DEFAULT '',
  updated          INTEGER NOT NULL DEFAULT 0
);
INSERT INTO ct_state (id) VALUES (1);
)sql"},
        {14, "ct: an iteration's deployment (the endpoint's revision that started its canary) and the champion it was weighed against",
         // core/ct. The canary step writes the desired state through DeploymentStore::start; the
         // revision it got links the iteration to that deployment's events (`deploy status`,
         // the Deployments area). champion_version: the version serving when the gate compared.
         R"sql(
ALTER TABLE ct_iterations ADD COLUMN deploy_revision INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ct_iterations ADD COLUMN champion_version INTEGER NOT NULL DEFAULT 0;
)sql"},
        {15, "tune: sweeps, their trials and each trial's intermediate values",
         // core/tune. A sweep keeps the spec it started with (resume uses it, not the file as edited
         // since). A trial's point is the samplers' representation (search_space.h), kept beside the
         // params so a resumed sampler reads ten thousand trials without parsing configs. Its steps
         // are what the pruner saw (the Sweep view draws them; a resumed pruner is fed them again).
         // value: complete — the objective; pruned — the last intermediate value; steps: the epochs
         // it used (the sweep's budget). By finished: a live view reads only the trials that ended since
         // its last read, and the ones still going (finished NULL).
         R"sql(
CREATE TABLE sweeps (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE,
  file       TEXT NOT NULL,
  spec       TEXT NOT NULL,
  metric     TEXT NOT NULL,
  direction  TEXT NOT NULL,
  run_id     TEXT NOT NULL DEFAULT '',
  state      TEXT NOT NULL,
  reason     TEXT NOT NULL DEFAULT '',
  owner_pid  INTEGER NOT NULL DEFAULT 0,
  owner_host TEXT NOT NULL DEFAULT '',
  created    INTEGER NOT NULL,
  updated    INTEGER NOT NULL,
  finished   INTEGER
);
CREATE TABLE sweep_trials (
  sweep_id  INTEGER NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
  number    INTEGER NOT NULL,
  state     TEXT NOT NULL,
  params    TEXT NOT NULL,
  point     TEXT NOT NULL,
  source    TEXT NOT NULL DEFAULT 'sampler',
  value     REAL,
  steps     INTEGER NOT NULL DEFAULT 0,
  run_id    TEXT NOT NULL DEFAULT '',
  reason    TEXT NOT NULL DEFAULT '',
  started   INTEGER,
  finished  INTEGER,
  PRIMARY KEY (sweep_id, number)
);
CREATE INDEX sweep_trials_by_finished ON sweep_trials(sweep_id, finished);
CREATE TABLE sweep_steps (
  sweep_id INTEGER NOT NULL,
  number   INTEGER NOT NULL,
  step     INTEGER NOT NULL,
  value    REAL,
  PRIMARY KEY (sweep_id, number, step),
  FOREIGN KEY (sweep_id, number) REFERENCES sweep_trials(sweep_id, number) ON DELETE CASCADE
);
)sql"},
        {16, "exec: where a sweep's trial runs, as its executor last said",
         // core/tune. A trial on Slurm or Kubernetes is queued, then running on a node: the
         // controller writes the executor's words ("queued · slurm job 12 · Resources") here as
         // they change, so the Sweep view and `tune status` in other processes show them.
         R"sql(
ALTER TABLE sweep_trials ADD COLUMN job TEXT NOT NULL DEFAULT '';
)sql"},
    };
    return all;
}

int latestSchemaVersion()
{
    return migrations().back().version;
}

} // namespace orrery::store
