#include "core/demo/scenario.h"

#include "core/common/atomic_file.h"
#include "core/common/clock.h"
#include "core/common/job.h"
#include "core/demo/demo_workspace.h"
#include "core/demo/scenario_watch.h"
#include "core/deploy/deployment_store.h"
#include "core/registry/model_registry.h"
#include "core/stages/pipeline_run.h"
#include "core/store/database.h"
#include "core/vcs/repository.h"
#include "core/workspace/workspace.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QProcess>
#include <QThread>

#include <algorithm>
#include <csignal>
#include <memory>
#include <sys/prctl.h>

namespace orrery::demo {
namespace {

const QString kEndpoint = QStringLiteral("fraud");
const QString kModel = QStringLiteral("fraud");

// The loop's configuration for the scenarios: retrain when the endpoint's features drift, once
// 8,000 labelled rows are in (most of them from the new world), on the last 30 days only (the
// first dataset is months old: a model of the new world is trained on the new world); the loop's
// gate on average precision, the measure of a fraud model (rare positives: how clean the top of
// its ranking is — the champion's top is now crowded with large legitimate online payments), on
// the newest quarter of those rows; a canary of three short steps whose analysis compares the
// error rate with the stable version's.
const char *kCtYaml = R"(# The continuous-training loop (orrery-cli ct check shows it; orrery-cli ct run runs it).
model: fraud
endpoint: fraud
dataset:
  path: data/transactions.csv
  label: is_fraud
  columns:
    timestamp: $time
    transaction_id: $request
    customer_id: unknown
  keep: 30d
  time_column: timestamp
triggers:
  alert: [FeatureDrift]
  manual: true
policies:
  cooldown: 1h
  max_per_day: 6
  min_rows: 8000
gate:
  metric: average_precision
  min_improvement: 0.0
  holdout: 0.25
  min_rows: 200
canary:
  steps: [25, 50, 100]
  pause: 1m
  analysis: "error_rate <= stable + 0.01"
  min_requests: 50
  max_inconclusive: 3
)";

// The new world both scenarios shift to: larger amounts, mostly online, three times the fraud.
const QString kShift = QStringLiteral("amount=2.5,online=0.8,fraud=3");
// Requests a second (real time): at the default 20× clock, 450 requests a 1m window — enough that
// a window of the unshifted world does not read as drift by chance.
constexpr int kRate = 150;
// bad-challenger: a new kind of merchant that starts sending payments while the canary runs —
// after the retraining data was cut, so no model has seen the category.
const QString kNewMerchants = QStringLiteral("amount=2.5,online=0.8,fraud=3,category=crypto_exchange:0.3");

Status writeFile(const QString &path, const QByteArray &content) { return common::writeFileAtomically(path, content); }

Result<QByteArray> readFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return ioError(QStringLiteral("cannot read %1: %2").arg(path, f.errorString()));
    return f.readAll();
}

// A child process of the scenario, its output in a log file; it dies with the scenario.
class Child {
public:
    Child(QString name, QString log) : m_name(std::move(name)), m_log(std::move(log)) {}
    ~Child() { stop(5000); }

    Status start(const QString &program, const QStringList &args, const QString &dir, const QProcessEnvironment &env)
    {
        m_process.setProgram(program);
        m_process.setArguments(args);
        m_process.setWorkingDirectory(dir);
        m_process.setProcessEnvironment(env);
        m_process.setStandardOutputFile(m_log);
        m_process.setStandardErrorFile(m_log, QIODevice::Append);
        m_process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
        m_process.start();
        if (!m_process.waitForStarted(10'000))
            return ioError(QStringLiteral("cannot start %1 (%2): %3").arg(m_name, program, m_process.errorString()));
        return Status::ok();
    }
    bool running() { return m_process.state() == QProcess::Running && !m_process.waitForFinished(0); }
    QString log() const
    {
        QFile f(m_log);
        return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
    }
    QString tail() const { return log().right(1500).trimmed(); }
    Status died() const
    {
        return Status(ErrorCode::FailedPrecondition, QStringLiteral("%1 ended unexpectedly (exit %2); its log (%3) ends:\n%4")
                                                         .arg(m_name).arg(m_process.exitCode()).arg(m_log, tail()));
    }
    // Waits up to waitMs for `text` in the log (false: it did not come, or the process ended).
    bool waitFor(const QString &text, int waitMs)
    {
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < waitMs) {
            if (log().contains(text))
                return true;
            if (!running())
                return false;
            QThread::msleep(50);
        }
        return false;
    }
    // SIGTERM, then SIGKILL after waitMs.
    void stop(int waitMs)
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.terminate();
        if (!m_process.waitForFinished(waitMs)) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }
    const QString &name() const { return m_name; }

private:
    QString m_name;
    QString m_log;
    QProcess m_process;
};

// The demo workspace with v1 trained, registered (champion), committed and deployed.
Status setUp(const ScenarioOptions &o, ScenarioResult &result, const std::function<void(const QString &)> &say, common::JobContext *job)
{
    DemoOptions demo;
    demo.rows = o.rows;
    demo.seed = o.seed;
    ORRERY_ASSIGN_OR_RETURN(const DemoReport report, createDemoWorkspace(o.dir, demo, job));
    result.root = report.root;
    const QString root = report.root;
    say(QStringLiteral("the demo workspace %1: %2 transactions, %3 fraud").arg(root).arg(report.rows).arg(report.fraudRows));

    // The offline gate keeps out a broken model; whether the challenger is better on today's
    // traffic is the loop's own gate's question, so it need not beat the champion offline.
    ORRERY_ASSIGN_OR_RETURN(QByteArray params, readFile(root + QStringLiteral("/params.yaml")));
    params.replace("min_improvement: 0.0", "min_improvement: -0.02");
    ORRERY_TRY(writeFile(root + QStringLiteral("/params.yaml"), params));
    ORRERY_TRY(writeFile(root + QStringLiteral("/ct.yaml"), kCtYaml));
    // The inferred schema caps amounts and distances a little above what the first data held; in
    // this business they have no upper bound, and a retraining on a world of larger payments must
    // not be refused for it (the data owner's edit: only "min: 0" stays).
    ORRERY_ASSIGN_OR_RETURN(QByteArray schema, readFile(root + QStringLiteral("/data/transactions.schema.yaml")));
    for (const char *column : {"amount", "distance_from_home_km"}) {
        const QByteArray head = "  - name: " + QByteArray(column) + "\n";
        const int at = schema.indexOf(head);
        const int max = at < 0 ? -1 : schema.indexOf("    max: ", at);
        const int next = at < 0 ? -1 : schema.indexOf("  - name: ", at + head.size());
        if (max < 0 || (next >= 0 && max > next))
            return internalError(QStringLiteral("the demo's schema has no max for %1 to lift").arg(QLatin1String(column)));
        schema.remove(max, schema.indexOf('\n', max) + 1 - max);
    }
    ORRERY_TRY(writeFile(root + QStringLiteral("/data/transactions.schema.yaml"), schema));

    say(QStringLiteral("training the champion: orrery-cli run"));
    stages::PipelineRunRequest run;
    run.cliDir = o.cliDir;
    run.holder = QStringLiteral("orrery-cli demo --scenario");
    ORRERY_ASSIGN_OR_RETURN(const auto ran, stages::runWorkspacePipeline(root, run, job));
    if (ran.report.anyFailed() || ran.report.anyCheckFailed())
        return Status(ErrorCode::FailedPrecondition, QStringLiteral("the demo pipeline did not pass; `orrery-cli run` in %1 shows why").arg(root));

    ORRERY_ASSIGN_OR_RETURN(auto repo, vcs::Repository::discover(root));
    QStringList paths{QStringLiteral("dvc.lock"), QStringLiteral("params.yaml"), QStringLiteral("ct.yaml"), QStringLiteral("data/transactions.schema.yaml")};
    for (const QString &p : {QStringLiteral("models/.gitignore"), QStringLiteral("reports/.gitignore"), QStringLiteral("work/.gitignore"),
                             QStringLiteral("reports/metrics.json"), QStringLiteral("reports/validation.json"), QStringLiteral("reports/register.json")})
        if (QFileInfo::exists(root + QLatin1Char('/') + p))
            paths << p;
    ORRERY_TRY(repo->commitPaths(paths, QStringLiteral("The pipeline's first run (fraud v1), the continuous-training loop (ct.yaml), no upper bound on amounts and distances in the data tests")).status());

    if (o.kind == ScenarioKind::BadChallenger) {
        // A colleague's change that looks harmless offline: categories the model never saw are
        // refused (scikit-learn's OneHotEncoder default) instead of mapped to "other".
        ORRERY_ASSIGN_OR_RETURN(QByteArray train, readFile(root + QStringLiteral("/train.yaml")));
        if (!train.contains("\ndata:\n"))
            return internalError(QStringLiteral("the demo's train.yaml has no 'data:' section to change"));
        train.replace("\ndata:\n", "\ndata:\n  unseen: error\n");
        ORRERY_TRY(writeFile(root + QStringLiteral("/train.yaml"), train));
        ORRERY_TRY(repo->commitPaths({QStringLiteral("train.yaml")},
                                     QStringLiteral("train.yaml: refuse categories the model never saw (data.unseen: error)")).status());
        say(QStringLiteral("committed: train.yaml refuses categories the model never saw (data.unseen: error) — the next model trained will"));
    }

    ORRERY_ASSIGN_OR_RETURN(auto ws, workspace::Workspace::open(root));
    registry::ModelRegistry registry(ws->database());
    ORRERY_ASSIGN_OR_RETURN(const auto model, registry.model(kModel));
    const int champion = model.aliasVersion(QStringLiteral("champion"));
    if (champion == 0)
        return Status(ErrorCode::FailedPrecondition, QStringLiteral("the demo pipeline registered no champion of %1").arg(kModel));
    deploy::DeploymentStore deployments(ws->database(), ws->cacheDir());
    deploy::StartRequest start;
    start.endpoint = kEndpoint;
    start.model = kModel;
    start.version = champion;
    start.reason = QStringLiteral("the scenario's champion");
    ORRERY_TRY(deployments.start(start).status());
    say(QStringLiteral("%1 v%2 is champion and deployed on the endpoint %3").arg(kModel).arg(champion).arg(kEndpoint));
    return Status::ok();
}

} // namespace

Result<ScenarioKind> parseScenarioKind(const QString &text)
{
    if (text == QLatin1String("drift"))
        return ScenarioKind::Drift;
    if (text == QLatin1String("bad-challenger"))
        return ScenarioKind::BadChallenger;
    return invalidArgument(QStringLiteral("unknown scenario '%1'; the scenarios are drift and bad-challenger").arg(text));
}

QString scenarioName(ScenarioKind kind) { return kind == ScenarioKind::Drift ? QStringLiteral("drift") : QStringLiteral("bad-challenger"); }

QJsonObject ScenarioResult::toJson() const
{
    QJsonArray list;
    for (const ScenarioEvent &e : events)
        list.append(QJsonObject{{QStringLiteral("clock"), common::toIsoUtc(QDateTime::fromMSecsSinceEpoch(e.clockMs, Qt::UTC))},
                                {QStringLiteral("real_ms"), double(e.realMs)},
                                {QStringLiteral("kind"), e.kind},
                                {QStringLiteral("text"), e.text}});
    return {{QStringLiteral("root"), root},
            {QStringLiteral("scenario"), scenarioName(kind)},
            {QStringLiteral("expected"), expected},
            {QStringLiteral("outcome"), outcome},
            {QStringLiteral("reason"), reason},
            {QStringLiteral("as_designed"), asDesigned},
            {QStringLiteral("iteration"), double(iteration)},
            {QStringLiteral("window_ms"), double(windowMs)},
            {QStringLiteral("windows_to_alert"), windowsToAlert},
            {QStringLiteral("windows_to_end"), windowsToEnd},
            {QStringLiteral("shift_to_alert_ms"), double(shiftToAlertMs)},
            {QStringLiteral("shift_to_end_ms"), double(shiftToEndMs)},
            {QStringLiteral("iteration_ms"), double(iterationMs)},
            {QStringLiteral("step_ms"), stepMs},
            {QStringLiteral("events"), list}};
}

Result<ScenarioResult> runScenario(const ScenarioOptions &o, common::JobContext *job)
{
    ScenarioResult result;
    result.kind = o.kind;
    result.expected = o.kind == ScenarioKind::Drift ? QStringLiteral("promoted") : QStringLiteral("rolled_back");
    result.windowMs = 60'000;
    auto say = [&](const QString &line) {
        if (o.print)
            o.print(line);
    };

    ORRERY_TRY(setUp(o, result, say, job));
    const QString root = result.root;

    // From here on one clock, compressed, for the scenario's processes and its own narration
    // (common/clock.h): the set-up above ran on real time, so the workspace's times stay in order.
    const common::ClockScale scale = common::ClockScale::startingNow(o.clockScale);
    const common::ScaledClock clock(scale);
    say(QStringLiteral("from now on the clock runs %1× faster than real time (ORRERY_CLOCK_SCALE, ORRERY_CLOCK_ANCHOR)").arg(o.clockScale));
    const QString logs = root + QStringLiteral("/.orrery/tmp/scenario");
    QDir().mkpath(logs);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    scale.exportTo(env);
    env.insert(QStringLiteral("PATH"), o.cliDir + QLatin1Char(':') + env.value(QStringLiteral("PATH")));
    const QString cli = o.cliDir + QStringLiteral("/orrery-cli");

    Child serve(QStringLiteral("orrery-cli serve"), logs + QStringLiteral("/serve.log"));
    ORRERY_TRY(serve.start(cli, {QStringLiteral("serve"), QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--monitor-window"), QStringLiteral("1m"),
                                 QStringLiteral("--sample-inputs"), QStringLiteral("1")},
                           root, env));
    if (!serve.waitFor(QStringLiteral("ready:"), 120'000))
        return serve.running() ? Status(ErrorCode::FailedPrecondition, QStringLiteral("orrery-cli serve was not ready within 2 minutes:\n%1").arg(serve.tail())) : serve.died();
    say(QStringLiteral("serving: %1").arg(serve.log().section(QStringLiteral("ready: "), 1).section(QLatin1Char('\n'), 0, 0)));

    ORRERY_ASSIGN_OR_RETURN(auto db, store::Database::open(workspace::Workspace::databasePathFor(root)));
    ScenarioWatch watch(*db, kEndpoint, kModel);
    ORRERY_TRY(watch.baseline());

    Child loop(QStringLiteral("orrery-cli ct run"), logs + QStringLiteral("/ct-run.log"));
    ORRERY_TRY(loop.start(cli, {QStringLiteral("ct"), QStringLiteral("run"), QStringLiteral("--interval"), QStringLiteral("10s")}, root, env));
    if (!loop.waitFor(QStringLiteral("nothing starts"), 60'000))
        return loop.running() ? Status(ErrorCode::FailedPrecondition, QStringLiteral("orrery-cli ct run did not check its triggers within a minute:\n%1").arg(loop.tail())) : loop.died();
    say(QStringLiteral("the loop runs: orrery-cli ct run (its first look at the triggers is their baseline)"));

    Child replay(QStringLiteral("orrery-cli demo replay"), logs + QStringLiteral("/replay.log"));
    const QString shift = kShift;
    ORRERY_TRY(replay.start(cli, {QStringLiteral("demo"), QStringLiteral("replay"), QStringLiteral("--endpoint"), kEndpoint, QStringLiteral("--rate"),
                                  QString::number(kRate), QStringLiteral("--shift-at"), QStringLiteral("2m"), QStringLiteral("--shift"), shift,
                                  QStringLiteral("--labels-after"), QStringLiteral("30s"), QStringLiteral("--seed"), QString::number(o.seed + 1)},
                            root, env));
    const qint64 replayStartMs = clock.now().toMSecsSinceEpoch();
    say(QStringLiteral("traffic: orrery-cli demo replay, %1 requests a second, labels 30s after each answer, the shift (%2) 2m in").arg(kRate).arg(shift));

    Child newMerchants(QStringLiteral("orrery-cli demo replay (new merchants)"), logs + QStringLiteral("/replay-new-merchants.log"));
    bool newMerchantsStarted = false;
    QElapsedTimer real;
    real.start();
    bool shiftSeen = false;
    for (;;) {
        if (job && job->isCancelled())
            return Status(ErrorCode::Cancelled, QStringLiteral("the scenario was stopped; its workspace stays at %1").arg(root));
        if (!shiftSeen && replay.log().contains(QStringLiteral("shift started"))) {
            shiftSeen = true;
            // "shift started: request N at S s": S is clock time since the replay's start.
            const QString line = replay.log().section(QStringLiteral("shift started: "), 1).section(QLatin1Char('\n'), 0, 0);
            const double at = line.section(QStringLiteral(" at "), 1).section(QStringLiteral(" s"), 0, 0).toDouble();
            result.shiftClockMs = replayStartMs + qint64(at * 1000);
            ScenarioEvent e{result.shiftClockMs, real.elapsed(), QStringLiteral("shift"),
                            QStringLiteral("the shift starts: %1").arg(replay.log().section(QStringLiteral("shift started: "), 1).section(QLatin1Char('\n'), 0, 0))};
            result.events.append(e);
            say(QStringLiteral("[%1] %2").arg(QDateTime::fromMSecsSinceEpoch(e.clockMs, Qt::UTC).toString(QStringLiteral("HH:mm:ss")), e.text));
        }
        ORRERY_ASSIGN_OR_RETURN(auto events, watch.poll(clock.now().toMSecsSinceEpoch()));
        for (ScenarioEvent &e : events) {
            e.realMs = real.elapsed();
            result.events.append(e);
            say(QStringLiteral("[%1] %2").arg(QDateTime::fromMSecsSinceEpoch(e.clockMs, Qt::UTC).toString(QStringLiteral("HH:mm:ss")), e.text));
        }
        if (watch.iterationEnded())
            break;
        if (o.kind == ScenarioKind::BadChallenger && !newMerchantsStarted && watch.canaryStarted()) {
            newMerchantsStarted = true;
            ORRERY_TRY(newMerchants.start(cli, {QStringLiteral("demo"), QStringLiteral("replay"), QStringLiteral("--endpoint"), kEndpoint, QStringLiteral("--rate"),
                                                QStringLiteral("40"), QStringLiteral("--shift-at"), QStringLiteral("0s"), QStringLiteral("--shift"), kNewMerchants,
                                                QStringLiteral("--seed"), QString::number(o.seed + 2)},
                                          root, env));
            ScenarioEvent e{clock.now().toMSecsSinceEpoch(), real.elapsed(), QStringLiteral("shift"),
                            QStringLiteral("a new kind of merchant starts sending payments: merchant_category crypto_exchange (a second source, 40 requests a second, 30% of them)")};
            result.events.append(e);
            say(QStringLiteral("[%1] %2").arg(QDateTime::fromMSecsSinceEpoch(e.clockMs, Qt::UTC).toString(QStringLiteral("HH:mm:ss")), e.text));
        }
        for (Child *c : {&serve, &loop, &replay})
            if (!c->running())
                return c->died();
        if (newMerchantsStarted && !newMerchants.running())
            return newMerchants.died();
        if (real.elapsed() > o.timeoutMs)
            return Status(ErrorCode::FailedPrecondition,
                          QStringLiteral("the scenario did not end within %1 s of traffic (%2); its workspace stays at %3 and the processes' logs in %4")
                              .arg(o.timeoutMs / 1000)
                              .arg(watch.iteration() ? QStringLiteral("ct iteration %1 has not ended").arg(watch.iteration()) : QStringLiteral("no iteration started"), root, logs));
        QThread::msleep(200);
    }

    say(QStringLiteral("stopping the traffic, the loop and the server (SIGTERM)"));
    newMerchants.stop(30'000);
    replay.stop(30'000);
    loop.stop(30'000);
    serve.stop(30'000);

    // In the order they happened (the shift is known only after the replay reports it).
    std::stable_sort(result.events.begin(), result.events.end(), [](const ScenarioEvent &a, const ScenarioEvent &b) { return a.clockMs < b.clockMs; });
    result.iteration = watch.iteration();
    result.outcome = watch.outcome();
    result.reason = watch.reason();
    result.asDesigned = result.outcome == result.expected;
    result.stepMs = watch.stepMs();
    result.iterationMs = watch.endMs() - watch.iterationStartMs();
    if (shiftSeen) {
        auto windowsBetween = [&](qint64 from, qint64 to) {
            int n = 0;
            for (qint64 end : watch.windowEnds())
                if (end > from && end <= to)
                    ++n;
            return n;
        };
        if (const qint64 alert = watch.firstAlertSince(result.shiftClockMs); alert > 0) {
            result.shiftToAlertMs = alert - result.shiftClockMs;
            result.windowsToAlert = windowsBetween(result.shiftClockMs, alert);
        }
        result.shiftToEndMs = watch.endMs() - result.shiftClockMs;
        result.windowsToEnd = windowsBetween(result.shiftClockMs, watch.endMs());
    }
    return result;
}

} // namespace orrery::demo
