#include "ui/experiments/sweep_snapshot.h"

#include "core/store/database.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <charconv>
#include <cmath>

namespace orrery::ui {

using tune::Trial;
using tune::TrialState;

namespace {

const QString kSweepIdTag = QStringLiteral("orrery.sweep.id");
const QString kTrialTag = QStringLiteral("orrery.sweep.trial");
const QString kParentTag = QStringLiteral("mlflow.parentRunId");

Result<QHash<QString, QString>> sweepTags(store::Database &db, const QString &runId)
{
    ORRERY_ASSIGN_OR_RETURN(auto q, db.prepare(QStringLiteral("SELECT key, value FROM tags WHERE run_id = ? AND key IN (?, ?, ?)")));
    q.bind(1, runId).bind(2, kSweepIdTag).bind(3, kTrialTag).bind(4, kParentTag);
    QHash<QString, QString> tags;
    while (q.next())
        tags.insert(q.text(0), q.text(1));
    ORRERY_TRY(q.status());
    return tags;
}

bool same(const Trial &a, const Trial &b)
{
    return a.state == b.state && a.value == b.value && a.steps == b.steps && a.started == b.started && a.finished == b.finished
        && a.runId == b.runId && a.reason == b.reason;
}

TrialState stateOf(std::string_view s)
{
    if (s == "complete")
        return TrialState::Complete;
    if (s == "pruned")
        return TrialState::Pruned;
    if (s == "running")
        return TrialState::Running;
    if (s == "queued")
        return TrialState::Queued;
    return TrialState::Failed;
}

// "[0.00123,2,null]" → {0.00123, 2, NaN}: the point as SweepStore writes it (JSON numbers or null).
tune::Point parsePoint(std::string_view text, int size)
{
    tune::Point p;
    p.reserve(size_t(size));
    size_t i = text.find('[');
    i = i == std::string_view::npos ? text.size() : i + 1;
    while (i < text.size()) {
        while (i < text.size() && (text[i] == ' ' || text[i] == ','))
            ++i;
        if (i >= text.size() || text[i] == ']')
            break;
        double v = std::nan("");
        const auto [end, ec] = std::from_chars(text.data() + i, text.data() + text.size(), v);
        if (ec != std::errc()) { // null (inactive), or anything else that is not a number
            v = std::nan("");
            const size_t next = text.find_first_of(",]", i);
            i = next == std::string_view::npos ? text.size() : next;
        } else {
            i = size_t(end - text.data());
        }
        p.push_back(v);
    }
    return p;
}

bool better(double a, double b, tune::Direction direction)
{
    return direction == tune::Direction::Minimize ? a < b : a > b;
}

// A param's value as the parallel coordinates take it: numbers as numbers, anything else (a list
// of hidden sizes, a text) as its compact JSON, a category.
QVariant paramCell(const QJsonValue &v)
{
    if (v.isDouble())
        return QString::number(v.toDouble(), 'g', 10);
    if (v.isString())
        return v.toString();
    if (v.isBool())
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    if (v.isArray())
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    if (v.isObject())
        return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    return {}; // inactive
}

} // namespace

Result<SweepRef> resolveSweepOfRun(store::Database &db, const QString &runId)
{
    ORRERY_ASSIGN_OR_RETURN(const auto tags, sweepTags(db, runId));
    if (tags.contains(kSweepIdTag))
        return SweepRef{tags.value(kSweepIdTag).toLongLong(), -1};
    const QString parent = tags.value(kParentTag);
    if (parent.isEmpty())
        return SweepRef{};
    ORRERY_ASSIGN_OR_RETURN(const auto parentTags, sweepTags(db, parent));
    if (!parentTags.contains(kSweepIdTag))
        return SweepRef{};
    SweepRef ref{parentTags.value(kSweepIdTag).toLongLong(), -1};
    bool ok = false;
    const int tagged = tags.value(kTrialTag).toInt(&ok);
    if (ok)
        ref.trial = tagged;
    return ref;
}

int SweepSnapshot::indexOf(int number) const
{
    const auto it = std::lower_bound(trials.cbegin(), trials.cend(), number, [](const Trial &t, int n) { return t.number < n; });
    return it != trials.cend() && it->number == number ? int(it - trials.cbegin()) : -1;
}

Result<SweepSnapshotPtr> SweepReader::read(store::Database &db)
{
    tune::SweepStore store(db);
    auto out = std::make_shared<SweepSnapshot>();
    ORRERY_ASSIGN_OR_RETURN(out->sweep, store.byId(m_sweepId));
    const bool all = !m_loaded || out->sweep.updated != m_sweepUpdated;
    if (all) {
        ORRERY_TRY(readAll(db, *out));
    } else {
        ORRERY_TRY(readChanges(store, *out));
    }
    m_loaded = true;
    m_sweepUpdated = out->sweep.updated;
    out->trials = m_trials;
    out->suggestedModelName = m_suggestedName;
    summarize(*out);
    ORRERY_TRY(readCurves(db, *out));
    ORRERY_TRY(readBestRun(db, *out));
    return SweepSnapshotPtr(std::move(out));
}

Status SweepReader::readAll(store::Database &db, SweepSnapshot &out)
{
    // SweepStore::trials parses two JSON documents per row (params and point): half a second at
    // 100,000 trials, more than the view's whole budget. Every trial is read here without its
    // params (the view writes them from the point and the space: SearchSpace::valueOf), the point
    // parsed in place from its UTF-8 text.
    ORRERY_ASSIGN_OR_RETURN(auto q,
        db.prepare(QStringLiteral("SELECT number, state, point, value, steps, run_id, reason, started, finished, source, job FROM sweep_trials "
                                  "WHERE sweep_id = ? ORDER BY number")));
    q.bind(1, m_sweepId);
    m_trials.clear();
    const int params = out.sweep.spec.space.size();
    while (q.next()) {
        Trial t;
        t.number = int(q.int64(0));
        t.state = stateOf(q.utf8(1));
        t.point = parsePoint(q.utf8(2), params);
        if (!q.isNull(3))
            t.value = q.real(3);
        t.steps = int(q.int64(4));
        if (const std::string_view run = q.utf8(5); !run.empty())
            t.runId = QString::fromUtf8(run.data(), qsizetype(run.size()));
        if (const std::string_view reason = q.utf8(6); !reason.empty())
            t.reason = QString::fromUtf8(reason.data(), qsizetype(reason.size()));
        t.started = q.isNull(7) ? 0 : q.int64(7);
        t.finished = q.isNull(8) ? 0 : q.int64(8);
        if (q.utf8(9) != "sampler")
            t.source = q.text(9);
        if (const std::string_view job = q.utf8(10); !job.empty())
            t.job = QString::fromUtf8(job.data(), qsizetype(job.size()));
        m_trials.append(std::move(t));
    }
    ORRERY_TRY(q.status());
    m_newestStamp = 0;
    for (const Trial &t : std::as_const(m_trials))
        m_newestStamp = std::max({m_newestStamp, t.started, t.finished});
    out.full = true;
    // A registered model already fed from this sweep's experiment is the likely name to register
    // under (the demo's "fraud"); else the sweep's own name.
    m_suggestedName = out.sweep.name;
    ORRERY_ASSIGN_OR_RETURN(auto name,
        db.prepare(QStringLiteral(
            "SELECT mv.name FROM model_versions mv JOIN runs r ON r.id = mv.run_id "
            "WHERE r.experiment_id = (SELECT experiment_id FROM runs WHERE id = ?) ORDER BY mv.creation_time DESC LIMIT 1")));
    name.bind(1, out.sweep.runId);
    if (name.next())
        m_suggestedName = name.text(0);
    return name.status();
}

Status SweepReader::readChanges(tune::SweepStore &store, SweepSnapshot &out)
{
    ORRERY_ASSIGN_OR_RETURN(const QVector<Trial> changed, store.trialsChangedSince(m_sweepId, m_newestStamp - kChangeMarginMs));
    out.full = false;
    bool outOfOrder = false;
    for (const Trial &t : changed) {
        m_newestStamp = std::max({m_newestStamp, t.started, t.finished});
        const auto it = std::lower_bound(m_trials.begin(), m_trials.end(), t.number, [](const Trial &a, int n) { return a.number < n; });
        if (it != m_trials.end() && it->number == t.number) {
            if (same(*it, t))
                continue;
            *it = t;
        } else {
            outOfOrder = outOfOrder || it != m_trials.end();
            m_trials.insert(it, t);
        }
        out.changed.append(t.number);
    }
    // A trial numbered below the newest one appeared (a queued rerun started): rows move, so the
    // view takes the whole list again.
    out.full = outOfOrder;
    return Status::ok();
}

void SweepReader::summarize(SweepSnapshot &out)
{
    tune::SweepSummary &s = out.summary;
    std::optional<double> best;
    for (const Trial &t : std::as_const(m_trials)) {
        s.stepsUsed += t.steps;
        switch (t.state) {
        case TrialState::Queued: ++s.queued; break;
        case TrialState::Running: ++s.running; break;
        case TrialState::Pruned: ++s.pruned; break;
        case TrialState::Failed: ++s.failed; break;
        case TrialState::Complete:
            ++s.complete;
            if (t.value && std::isfinite(*t.value) && (!best || better(*t.value, *best, out.sweep.direction))) {
                best = t.value;
                s.bestTrial = t.number;
                s.bestValue = best;
                out.bestSoFar.append(QPointF(t.number, *best));
            }
            break;
        }
    }
    if (best && !m_trials.isEmpty() && out.bestSoFar.last().x() < m_trials.last().number)
        out.bestSoFar.append(QPointF(m_trials.last().number, *best));
    // Importance and the parallel coordinates change only when a trial completes (or on a full read).
    bool completed = out.full;
    for (int i = 0; !completed && i < out.changed.size(); ++i) {
        const int at = out.indexOf(out.changed[i]);
        completed = at >= 0 && out.trials[at].state == TrialState::Complete;
    }
    if (completed || !m_cacheValid) {
        m_importance = tune::parameterImportance(out.sweep.spec.space, m_trials);
        m_population = buildPopulation(out);
        m_cacheValid = true;
        ++m_generation;
    }
    out.populationGeneration = m_generation;
    out.importance = m_importance;
    out.population = m_population;
}

Status SweepReader::readCurves(store::Database &db, SweepSnapshot &out) const
{
    if (m_trials.isEmpty())
        return Status::ok();
    // The newest trials (what a user watches arrive and get pruned) and the best ones (what they
    // are measured against).
    const int recentFrom = m_trials[std::max(0, int(m_trials.size()) - kRecentCurves)].number;
    QVector<int> best;
    {
        QVector<std::pair<double, int>> complete;
        for (const Trial &t : std::as_const(m_trials))
            if (t.number < recentFrom && t.state == TrialState::Complete && t.value && std::isfinite(*t.value))
                complete.append({out.sweep.direction == tune::Direction::Minimize ? *t.value : -*t.value, t.number});
        const int k = std::min<int>(kBestCurves, int(complete.size()));
        std::partial_sort(complete.begin(), complete.begin() + k, complete.end());
        for (int i = 0; i < k; ++i)
            best.append(complete[i].second);
        std::sort(best.begin(), best.end());
    }
    QHash<int, int> curveOf; // number → index in out.curves
    auto add = [&](store::Statement &q) {
        while (q.next()) {
            const int number = int(q.int64(0));
            auto it = curveOf.find(number);
            if (it == curveOf.end()) {
                SweepStepCurve c;
                c.number = number;
                const int at = out.indexOf(number);
                c.state = at >= 0 ? out.trials[at].state : TrialState::Running;
                it = curveOf.insert(number, int(out.curves.size()));
                out.curves.append(c);
            }
            if (!q.isNull(2))
                out.curves[*it].points.append(QPointF(double(q.int64(1)), q.real(2)));
        }
        return q.status();
    };
    ORRERY_ASSIGN_OR_RETURN(auto one,
        db.prepare(QStringLiteral("SELECT number, step, value FROM sweep_steps WHERE sweep_id = ? AND number = ? ORDER BY step")));
    for (int number : std::as_const(best)) {
        one.reset();
        one.bind(1, m_sweepId).bind(2, number);
        ORRERY_TRY(add(one));
    }
    ORRERY_ASSIGN_OR_RETURN(auto recent,
        db.prepare(QStringLiteral("SELECT number, step, value FROM sweep_steps WHERE sweep_id = ? AND number >= ? ORDER BY number, step")));
    recent.bind(1, m_sweepId).bind(2, recentFrom);
    return add(recent);
}

Status SweepReader::readBestRun(store::Database &db, SweepSnapshot &out) const
{
    if (!out.summary.bestTrial)
        return Status::ok();
    const int at = out.indexOf(*out.summary.bestTrial);
    if (at < 0 || out.trials[at].runId.isEmpty())
        return Status::ok();
    out.bestRunId = out.trials[at].runId;
    ORRERY_ASSIGN_OR_RETURN(auto q, db.prepare(QStringLiteral("SELECT 1 FROM tags WHERE run_id = ? AND key = 'orrery.model_artifact'")));
    q.bind(1, out.bestRunId);
    out.bestRunHasModel = q.next();
    return q.status();
}

RunPopulation SweepReader::buildPopulation(const SweepSnapshot &out) const
{
    RunPopulation p;
    const tune::SearchSpace &space = out.sweep.spec.space;
    for (const tune::ParamSpec &spec : space.params())
        p.paramKeys << spec.name;
    p.metricKeys << out.sweep.metric;
    QVector<int> complete; // indices in m_trials
    for (int i = 0; i < m_trials.size(); ++i)
        if (m_trials[i].state == TrialState::Complete && m_trials[i].value && std::isfinite(*m_trials[i].value))
            complete.append(i);
    p.totalRuns = int(complete.size());
    QVector<int> chosen = complete;
    if (complete.size() > kPopulationCap) {
        // The best half of the cap, then the others spread evenly over the trials' order.
        const tune::Direction d = out.sweep.direction;
        std::vector<int> order(complete.begin(), complete.end());
        std::nth_element(order.begin(), order.begin() + kPopulationCap / 2, order.end(),
            [&](int a, int b) { return better(*m_trials[a].value, *m_trials[b].value, d); });
        std::vector<int> rest(order.begin() + kPopulationCap / 2, order.end());
        std::sort(rest.begin(), rest.end());
        chosen = QVector<int>(order.begin(), order.begin() + kPopulationCap / 2);
        const int more = kPopulationCap - kPopulationCap / 2;
        for (int k = 0; k < more; ++k)
            chosen.append(rest[size_t(double(k) * double(rest.size()) / more)]);
        std::sort(chosen.begin(), chosen.end());
    }
    p.rows.reserve(chosen.size());
    for (int i : std::as_const(chosen)) {
        const Trial &t = m_trials[i];
        tracking::RunRow row;
        row.info.runId = t.runId.isEmpty() ? QStringLiteral("trial-%1").arg(t.number) : t.runId;
        row.info.runName = QStringLiteral("#%1").arg(t.number);
        for (int k = 0; k < space.size(); ++k)
            row.values.append(size_t(k) < t.point.size() ? paramCell(space.valueOf(t.point, k)) : QVariant());
        row.values.append(*t.value);
        p.rows.append(std::move(row));
    }
    return p;
}

} // namespace orrery::ui
