// orrery-cli tune SWEEP.yaml [--parallel N] [--trials N] [--json]
// orrery-cli tune resume NAME [--parallel N] [--trials N] [--json]
// orrery-cli tune status [NAME] [--json] | best NAME [--json] [--config OUT.yaml] | check SWEEP.yaml
// Hyperparameter sweeps (core/tune): trials of `orrery-cli train` with sampled parameters, pruned
// early by the sweep's pruner; each a child run of the sweep's tracking run. SIGTERM or Ctrl-C
// stops a sweep cleanly (its running trials are queued again); `tune resume` continues it.
#include "app/cli/cli.h"

#include "core/common/atomic_file.h"
#include "core/tune/sweep_file.h"
#include "core/tune/sweep_runner.h"
#include "core/tune/sweep_store.h"
#include "core/tune/trial_config.h"
#include "core/workspace/workspace.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QThread>

#include <cmath>
#include <cstdio>

namespace orrery::cli {
namespace {

const QString kUsage = QStringLiteral(
    "Hyperparameter sweeps over a training config: trials in parallel, sampled by grid, random or TPE,\n"
    "pruned early by the median rule, ASHA or Hyperband.\n"
    "  tune SWEEP.yaml            run a sweep to its end (Ctrl-C or SIGTERM stops it; resume continues it)\n"
    "  tune resume NAME           continue a stopped or interrupted sweep; finished trials are never repeated\n"
    "  tune status [NAME]         the sweeps, or one sweep's trials\n"
    "  tune best NAME             the best trial and its configuration (--config OUT.yaml writes it as a training config)\n"
    "  tune check SWEEP.yaml      check a sweep file without running it\n"
    "A sweep file (see core/tune/sweep_file.h):\n"
    "  train: train.yaml\n"
    "  metric: val_average_precision\n"
    "  trials: 30\n"
    "  parallel: 2\n"
    "  sampler: {type: tpe, seed: 1}\n"
    "  pruner: {type: asha, min_resource: 1, reduction_factor: 3}\n"
    "  params:\n"
    "    optimizer.lr: {type: float, low: 1.0e-4, high: 0.1, log: true}\n"
    "    model.hidden: {type: categorical, choices: [[32, 16], [64, 32]]}");

QString number(double v) { return std::isfinite(v) ? QString::number(v, 'g', 6) : QStringLiteral("NaN"); }

QString iso(qint64 ms) { return ms > 0 ? QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODate) : QString(); }

QJsonObject trialJson(const tune::Trial &t)
{
    QJsonObject o{{QStringLiteral("number"), t.number},
                  {QStringLiteral("state"), tune::trialStateName(t.state)},
                  {QStringLiteral("params"), t.params},
                  {QStringLiteral("steps"), t.steps},
                  {QStringLiteral("source"), t.source},
                  {QStringLiteral("run_id"), t.runId},
                  {QStringLiteral("reason"), t.reason},
                  {QStringLiteral("started"), iso(t.started)},
                  {QStringLiteral("finished"), iso(t.finished)}};
    o.insert(QStringLiteral("value"), t.value && std::isfinite(*t.value) ? QJsonValue(*t.value) : QJsonValue());
    return o;
}

QJsonObject summaryJson(const tune::SweepSummary &s)
{
    QJsonObject o{{QStringLiteral("queued"), s.queued},   {QStringLiteral("running"), s.running}, {QStringLiteral("complete"), s.complete},
                  {QStringLiteral("pruned"), s.pruned},   {QStringLiteral("failed"), s.failed},   {QStringLiteral("steps_used"), s.stepsUsed}};
    o.insert(QStringLiteral("best_trial"), s.bestTrial ? QJsonValue(*s.bestTrial) : QJsonValue());
    o.insert(QStringLiteral("best_value"), s.bestValue ? QJsonValue(*s.bestValue) : QJsonValue());
    return o;
}

QJsonObject sweepJson(const tune::Sweep &w, const tune::SweepSummary &s)
{
    return QJsonObject{{QStringLiteral("id"), w.id},
                       {QStringLiteral("name"), w.name},
                       {QStringLiteral("file"), w.file},
                       {QStringLiteral("metric"), w.metric},
                       {QStringLiteral("direction"), tune::directionName(w.direction)},
                       {QStringLiteral("state"), w.state},
                       {QStringLiteral("reason"), w.reason},
                       {QStringLiteral("run_id"), w.runId},
                       {QStringLiteral("trials"), w.spec.trials},
                       {QStringLiteral("sampler"), w.spec.sampler.type},
                       {QStringLiteral("pruner"), w.spec.pruner.type},
                       {QStringLiteral("created"), iso(w.created)},
                       {QStringLiteral("finished"), iso(w.finished)},
                       {QStringLiteral("summary"), summaryJson(s)}};
}

// A parameter's value as the user wrote it: 0.003, adam, [64,32].
QString valueText(const QJsonValue &v)
{
    if (v.isDouble())
        return number(v.toDouble());
    if (v.isString())
        return v.toString();
    // A list or a boolean: QJsonDocument writes only documents, so the value goes in a list of one.
    return QString::fromUtf8(QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact)).mid(1).chopped(1);
}

QString paramsText(const QJsonObject &params)
{
    QStringList parts;
    for (auto it = params.begin(); it != params.end(); ++it)
        parts << QStringLiteral("%1=%2").arg(it.key(), valueText(it.value()));
    return parts.join(QLatin1Char(' '));
}

// `target`: the sweep file, or the name of the sweep to resume.
int runSweep(CommandParser &p, const Context &context, bool resume, const QString &target)
{
    int parallel = 0, trials = 0;
    bool ok = true;
    if (p.isSet(QStringLiteral("parallel")) && ((parallel = p.value(QStringLiteral("parallel")).toInt(&ok)) < 1 || !ok))
        return p.usageError(QStringLiteral("--parallel takes a whole number above 0"));
    if (p.isSet(QStringLiteral("trials")) && ((trials = p.value(QStringLiteral("trials")).toInt(&ok)) < 1 || !ok))
        return p.usageError(QStringLiteral("--trials takes a whole number above 0"));
    std::optional<tune::SweepSpec> spec;
    if (!resume) {
        auto loaded = tune::loadSweepFile(QDir::current().absoluteFilePath(target));
        if (!loaded)
            return fail(loaded.status());
        spec = *loaded;
    }
    auto ws = openWorkspace(context);
    if (!ws)
        return fail(ws.status());
    const bool json = p.json();
    const auto log = [json](const QString &line) {
        std::fprintf(json ? stderr : stdout, "%s\n", qPrintable(line));
        std::fflush(json ? stderr : stdout);
    };
    tune::SweepRunOptions options;
    options.parallel = parallel;
    options.trials = trials;
    options.cliPath = QCoreApplication::applicationDirPath() + QStringLiteral("/orrery-cli");
    int totalTrials = 0;
    options.onEvent = [&](const tune::SweepEvent &e) {
        const QString metric = e.sweep.metric;
        switch (e.kind) {
        case tune::SweepEvent::Kind::Started:
            totalTrials = trials > 0 ? trials : e.sweep.spec.trials;
            log(QStringLiteral("sweep %1 (id %2): %3 trials of %4, %5 at once, %6 sampler, %7 pruner, %8 %9; Ctrl-C stops it")
                    .arg(e.sweep.name).arg(e.sweep.id).arg(totalTrials)
                    .arg(e.sweep.spec.stage.isEmpty() ? QDir((*ws)->root()).relativeFilePath(e.sweep.spec.trainConfig)
                                                      : QStringLiteral("the stage %1 (each in a worktree)").arg(e.sweep.spec.stage))
                    .arg(parallel > 0 ? parallel : e.sweep.spec.parallel).arg(e.sweep.spec.sampler.type, e.sweep.spec.pruner.type,
                                                                              tune::directionName(e.sweep.direction), metric));
            break;
        case tune::SweepEvent::Kind::Warning:
            std::fprintf(stderr, "orrery-cli tune: warning: %s\n", qPrintable(e.text));
            break;
        case tune::SweepEvent::Kind::TrialEnded: {
            const tune::Trial &t = e.trial;
            const int done = e.summary.complete + e.summary.pruned + e.summary.failed;
            const QString best = e.summary.bestTrial ? QStringLiteral("best %1 (trial %2)").arg(number(*e.summary.bestValue)).arg(*e.summary.bestTrial) : QStringLiteral("no best yet");
            QString what;
            if (t.state == tune::TrialState::Complete)
                what = QStringLiteral("complete  %1 %2").arg(metric, number(t.value.value_or(NAN)));
            else if (t.state == tune::TrialState::Pruned)
                what = QStringLiteral("pruned at step %1  %2 %3").arg(t.steps).arg(metric, number(t.value.value_or(NAN)));
            else
                what = QStringLiteral("failed: %1").arg(t.reason);
            log(QStringLiteral("trial %1  %2  [%3/%4, %5]  %6").arg(t.number).arg(what).arg(done).arg(totalTrials).arg(best, paramsText(t.params)));
            break;
        }
        default:
            break;
        }
    };
    tune::SweepRunner runner((*ws)->root(), (*ws)->database(), options);
    Result<tune::SweepOutcome> outcome = internalError(QStringLiteral("the sweep did not run"));
    const QString name = resume ? target : spec->name;
    const Status status = runStoppable(
        QStringLiteral("tune"),
        [&](common::JobContext &ctx) -> Status {
            outcome = resume ? runner.resume(name, &ctx) : runner.start(*spec, &ctx);
            return outcome.status();
        },
        log, QStringLiteral("stopped at once; `orrery-cli tune resume %1` reruns the trials that were running").arg(name));
    if (!status)
        return fail(status);
    if (json) {
        QJsonObject o = sweepJson(outcome->sweep, outcome->summary);
        o.insert(QStringLiteral("best"), outcome->best ? QJsonValue(trialJson(*outcome->best)) : QJsonValue());
        printJson(o);
    } else {
        log(QStringLiteral("sweep %1 %2: %3").arg(outcome->sweep.name, outcome->sweep.state, outcome->sweep.reason));
        if (outcome->best) {
            const tune::Trial &b = *outcome->best;
            log(QStringLiteral("best: trial %1, %2 %3%4").arg(b.number).arg(outcome->sweep.metric, number(b.value.value_or(NAN)),
                                                                          b.runId.isEmpty() ? QString() : QStringLiteral(" (run %1)").arg(b.runId)));
            for (auto it = b.params.begin(); it != b.params.end(); ++it)
                log(QStringLiteral("  %1: %2").arg(it.key(), valueText(it.value())));
            log(QStringLiteral("its %1: %2")
                    .arg(outcome->sweep.spec.stage.isEmpty() ? QStringLiteral("config") : QStringLiteral("params"),
                         QDir((*ws)->root()).relativeFilePath(tune::SweepRunner::sweepDir((*ws)->root(), outcome->sweep.id) +
                                                              QStringLiteral("/trial-%1/%2").arg(b.number).arg(outcome->sweep.spec.stage.isEmpty() ? QStringLiteral("config.yaml") : QStringLiteral("params.json")))));
        }
    }
    return outcome->cancelled ? ExitProblem : ExitOk;
}

Result<tune::Sweep> findSweep(tune::SweepStore &store, const QString &name)
{
    ORRERY_ASSIGN_OR_RETURN(const auto sweep, store.find(name));
    if (!sweep)
        return notFound(QStringLiteral("no sweep named '%1' (`orrery-cli tune status` lists them)").arg(name));
    return *sweep;
}

int status(CommandParser &p, workspace::Workspace &ws)
{
    tune::SweepStore store(ws.database());
    if (p.positional().size() == 1) {
        auto sweeps = store.list();
        if (!sweeps)
            return fail(sweeps.status());
        QJsonArray array;
        if (!p.json() && sweeps->isEmpty())
            out(QStringLiteral("No sweeps yet (`orrery-cli tune SWEEP.yaml` runs one)."));
        for (const auto &w : *sweeps) {
            auto s = store.summary(w.id, w.direction);
            if (!s)
                return fail(s.status());
            if (p.json()) {
                array.append(sweepJson(w, *s));
                continue;
            }
            out(QStringLiteral("%1  %2  %3 complete, %4 pruned, %5 failed, %6 running of %7  best %8  %9")
                    .arg(w.name, -20).arg(w.state, -9).arg(s->complete).arg(s->pruned).arg(s->failed).arg(s->running).arg(w.spec.trials)
                    .arg(s->bestValue ? number(*s->bestValue) : QStringLiteral("-"), w.metric));
        }
        if (p.json())
            printJson(QJsonObject{{QStringLiteral("sweeps"), array}});
        return ExitOk;
    }
    auto sweep = findSweep(store, p.positional().at(1));
    if (!sweep)
        return fail(sweep.status());
    auto s = store.summary(sweep->id, sweep->direction);
    auto trials = store.trials(sweep->id);
    if (!s || !trials)
        return fail(!s ? s.status() : trials.status());
    if (p.json()) {
        QJsonArray array;
        for (const auto &t : *trials)
            array.append(trialJson(t));
        QJsonObject o = sweepJson(*sweep, *s);
        o.insert(QStringLiteral("trial_list"), array);
        printJson(o);
        return ExitOk;
    }
    out(QStringLiteral("sweep %1 (%2): %3").arg(sweep->name, sweep->state, sweep->reason));
    out(QStringLiteral("%1  %2  %3  %4  %5").arg(QStringLiteral("#"), 5).arg(QStringLiteral("STATE"), -9).arg(sweep->metric, -12).arg(QStringLiteral("STEPS"), 5).arg(QStringLiteral("PARAMS")));
    for (const auto &t : *trials) {
        out(QStringLiteral("%1  %2  %3  %4  %5").arg(t.number, 5).arg(tune::trialStateName(t.state), -9).arg(t.value ? number(*t.value) : QStringLiteral("-"), -12)
                .arg(t.steps, 5).arg(paramsText(t.params)));
        if (t.state == tune::TrialState::Failed)
            out(QStringLiteral("       %1").arg(t.reason));
    }
    return ExitOk;
}

int best(CommandParser &p, workspace::Workspace &ws)
{
    if (p.positional().size() != 2)
        return p.usageError(QStringLiteral("give the sweep's name: `tune best NAME`"));
    tune::SweepStore store(ws.database());
    auto sweep = findSweep(store, p.positional().at(1));
    if (!sweep)
        return fail(sweep.status());
    auto s = store.summary(sweep->id, sweep->direction);
    if (!s)
        return fail(s.status());
    if (!s->bestTrial)
        return fail(Status(ErrorCode::FailedPrecondition, QStringLiteral("sweep '%1' has no complete trial yet").arg(sweep->name)));
    auto trials = store.trials(sweep->id);
    if (!trials)
        return fail(trials.status());
    tune::Trial b;
    for (const auto &t : *trials)
        if (t.number == *s->bestTrial)
            b = t;
    const QString config = tune::SweepRunner::sweepDir(ws.root(), sweep->id) +
                           QStringLiteral("/trial-%1/%2").arg(b.number).arg(sweep->spec.stage.isEmpty() ? QStringLiteral("config.yaml") : QStringLiteral("params.json"));
    if (p.isSet(QStringLiteral("config")) && !sweep->spec.stage.isEmpty())
        return fail(invalidArgument(QStringLiteral("sweep '%1' tunes the stage '%2': its best values are params (`tune best %1` lists them), "
                                                   "not a training config").arg(sweep->name, sweep->spec.stage)));
    if (p.isSet(QStringLiteral("config"))) {
        // The sweep's training config with the best values, its data path relative to the new file.
        const QString target = QDir::current().absoluteFilePath(p.value(QStringLiteral("config")));
        auto written = tune::configForTarget(sweep->spec.trainConfig, b.params, target);
        if (!written)
            return fail(written.status());
        if (const Status w = common::writeFileAtomically(target, *written); !w)
            return fail(w);
    }
    if (p.json()) {
        QJsonObject o = trialJson(b);
        o.insert(QStringLiteral("sweep"), sweep->name);
        o.insert(QStringLiteral("metric"), sweep->metric);
        o.insert(QStringLiteral("config"), config);
        printJson(o);
        return ExitOk;
    }
    out(QStringLiteral("best of sweep %1: trial %2, %3 %4%5").arg(sweep->name).arg(b.number).arg(sweep->metric, number(b.value.value_or(NAN)),
                                                                                          b.runId.isEmpty() ? QString() : QStringLiteral(" (run %1)").arg(b.runId)));
    for (auto it = b.params.begin(); it != b.params.end(); ++it)
        out(QStringLiteral("  %1: %2").arg(it.key(), valueText(it.value())));
    out(QStringLiteral("config: %1").arg(QDir(ws.root()).relativeFilePath(config)));
    return ExitOk;
}

} // namespace

int runTune(const Context &context)
{
    CommandParser p(context, QStringLiteral("tune"), kUsage);
    p.addJsonOption();
    p.parser().addPositionalArgument(QStringLiteral("what"), QStringLiteral("SWEEP.yaml, or resume|status|best|check"));
    p.parser().addOption({QStringLiteral("parallel"), QStringLiteral("Trials at once (default: the sweep file's parallel)."), QStringLiteral("N")});
    p.parser().addOption({QStringLiteral("trials"), QStringLiteral("How many trials in all (default: the sweep file's trials)."), QStringLiteral("N")});
    p.parser().addOption({QStringLiteral("config"), QStringLiteral("tune best: write the best trial's training config here."), QStringLiteral("FILE")});
    int code = ExitOk;
    if (!p.parse(&code))
        return code;
    const QStringList args = p.positional();
    if (args.isEmpty())
        return p.usageError(QStringLiteral("give a sweep file, or one of resume, status, best, check"));
    const QString what = args.first();
    if (what == QLatin1String("check")) {
        if (args.size() != 2)
            return p.usageError(QStringLiteral("give the sweep file: `tune check SWEEP.yaml`"));
        auto spec = tune::loadSweepFile(QDir::current().absoluteFilePath(args.at(1)));
        if (!spec)
            return fail(spec.status());
        out(QStringLiteral("%1: %2 parameters, %3 sampler, %4 pruner, %5 trials; ok").arg(args.at(1)).arg(spec->space.size()).arg(spec->sampler.type, spec->pruner.type).arg(spec->trials));
        return ExitOk;
    }
    if (what == QLatin1String("resume")) {
        if (args.size() != 2)
            return p.usageError(QStringLiteral("give the sweep's name: `tune resume NAME`"));
        return runSweep(p, context, true, args.at(1));
    }
    if (what == QLatin1String("status") || what == QLatin1String("best")) {
        auto ws = openWorkspace(context);
        if (!ws)
            return fail(ws.status());
        return what == QLatin1String("status") ? status(p, **ws) : best(p, **ws);
    }
    if (args.size() != 1)
        return p.usageError(QStringLiteral("`tune SWEEP.yaml` takes one sweep file (got %1)").arg(args.join(QLatin1Char(' '))));
    return runSweep(p, context, false, what);
}

} // namespace orrery::cli
