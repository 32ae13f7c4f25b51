#include "core/tune/sweep_runner.h"

#include "core/common/atomic_file.h"
#include "core/common/clock.h"
#include "core/common/job.h"
#include "core/data/workspace_worktree.h"
#include "core/exec/executor.h"
#include "core/exec/executor_set.h"
#include "core/exec/report_channel.h"
#include "core/store/database.h"
#include "core/tracking/run_journal_import.h"
#include "core/tracking/tracking_store.h"
#include "core/train/trainer_config.h"
#include "core/tune/pruner.h"
#include "core/tune/sampler.h"
#include "core/tune/stage_trial.h"
#include "core/tune/trial_config.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QHash>
#include <QSet>
#include <QThread>

#include <atomic>
#include <cmath>
#include <memory>
#include <mutex>
#include <thread>

namespace orrery::tune {
namespace {

QString shellQuote(const QString &s)
{
    QString q = s;
    q.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
    return QLatin1Char('\'') + q + QLatin1Char('\'');
}

// The last non-empty line of a trial's log: why it failed, in the trainer's words.
QString lastLogLine(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return QString();
    const qint64 size = f.size();
    f.seek(qMax<qint64>(0, size - 4096));
    const QStringList lines = QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    return lines.isEmpty() ? QString() : lines.last().trimmed();
}

bool better(Direction d, double a, double b) { return d == Direction::Maximize ? a > b : a < b; }

// One trial in flight: its process is followed on `thread`, which writes only `status`, `error`
// and `done`; the rest belongs to the controller.
struct Slot {
    Trial trial;
    QString dir;
    std::unique_ptr<exec::ReportReader> reader;
    std::thread thread;
    std::atomic<bool> cancel{false};
    std::atomic<bool> done{false};
    exec::JobStatus status;
    // The executor's last word while it runs, handed from the trial's thread to the controller,
    // which writes what changed to the trial's row (other processes' views read it there).
    std::mutex jobMutex;
    QString jobText;
    QString jobTextWritten;
    QString error;

    // On the trial's thread: what its executor says now, and how its job ended.
    void noteJob(const QString &executor, const exec::JobStatus &status)
    {
        std::lock_guard<std::mutex> lock(jobMutex);
        jobText = executor == QLatin1String("local") ? QString() : exec::describeJob(executor, status);
    }
    void end(const Result<exec::JobStatus> &ran)
    {
        if (ran)
            status = *ran;
        else
            error = ran.status().message();
        done.store(true);
    }
    std::optional<data::WorkspaceWorktree> worktree; // a stage's trial
    bool pruneRequested = false;
    bool metricMissing = false; // finished, and its metric nowhere: the sweep file's mistake
    QStringList reportedKeys; // what the trainer reports, for the error when the metric is not among them
    int lastStep = 0;
    double lastValue = std::nan("");
};

} // namespace

struct SweepRunner::Impl {
    SweepRunner &self;
    Sweep sweep;
    SweepStore store;
    std::unique_ptr<Sampler> sampler;
    std::unique_ptr<Pruner> pruner;
    History history;
    QHash<int, int> historyAt; // trial number → its place in history.trials
    int queuedInHistory = 0;
    QVector<Trial> queue;            // reruns, then enqueued configurations
    QSet<int> recorded;              // numbers of queued trials that have their row already (reruns)
    int nextNumber = 0;
    int total = 0;
    int parallel = 1;
    QString dir;
    QByteArray baseConfig;
    QStringList stageMetrics; // a stage sweep: the stage's metrics files, workspace-relative
    bool unprunableWarned = false;
    QString experimentName;
    std::vector<std::unique_ptr<Slot>> running;

    Impl(SweepRunner &s, const Sweep &w) : self(s), sweep(w), store(s.m_db, s.m_options.clock) {}

    bool stageMode() const { return !sweep.spec.stage.isEmpty(); }

    Result<data::WorkspaceWorktree> stageWorktree(const Trial &t)
    {
        return prepareStageTrial(self.m_root, QStringLiteral("tune-%1-%2").arg(sweep.id).arg(t.number),
                                 QStringLiteral("orrery/tune/%1/%2").arg(sweep.id).arg(t.number), t.params);
    }

    double stageMetric(const Slot &slot) const
    {
        return slot.worktree ? metricFromFiles(slot.worktree->workspace, stageMetrics, sweep.spec.metric) : std::nan("");
    }

    void publish(SweepEvent e)
    {
        if (!self.m_options.onEvent)
            return;
        e.sweep = sweep;
        // Counting the trials reads them all: not for every epoch of every trial.
        if (e.kind != SweepEvent::Kind::TrialStep)
            if (auto s = store.summary(sweep.id, sweep.direction))
                e.summary = *s;
        self.m_options.onEvent(e);
    }

    // The sampler's view of trial `number`, made on first use. Looked up by number and counted as it
    // changes: the loop asks every few milliseconds, and a sweep may hold 100,000 trials.
    HistoryTrial &historyOf(int number)
    {
        const auto at = historyAt.constFind(number);
        if (at != historyAt.cend())
            return history.trials[size_t(*at)];
        historyAt.insert(number, int(history.trials.size()));
        history.trials.push_back(HistoryTrial{number, {}, TrialState::Running, 0.0, 0});
        return history.trials.back();
    }

    void setState(HistoryTrial &h, TrialState state)
    {
        queuedInHistory += int(state == TrialState::Queued) - int(h.state == TrialState::Queued);
        h.state = state;
    }

    // Where trials run: the options' executor (a test's), else the sweep's placement.
    std::unique_ptr<exec::ExecutorSet> executors;
    exec::Executor *executor = nullptr;

    Status chooseExecutor()
    {
        if (self.m_options.executor) {
            executor = self.m_options.executor;
            return Status::ok();
        }
        // A stage's trial is `orrery-cli run STAGE` in a worktree, which records into the workspace
        // database: it runs here, and the stage itself goes where executors.yaml places it.
        if (stageMode() && sweep.spec.placement.executor != QLatin1String("local"))
            return invalidArgument(QStringLiteral("%1: a sweep over the stage '%2' runs its trials on this machine (each is `orrery-cli run %2`, which records into "
                                                  "the workspace database); remove placement: and place the stage in executors.yaml — each trial's run then sends it to %3")
                                       .arg(sweep.spec.file, sweep.spec.stage, sweep.spec.placement.executor));
        executors = std::make_unique<exec::ExecutorSet>(self.m_root);
        ORRERY_ASSIGN_OR_RETURN(executor, executors->get(sweep.spec.placement.executor));
        return executor->check(QStringLiteral("sweep %1's trials").arg(sweep.name), sweep.spec.placement.resources, QProcessEnvironment::systemEnvironment());
    }

    bool runsHere() const { return executor && executor->name() == QLatin1String("local"); }

    // A grid or random sweep on a scheduler with job arrays runs its trials as arrays: their
    // configurations do not depend on results, so they are known before any runs. Launched
    // trials wait in `arrayBatch` until the batch is submitted as one array.
    bool arrayMode() const
    {
        const QString &type = sweep.spec.sampler.type;
        return executor && executor->runsArrays() && (type == QLatin1String("grid") || type == QLatin1String("random"));
    }
    static constexpr int kArrayBatch = 256; // trials per array (each is followed by a thread)
    QVector<std::pair<Slot *, exec::JobSpec>> arrayBatch;

    Status submitArrayBatch()
    {
        if (arrayBatch.isEmpty())
            return Status::ok();
        QVector<exec::JobSpec> jobs;
        for (const auto &[slot, job] : arrayBatch)
            jobs.push_back(job);
        ORRERY_ASSIGN_OR_RETURN(std::shared_ptr<exec::JobArray> array,
                                executor->submitArray(QStringLiteral("trials of sweep %1").arg(sweep.name), jobs, parallel));
        const QString name = executor->name();
        for (int i = 0; i < arrayBatch.size(); ++i) {
            Slot *raw = arrayBatch[i].first;
            raw->thread = std::thread([raw, array, i, name] {
                raw->end(array->follow(i, &raw->cancel, [raw, name](const exec::JobStatus &status) { raw->noteJob(name, status); }));
            });
        }
        arrayBatch.clear();
        return Status::ok();
    }

    // A trial's job text into its row when it changed (the controller's thread).
    Status writeJobText(Slot &slot)
    {
        QString text;
        {
            std::lock_guard<std::mutex> lock(slot.jobMutex);
            text = slot.jobText;
        }
        if (text == slot.jobTextWritten)
            return Status::ok();
        slot.jobTextWritten = text;
        return store.setTrialJob(sweep.id, slot.trial.number, text);
    }

    Status prepare()
    {
        const SweepSpec &spec = sweep.spec;
        ORRERY_TRY(chooseExecutor());
        ORRERY_ASSIGN_OR_RETURN(sampler, makeSampler(spec.sampler, spec.space));
        ORRERY_ASSIGN_OR_RETURN(pruner, makePruner(spec.pruner, spec.direction));
        history.direction = spec.direction;
        if (stageMode()) {
            ORRERY_ASSIGN_OR_RETURN(stageMetrics, stageMetricsFiles(self.m_root, spec.stage, spec.file));
            experimentName = QStringLiteral("pipeline");
        } else {
            QFile base(spec.trainConfig);
            if (!base.open(QIODevice::ReadOnly))
                return ioError(QStringLiteral("cannot read the training config %1: %2").arg(spec.trainConfig, base.errorString()));
            baseConfig = base.readAll();
            ORRERY_ASSIGN_OR_RETURN(const train::TrainConfig config,
                                    train::parseTrainConfig(baseConfig, spec.trainConfig, QFileInfo(spec.trainConfig).absolutePath()));
            experimentName = config.tracking.experiment;
        }
        dir = SweepRunner::sweepDir(self.m_root, sweep.id);
        if (!QDir().mkpath(dir))
            return ioError(QStringLiteral("cannot create %1").arg(dir));

        // What has happened so far: the sampler's history, the pruner's state, what to rerun.
        ORRERY_ASSIGN_OR_RETURN(const QVector<Trial> trials, store.trials(sweep.id));
        ORRERY_ASSIGN_OR_RETURN(const QVector<TrialStep> steps, store.steps(sweep.id));
        int enqueuedUsed = 0;
        int s = 0;
        for (const Trial &t : trials) {
            nextNumber = qMax(nextNumber, t.number + 1);
            if (t.source == QLatin1String("enqueued"))
                ++enqueuedUsed;
            if (t.state == TrialState::Queued) {
                queue.push_back(t);
                recorded.insert(t.number);
                continue;
            }
            HistoryTrial &h = historyOf(t.number);
            h.x = t.point;
            setState(h, t.state);
            h.value = t.value.value_or(std::nan(""));
            h.lastStep = t.steps;
            for (; s < steps.size() && steps[s].number < t.number; ++s) {
            }
            for (; s < steps.size() && steps[s].number == t.number; ++s)
                pruner->report(t.number, steps[s].step, steps[s].value);
            pruner->finished(t.number, t.state);
        }
        for (int i = enqueuedUsed; i < spec.enqueue.size(); ++i) {
            ORRERY_ASSIGN_OR_RETURN(const Point p, spec.space.fromJson(spec.enqueue[i]));
            Trial t;
            t.number = -1; // numbered when it starts
            t.point = p;
            t.params = spec.space.toJson(p);
            t.source = QStringLiteral("enqueued");
            queue.push_back(t);
        }
        total = self.m_options.trials > 0 ? self.m_options.trials : spec.trials;
        if (sampler->size() > 0 && total > sampler->size() + int(spec.enqueue.size()))
            total = int(sampler->size()) + int(spec.enqueue.size());
        parallel = self.m_options.parallel > 0 ? self.m_options.parallel : spec.parallel;
        return Status::ok();
    }

    Status ensureTrackingRun()
    {
        tracking::TrackingStore tracking(self.m_db, self.m_options.clock);
        if (!sweep.runId.isEmpty()) {
            const tracking::RunStatus running = tracking::RunStatus::Running;
            return tracking.updateRun(sweep.runId, &running, 0, QString()).status();
        }
        auto experiment = tracking.experimentByName(experimentName);
        QString experimentId;
        if (experiment) {
            experimentId = experiment->id;
        } else {
            ORRERY_ASSIGN_OR_RETURN(experimentId, tracking.createExperiment(experimentName));
        }
        const SweepSpec &spec = sweep.spec;
        ORRERY_ASSIGN_OR_RETURN(const tracking::RunInfo run, tracking.createRun(experimentId, sweep.name, 0,
                                                                               {{QStringLiteral("orrery.sweep"), sweep.name},
                                                                                {QStringLiteral("orrery.sweep.id"), QString::number(sweep.id)},
                                                                                {QStringLiteral("orrery.sweep.metric"), spec.metric},
                                                                                {QStringLiteral("orrery.sweep.direction"), directionName(spec.direction)}}));
        ORRERY_TRY(tracking.logBatchParamsAndTags(run.runId,
                                                  {{QStringLiteral("sweep.sampler"), spec.sampler.type},
                                                   {QStringLiteral("sweep.pruner"), spec.pruner.type},
                                                   {QStringLiteral("sweep.trials"), QString::number(spec.trials)},
                                                   {QStringLiteral("sweep.parallel"), QString::number(spec.parallel)},
                                                   {QStringLiteral("sweep.file"), QDir(self.m_root).relativeFilePath(spec.file)}},
                                                  {}));
        ORRERY_TRY(store.setRunId(sweep.id, run.runId));
        sweep.runId = run.runId;
        return Status::ok();
    }

    // Trials started so far (a stopped sweep's queued-again ones not counted).
    int launched() const { return int(history.trials.size()) - queuedInHistory; }

    bool samplerExhausted() const
    {
        return sampler->size() > 0 && launched() - int(sweep.spec.enqueue.size()) >= sampler->size();
    }

    // Whether next() would give a trial.
    bool hasMore() const { return launched() < total && (!queue.isEmpty() || !samplerExhausted()); }

    // The next trial to start, or none when the sweep has started all it will.
    Result<std::optional<Trial>> next()
    {
        if (launched() >= total)
            return std::optional<Trial>();
        if (!queue.isEmpty()) {
            Trial t = queue.takeFirst();
            if (t.number < 0)
                t.number = nextNumber++;
            return std::optional<Trial>(t);
        }
        Trial t;
        t.number = nextNumber;
        if (samplerExhausted())
            return std::optional<Trial>();
        ORRERY_ASSIGN_OR_RETURN(t.point, sampler->suggest(sweep.spec.space, history, t.number));
        t.params = sweep.spec.space.toJson(t.point);
        t.source = QStringLiteral("sampler");
        ++nextNumber;
        return std::optional<Trial>(t);
    }

    Status launch(Trial t, bool firstOfSweep)
    {
        auto slot = std::make_unique<Slot>();
        slot->dir = dir + QStringLiteral("/trial-%1").arg(t.number);
        QDir(slot->dir).removeRecursively();
        if (!QDir().mkpath(slot->dir))
            return ioError(QStringLiteral("cannot create %1").arg(slot->dir));
        const QString runName = QStringLiteral("%1 #%2").arg(sweep.name).arg(t.number);
        Result<QByteArray> config = QByteArray();
        Status configOk;
        if (!stageMode()) {
            config = trialTrainConfig(baseConfig, QFileInfo(sweep.spec.trainConfig).absolutePath(), t.params, runName);
            configOk = config.status();
            if (config)
                configOk = train::parseTrainConfig(*config, slot->dir + QStringLiteral("/config.yaml"), slot->dir).status();
        }
        if (!configOk && firstOfSweep)
            return Status(configOk.code(), QStringLiteral("the first trial's config (%1) is not a valid training config: %2")
                                               .arg(QString::fromUtf8(QJsonDocument(t.params).toJson(QJsonDocument::Compact)), configOk.message()));
        const bool rerun = recorded.remove(t.number);
        t.state = TrialState::Running;
        if (rerun)
            ORRERY_TRY(store.startTrial(sweep.id, t.number));
        else
            ORRERY_TRY(store.addTrial(sweep.id, t));
        HistoryTrial &h = historyOf(t.number);
        h.x = t.point;
        setState(h, TrialState::Running);
        slot->trial = t;
        if (!configOk) {
            slot->error = configOk.message();
            slot->done = true;
            running.push_back(std::move(slot));
            return Status::ok();
        }
        slot->reader = std::make_unique<exec::ReportReader>(slot->dir);
        exec::JobSpec job;
        job.name = QStringLiteral("trial %1 of sweep %2").arg(t.number).arg(sweep.name);
        job.logPath = slot->dir + QStringLiteral("/log.txt");
        if (stageMode()) {
            ORRERY_TRY(common::writeFileAtomically(slot->dir + QStringLiteral("/params.json"), QJsonDocument(t.params).toJson()));
            ORRERY_ASSIGN_OR_RETURN(slot->worktree, stageWorktree(t));
            job.workDir = slot->worktree->workspace;
            // --force: the stage itself always runs (a trial measures it); what it needs may come from the run cache.
            job.commandLine = QStringLiteral("exec %1 run --force %2").arg(shellQuote(self.m_options.cliPath), shellQuote(sweep.spec.stage));
        } else {
            ORRERY_TRY(common::writeFileAtomically(slot->dir + QStringLiteral("/config.yaml"), *config));
            job.workDir = self.m_root;
            job.commandLine = QStringLiteral("exec %1 train %2").arg(shellQuote(self.m_options.cliPath), shellQuote(slot->dir + QStringLiteral("/config.yaml")));
        }
        job.timeoutMs = exec::tighterLimit(sweep.spec.trialTimeoutMs, sweep.spec.placement.timeLimitMs);
        job.resources = sweep.spec.placement.resources;
        job.endsWithSubmitter = true; // `exec`: the trainer itself is the job's process
        job.env.insert(QStringLiteral("ORRERY_REPORT_DIR"), slot->dir);
        job.env.insert(QStringLiteral("ORRERY_PARENT_RUN_ID"), sweep.runId);
        exec::Executor &executor = *this->executor;
        Slot *raw = slot.get();
        if (arrayMode()) {
            arrayBatch.push_back({raw, job}); // its thread starts when the batch is submitted
        } else {
            slot->thread = std::thread([raw, job, &executor] {
                const QString name = executor.name();
                raw->end(executor.run(job, &raw->cancel, [raw, name](const exec::JobStatus &status) { raw->noteJob(name, status); }));
            });
        }
        running.push_back(std::move(slot));
        SweepEvent e;
        e.kind = SweepEvent::Kind::TrialStarted;
        e.trial = t;
        publish(e);
        return Status::ok();
    }

    Status readReports(Slot &slot)
    {
        if (!slot.reader)
            return Status::ok();
        for (const exec::Report &r : slot.reader->poll()) {
            const QJsonValue v = r.values.value(sweep.spec.metric);
            if (slot.reportedKeys.isEmpty())
                slot.reportedKeys = r.values.keys();
            if (!r.values.contains(sweep.spec.metric) && stageMode()) {
                // A stage's metric from its metrics file (test roc_auc) is not what the trainer
                // reports per epoch: nothing to prune on; the trial goes on.
                if (!unprunableWarned && sweep.spec.pruner.type != QLatin1String("none")) {
                    unprunableWarned = true;
                    publish(SweepEvent{SweepEvent::Kind::Warning, {}, {}, 0, 0.0,
                                    QStringLiteral("the training reports no %1 per epoch (it reports %2): trials are not pruned")
                                        .arg(sweep.spec.metric, r.values.keys().join(QStringLiteral(", "))), {}});
                }
                ORRERY_TRY(slot.reader->answer(r.step, exec::Verdict::Continue));
                continue;
            }
            const double value = v.isDouble() ? v.toDouble() : std::nan("");
            slot.lastStep = r.step;
            slot.lastValue = value;
            ORRERY_TRY(store.addStep(sweep.id, slot.trial.number, r.step, value));
            pruner->report(slot.trial.number, r.step, value);
            const bool prune = !slot.pruneRequested && pruner->shouldPrune(slot.trial.number, r.step);
            if (prune)
                slot.pruneRequested = true;
            ORRERY_TRY(slot.reader->answer(r.step, prune ? exec::Verdict::Stop : exec::Verdict::Continue));
            SweepEvent e;
            e.kind = SweepEvent::Kind::TrialStep;
            e.trial = slot.trial;
            e.step = r.step;
            e.value = value;
            publish(e);
        }
        return Status::ok();
    }

    // How the trial ended, from the job's status, the pruner's verdict and the trainer's result.
    Trial conclude(Slot &slot, bool sweepCancelled)
    {
        Trial t = slot.trial;
        t.steps = slot.lastStep;
        const auto result = slot.reader ? slot.reader->result() : std::nullopt;
        if (result)
            t.runId = result->value(QStringLiteral("run_id")).toString();
        const QString metricKey = sweep.spec.metric.mid(4); // without val_
        if (sweepCancelled && slot.status.state == exec::JobState::Cancelled) {
            t.state = TrialState::Queued;
            return t;
        }
        if (!slot.error.isEmpty()) {
            t.state = TrialState::Failed;
            t.reason = slot.error;
        } else if (slot.status.state == exec::JobState::TimedOut) {
            t.state = TrialState::Failed;
            t.reason = QStringLiteral("ran longer than trial_timeout (%1 s) and was stopped").arg(double(sweep.spec.trialTimeoutMs) / 1000.0);
        } else if (slot.status.state != exec::JobState::Succeeded) {
            t.state = TrialState::Failed;
            const QString last = lastLogLine(slot.dir + QStringLiteral("/log.txt"));
            const QString how = slot.status.state == exec::JobState::Failed ? QStringLiteral("exited with status %1").arg(slot.status.exitCode)
                                : slot.status.reason.isEmpty()                    ? exec::jobStateName(slot.status.state)
                                                                                  : QStringLiteral("%1 (%2)").arg(exec::jobStateName(slot.status.state), slot.status.reason);
            t.reason = QStringLiteral("the training %1%2").arg(how, last.isEmpty() ? QString() : QStringLiteral(": ") + last);
        } else if (slot.pruneRequested) {
            t.state = TrialState::Pruned;
            t.value = slot.lastValue;
            t.reason = QStringLiteral("pruned by %1 at step %2").arg(sweep.spec.pruner.type).arg(slot.lastStep);
        } else {
            // A stage's metrics file first (its metric is what the stage measures); else the
            // trainer's final validation value of a val_ metric; else its last report.
            const double fromStage = stageMetric(slot);
            const QJsonValue v = !std::isnan(fromStage) || !sweep.spec.metric.startsWith(QLatin1String("val_")) || !result
                                     ? QJsonValue(QJsonValue::Undefined)
                                     : result->value(QStringLiteral("validation")).toObject().value(QStringLiteral("overall")).toObject().value(metricKey);
            double value = !std::isnan(fromStage) ? fromStage : v.isDouble() ? v.toDouble() : std::nan("");
            const bool seen = v.isDouble() || !std::isnan(value) || slot.reportedKeys.contains(sweep.spec.metric) || !v.isUndefined();
            if (std::isnan(value))
                value = slot.lastValue;
            if (std::isfinite(value)) {
                t.state = TrialState::Complete;
                t.value = value;
            } else {
                t.state = TrialState::Failed;
                t.reason = seen || !v.isUndefined() ? QStringLiteral("%1 is NaN").arg(sweep.spec.metric)
                                                    : QStringLiteral("it reported no %1").arg(sweep.spec.metric);
                slot.metricMissing = !seen && v.isUndefined();
            }
        }
        return t;
    }

    Status finishSlot(Slot &slot, bool sweepCancelled)
    {
        if (slot.thread.joinable())
            slot.thread.join();
        // A trial that ran elsewhere (Slurm, Kubernetes) journaled its run in its job folder: it is
        // recorded before the trial is, so the run id its result names exists when it is tagged.
        if (!slot.status.jobDir.isEmpty()) {
            auto imported = tracking::importRunJournal(self.m_db, self.m_root, slot.status.jobDir, self.m_options.clock);
            if (!imported)
                publish(SweepEvent{SweepEvent::Kind::Warning, {}, {}, 0, 0.0,
                                   QStringLiteral("trial %1: its run could not be recorded: %2").arg(slot.trial.number).arg(imported.status().message()), {}});
            else
                for (const QString &w : imported->warnings)
                    publish(SweepEvent{SweepEvent::Kind::Warning, {}, {}, 0, 0.0, QStringLiteral("trial %1: %2").arg(slot.trial.number).arg(w), {}});
        }
        ORRERY_TRY(readReports(slot));
        ORRERY_TRY(writeJobText(slot)); // how its job ended, where it ran elsewhere
        Trial t = conclude(slot, sweepCancelled);
        if (slot.worktree) {
            // The trial's files are in its folder (log, params); its runs in the database.
            if (const Status removed = data::removeWorkspaceWorktree(self.m_root, *slot.worktree, true); !removed)
                publish(SweepEvent{SweepEvent::Kind::Warning, {}, {}, 0, 0.0, QStringLiteral("trial %1: %2").arg(t.number).arg(removed.message()), {}});
        }
        // A metric the trainer never reports is the sweep file's mistake, not the trial's: every
        // trial would fail the same way.
        if (slot.metricMissing && !slot.reportedKeys.isEmpty())
            return invalidArgument(QStringLiteral("the training reports no '%1'; metric: in %2 must be one of %3")
                                       .arg(sweep.spec.metric, sweep.spec.file, slot.reportedKeys.join(QStringLiteral(", "))));
        if (t.state == TrialState::Queued) {
            // Stopped with the sweep: queued again under its number, run again on resume.
            ORRERY_TRY(store.requeueTrial(sweep.id, t.number));
            HistoryTrial &h = historyOf(t.number);
            setState(h, TrialState::Queued);
            return Status::ok();
        }
        ORRERY_TRY(store.finishTrial(sweep.id, t));
        pruner->finished(t.number, t.state);
        HistoryTrial &h = historyOf(t.number);
        setState(h, t.state);
        h.value = t.value.value_or(std::nan(""));
        h.lastStep = t.steps;
        if (!t.runId.isEmpty()) {
            tracking::TrackingStore tracking(self.m_db, self.m_options.clock);
            (void)tracking.logBatchParamsAndTags(t.runId, {},
                                                 {{QStringLiteral("orrery.sweep"), sweep.name},
                                                  {QStringLiteral("orrery.sweep.trial"), QString::number(t.number)},
                                                  {QStringLiteral("orrery.sweep.state"), trialStateName(t.state)}});
        }
        SweepEvent e;
        e.kind = SweepEvent::Kind::TrialEnded;
        e.trial = t;
        publish(e);
        return Status::ok();
    }
};

SweepRunner::SweepRunner(QString workspaceRoot, store::Database &db, SweepRunOptions options)
    : m_root(std::move(workspaceRoot)), m_db(db), m_options(std::move(options))
{
    if (m_options.cliPath.isEmpty())
        m_options.cliPath = QCoreApplication::applicationDirPath() + QStringLiteral("/orrery-cli");
}

SweepRunner::~SweepRunner() = default;

QString SweepRunner::sweepDir(const QString &workspaceRoot, qint64 sweepId)
{
    return workspaceRoot + QStringLiteral("/.orrery/tune/%1").arg(sweepId);
}

Result<SweepOutcome> SweepRunner::start(const SweepSpec &spec, common::JobContext *job)
{
    SweepStore store(m_db, m_options.clock);
    ORRERY_ASSIGN_OR_RETURN(const Sweep sweep, store.create(spec));
    return run(sweep.id, job);
}

Result<SweepOutcome> SweepRunner::resume(const QString &name, common::JobContext *job)
{
    SweepStore store(m_db, m_options.clock);
    ORRERY_ASSIGN_OR_RETURN(const auto sweep, store.find(name));
    if (!sweep)
        return notFound(QStringLiteral("no sweep named '%1' (`orrery-cli tune status` lists them)").arg(name));
    return run(sweep->id, job);
}

Result<SweepOutcome> SweepRunner::run(qint64 sweepId, common::JobContext *job)
{
    SweepStore store(m_db, m_options.clock);
    ORRERY_ASSIGN_OR_RETURN(const Sweep claimed, store.claim(sweepId));
    Impl d(*this, claimed);
    const auto fail = [&](const Status &s) -> Status {
        for (auto &slot : d.running) {
            slot->cancel = true;
            if (slot->thread.joinable())
                slot->thread.join();
        }
        (void)store.finish(sweepId, QStringLiteral("failed"), s.message());
        return s;
    };
    if (const Status s = d.prepare(); !s)
        return fail(s);
    if (const Status s = d.ensureTrackingRun(); !s)
        return fail(s);
    d.publish(SweepEvent{SweepEvent::Kind::Started, {}, {}, 0, 0.0, {}, {}});
    const int cores = QThread::idealThreadCount();
    if (d.parallel > cores && d.runsHere())
        d.publish(SweepEvent{SweepEvent::Kind::Warning, {}, {}, 0, 0.0,
                          QStringLiteral("%1 trials at once on %2 cores: they will share the processors and each will train more slowly").arg(d.parallel).arg(cores), {}});

    bool cancelled = false;
    bool first = d.launched() == 0;
    while (true) {
        cancelled = cancelled || (job && job->isCancelled()) || (m_options.isCancelled && m_options.isCancelled());
        if (cancelled) {
            for (auto &slot : d.running)
                slot->cancel = true;
        }
        // Start trials while there is room.
        // An array is submitted whole, the next one when the last has ended (Slurm keeps `parallel`
        // of its tasks running); otherwise one trial per free place.
        const int room = d.arrayMode() ? (d.running.empty() ? SweepRunner::Impl::kArrayBatch : 0) : d.parallel - int(d.running.size());
        for (int started = 0; !cancelled && started < room; ++started) {
            auto next = d.next();
            if (!next)
                return fail(next.status());
            if (!*next)
                break;
            if (const Status s = d.launch(**next, first); !s)
                return fail(s);
            first = false;
        }
        if (const Status s = d.submitArrayBatch(); !s)
            return fail(s);
        for (auto &slot : d.running) {
            if (const Status s = d.readReports(*slot); !s)
                return fail(s);
            if (const Status s = d.writeJobText(*slot); !s)
                return fail(s);
        }
        for (auto it = d.running.begin(); it != d.running.end();) {
            if (!(*it)->done.load()) {
                ++it;
                continue;
            }
            if (const Status s = d.finishSlot(**it, cancelled); !s)
                return fail(s);
            it = d.running.erase(it);
        }
        if (d.running.empty() && (cancelled || !d.hasMore()))
            break;
        if (job && d.launched() > 0)
            job->setProgress(d.launched() - qint64(d.running.size()), d.total, QStringLiteral("%1 trials running").arg(d.running.size()));
        QThread::msleep(ulong(m_options.pollMs));
    }

    ORRERY_ASSIGN_OR_RETURN(const SweepSummary summary, store.summary(sweepId, d.sweep.direction));
    const QString state = cancelled ? QStringLiteral("stopped") : QStringLiteral("finished");
    const QString reason = cancelled ? QStringLiteral("stopped; `orrery-cli tune resume %1` continues it").arg(d.sweep.name)
                                     : QStringLiteral("%1 complete, %2 pruned, %3 failed").arg(summary.complete).arg(summary.pruned).arg(summary.failed);
    ORRERY_TRY(store.finish(sweepId, state, reason));
    tracking::TrackingStore tracking(m_db, m_options.clock);
    QVector<tracking::KeyValue> tags;
    if (summary.bestTrial)
        tags = {{QStringLiteral("orrery.sweep.best_trial"), QString::number(*summary.bestTrial)},
                {QStringLiteral("orrery.sweep.best_value"), QString::number(*summary.bestValue, 'g', 10)}};
    (void)tracking.logBatchParamsAndTags(d.sweep.runId, {}, tags);
    const tracking::RunStatus runStatus = cancelled ? tracking::RunStatus::Killed : tracking::RunStatus::Finished;
    (void)tracking.updateRun(d.sweep.runId, &runStatus, (m_options.clock ? *m_options.clock : common::Clock::system()).nowMs(), QString());

    SweepOutcome out;
    ORRERY_ASSIGN_OR_RETURN(out.sweep, store.byId(sweepId));
    out.summary = summary;
    out.cancelled = cancelled;
    if (summary.bestTrial) {
        ORRERY_ASSIGN_OR_RETURN(const QVector<Trial> trials, store.trials(sweepId));
        for (const Trial &t : trials)
            if (t.number == *summary.bestTrial)
                out.best = t;
    }
    SweepEvent e;
    e.kind = SweepEvent::Kind::Finished;
    d.publish(e);
    return out;
}

} // namespace orrery::tune
