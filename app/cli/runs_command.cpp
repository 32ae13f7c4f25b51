// orrery-cli runs list | show | diff | export
#include "app/cli/cli.h"

#include "core/common/atomic_file.h"
#include "core/data/csv_writer.h"
#include "core/store/database.h"
#include "core/tracking/run_diff.h"
#include "core/tracking/run_manifest.h"
#include "core/tracking/run_search.h"
#include "core/tracking/tracking_store.h"
#include "core/workspace/workspace.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>

#include <cmath>
#include <cstdio>

namespace orrery::cli {
namespace {

QString isoTime(qint64 ms)
{
    return ms > 0 ? QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs) : QString();
}

QJsonValue number(double v)
{
    return std::isfinite(v) ? QJsonValue(v) : QJsonValue(QString::number(v)); // "nan", "inf" as text
}

QJsonObject runJson(const tracking::Run &r)
{
    QJsonObject params, tags, metrics;
    for (const auto &p : r.params)
        params.insert(p.key, p.value);
    for (const auto &t : r.tags)
        tags.insert(t.key, t.value);
    for (const auto &m : r.metrics)
        metrics.insert(m.key, number(m.value));
    return {{QStringLiteral("run_id"), r.info.runId},
            {QStringLiteral("run_name"), r.info.runName},
            {QStringLiteral("experiment_id"), r.info.experimentId},
            {QStringLiteral("status"), QString::fromLatin1(tracking::runStatusName(r.info.status))},
            {QStringLiteral("status_reason"), r.info.statusReason},
            {QStringLiteral("user_id"), r.info.userId},
            {QStringLiteral("start_time"), isoTime(r.info.startTime)},
            {QStringLiteral("end_time"), r.info.endTime > 0 ? QJsonValue(isoTime(r.info.endTime)) : QJsonValue()},
            {QStringLiteral("lifecycle_stage"), r.info.lifecycleStage},
            {QStringLiteral("params"), params},
            {QStringLiteral("tags"), tags},
            {QStringLiteral("metrics"), metrics}};
}

// --experiment NAME or ID, and the shared query options.
Result<tracking::RunQuery> queryFrom(CommandParser &p, store::Database &db)
{
    tracking::RunQuery q;
    q.filter = p.value(QStringLiteral("filter"));
    q.orderBy = p.parser().values(QStringLiteral("order-by"));
    if (p.isSet(QStringLiteral("all")))
        q.view = tracking::ViewType::All;
    const QString experiment = p.value(QStringLiteral("experiment"));
    if (!experiment.isEmpty()) {
        tracking::TrackingStore store(db);
        auto byName = store.experimentByName(experiment);
        auto byId = byName ? byName : store.experiment(experiment);
        if (!byId)
            return notFound(QStringLiteral("no experiment named or numbered '%1'").arg(experiment));
        q.experimentIds = {byId->id};
    }
    return q;
}

void addQueryOptions(CommandParser &p)
{
    p.parser().addOption({QStringLiteral("experiment"), QStringLiteral("Only runs of this experiment (name or id)."), QStringLiteral("NAME")});
    p.parser().addOption({QStringLiteral("filter"), QStringLiteral("MLflow search syntax, e.g. \"metrics.auc > 0.9 and params.lr = '0.01'\"."), QStringLiteral("FILTER")});
    p.parser().addOption({QStringLiteral("order-by"), QStringLiteral("e.g. \"metrics.auc DESC\" (repeatable)."), QStringLiteral("ORDER")});
    p.parser().addOption({QStringLiteral("all"), QStringLiteral("Include deleted runs.")});
}

int list(const Context &context, CommandParser &p, store::Database &db)
{
    auto q = queryFrom(p, db);
    if (!q)
        return fail(q.status());
    bool ok = false;
    q->maxResults = p.value(QStringLiteral("max")).toInt(&ok);
    if (!ok || q->maxResults <= 0)
        return p.usageError(QStringLiteral("--max must be a positive whole number"));
    auto page = tracking::searchRuns(db, *q);
    if (!page)
        return fail(page.status());
    if (p.json()) {
        QJsonArray array;
        for (const auto &r : page->runs)
            array.append(runJson(r));
        printJson(array);
        return ExitOk;
    }
    if (page->runs.isEmpty()) {
        out(QStringLiteral("No runs."));
        return ExitOk;
    }
    out(QStringLiteral("%1  %2  %3  %4  %5").arg(QStringLiteral("RUN"), -8).arg(QStringLiteral("NAME"), -22).arg(QStringLiteral("STATUS"), -9)
            .arg(QStringLiteral("STARTED (UTC)"), -19).arg(QStringLiteral("METRICS")));
    for (const auto &r : page->runs) {
        QStringList metrics;
        for (const auto &m : r.metrics)
            metrics << QStringLiteral("%1=%2").arg(m.key).arg(m.value, 0, 'g', 5);
        out(QStringLiteral("%1  %2  %3  %4  %5").arg(r.info.runId.left(8), -8).arg(r.info.runName.left(22), -22)
                .arg(QString::fromLatin1(tracking::runStatusName(r.info.status)), -9)
                .arg(isoTime(r.info.startTime).left(19).replace(QLatin1Char('T'), QLatin1Char(' ')), -19)
                .arg(metrics.join(QLatin1Char(' '))));
    }
    if (!page->nextPageToken.isEmpty())
        out(QStringLiteral("… more runs; raise --max to see them."));
    return ExitOk;
}

// Runs are named by id or any unique prefix of it (as git does with commits).
Result<QString> resolveRun(store::Database &db, const QString &idOrPrefix)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(QStringLiteral("SELECT id FROM runs WHERE id GLOB ? LIMIT 2")));
    s.bind(1, QString(idOrPrefix).remove(QLatin1Char('*')).remove(QLatin1Char('?')).remove(QLatin1Char('[')) + QLatin1Char('*'));
    QStringList ids;
    while (s.next())
        ids << s.text(0);
    if (ids.isEmpty())
        return notFound(QStringLiteral("no run with id '%1'").arg(idOrPrefix));
    if (ids.size() > 1)
        return invalidArgument(QStringLiteral("'%1' names more than one run; give more of the id").arg(idOrPrefix));
    return ids.first();
}

int show(CommandParser &p, store::Database &db, const QString &idArg)
{
    auto id = resolveRun(db, idArg);
    if (!id)
        return fail(id.status());
    auto run = tracking::TrackingStore(db).run(*id);
    if (!run)
        return fail(run.status());
    auto manifest = tracking::loadManifest(db, *id);
    QJsonObject o = runJson(*run);
    if (manifest)
        o.insert(QStringLiteral("manifest"), manifest->json);
    if (p.json()) {
        printJson(o);
        return ExitOk;
    }
    out(QStringLiteral("Run %1 (%2) in experiment %3").arg(run->info.runId, run->info.runName, run->info.experimentId));
    out(QStringLiteral("  status   %1%2").arg(QString::fromLatin1(tracking::runStatusName(run->info.status)),
                                              run->info.statusReason.isEmpty() ? QString() : QStringLiteral(" — ") + run->info.statusReason));
    out(QStringLiteral("  started  %1   ended %2   by %3").arg(isoTime(run->info.startTime), isoTime(run->info.endTime), run->info.userId));
    out(QStringLiteral("Params"));
    for (const auto &kv : run->params)
        out(QStringLiteral("  %1 = %2").arg(kv.key, kv.value));
    out(QStringLiteral("Metrics (latest)"));
    for (const auto &m : run->metrics)
        out(QStringLiteral("  %1 = %2 (step %3)").arg(m.key).arg(m.value, 0, 'g', 10).arg(m.step));
    out(QStringLiteral("Tags"));
    for (const auto &kv : run->tags)
        out(QStringLiteral("  %1 = %2").arg(kv.key, kv.value));
    if (!manifest) {
        out(QStringLiteral("Reproducibility: no manifest (the run was logged by a client that did not record one)"));
        return ExitOk;
    }
    const QJsonObject code = manifest->json.value(QStringLiteral("code")).toObject();
    out(QStringLiteral("Code     commit %1 on %2%3").arg(code.value(QStringLiteral("commit")).toString(), code.value(QStringLiteral("branch")).toString(),
                                                        code.value(QStringLiteral("dirty")).toBool() ? QStringLiteral(", with uncommitted changes") : QString()));
    for (const auto &d : manifest->json.value(QStringLiteral("data")).toArray())
        out(QStringLiteral("Data     %1  md5 %2").arg(d.toObject().value(QStringLiteral("path")).toString(), d.toObject().value(QStringLiteral("md5")).toString()));
    const QJsonObject seeds = manifest->json.value(QStringLiteral("seeds")).toObject();
    for (auto it = seeds.begin(); it != seeds.end(); ++it)
        out(QStringLiteral("Seed     %1 = %2").arg(it.key(), it.value().toString()));
    const QJsonObject env = manifest->json.value(QStringLiteral("environment")).toObject();
    QStringList libs;
    const QJsonObject libraries = env.value(QStringLiteral("libraries")).toObject();
    for (auto it = libraries.begin(); it != libraries.end(); ++it)
        libs << it.key() + QLatin1Char(' ') + it.value().toString();
    out(QStringLiteral("Env      %1, %2, %3 CPUs; %4").arg(env.value(QStringLiteral("os")).toString(), env.value(QStringLiteral("cpu")).toString())
            .arg(env.value(QStringLiteral("cpu_count")).toInt()).arg(libs.join(QStringLiteral(", "))));
    if (p.isSet(QStringLiteral("diff")) && !code.value(QStringLiteral("diff")).toString().isEmpty())
        out(QStringLiteral("Uncommitted diff:\n") + code.value(QStringLiteral("diff")).toString());
    return ExitOk;
}

int diff(CommandParser &p, store::Database &db, const QString &a, const QString &b)
{
    auto idA = resolveRun(db, a);
    auto idB = resolveRun(db, b);
    if (!idA)
        return fail(idA.status());
    if (!idB)
        return fail(idB.status());
    tracking::TrackingStore store(db);
    auto runA = store.run(*idA);
    auto runB = store.run(*idB);
    if (!runA || !runB)
        return fail(!runA ? runA.status() : runB.status());
    auto mA = tracking::loadManifest(db, *idA);
    auto mB = tracking::loadManifest(db, *idB);
    const auto fa = tracking::flattenRun(*runA, mA ? mA->json : QJsonObject());
    const auto fb = tracking::flattenRun(*runB, mB ? mB->json : QJsonObject());
    QStringList keys = fa.keys() + fb.keys();
    keys.removeDuplicates();
    keys.sort();
    QJsonArray differences;
    for (const QString &k : keys) {
        if (k.startsWith(QLatin1String("tags.mlflow.runName")))
            continue;
        const QString va = fa.value(k), vb = fb.value(k);
        if (va == vb)
            continue;
        differences.append(QJsonObject{{QStringLiteral("key"), k}, {QStringLiteral("a"), fa.contains(k) ? QJsonValue(va) : QJsonValue()},
                                       {QStringLiteral("b"), fb.contains(k) ? QJsonValue(vb) : QJsonValue()}});
    }
    if (p.json()) {
        printJson(QJsonObject{{QStringLiteral("a"), *idA}, {QStringLiteral("b"), *idB}, {QStringLiteral("differences"), differences}});
        return ExitOk;
    }
    out(QStringLiteral("a = %1 (%2)\nb = %3 (%4)").arg(*idA, runA->info.runName, *idB, runB->info.runName));
    if (differences.isEmpty())
        out(QStringLiteral("No differences in params, metrics, tags, data, code or environment."));
    for (const auto &d : differences) {
        const QJsonObject o = d.toObject();
        out(QStringLiteral("%1\n    a: %2\n    b: %3").arg(o.value(QStringLiteral("key")).toString(),
                                                          o.value(QStringLiteral("a")).isNull() ? QStringLiteral("(none)") : o.value(QStringLiteral("a")).toString(),
                                                          o.value(QStringLiteral("b")).isNull() ? QStringLiteral("(none)") : o.value(QStringLiteral("b")).toString()));
    }
    return ExitOk;
}

int exportCsv(CommandParser &p, store::Database &db)
{
    auto q = queryFrom(p, db);
    if (!q)
        return fail(q.status());
    q->maxResults = 50000;
    auto page = tracking::searchRuns(db, *q);
    if (!page)
        return fail(page.status());
    QStringList paramKeys, metricKeys;
    for (const auto &r : page->runs) {
        for (const auto &kv : r.params)
            if (!paramKeys.contains(kv.key))
                paramKeys << kv.key;
        for (const auto &m : r.metrics)
            if (!metricKeys.contains(m.key))
                metricKeys << m.key;
    }
    paramKeys.sort();
    metricKeys.sort();
    const QString output = p.value(QStringLiteral("output"));
    QFile stdoutFile;
    common::AtomicFile file(output);
    std::unique_ptr<data::CsvWriter> writer;
    if (output.isEmpty() || output == QLatin1String("-")) {
        if (!stdoutFile.open(stdout, QIODevice::WriteOnly))
            return fail(QStringLiteral("cannot write to standard output"));
        writer = std::make_unique<data::CsvWriter>(&stdoutFile);
    } else {
        if (const Status s = file.open(); !s)
            return fail(s);
        writer = std::make_unique<data::CsvWriter>(&file);
    }
    QStringList header = {QStringLiteral("run_id"), QStringLiteral("run_name"), QStringLiteral("experiment_id"), QStringLiteral("status"),
                          QStringLiteral("start_time"), QStringLiteral("end_time")};
    for (const QString &k : paramKeys)
        header << QStringLiteral("params.") + k;
    for (const QString &k : metricKeys)
        header << QStringLiteral("metrics.") + k;
    if (const Status s = writer->writeRow(header); !s)
        return fail(s);
    for (const auto &r : page->runs) {
        QStringList row = {r.info.runId, r.info.runName, r.info.experimentId, QString::fromLatin1(tracking::runStatusName(r.info.status)),
                           isoTime(r.info.startTime), isoTime(r.info.endTime)};
        for (const QString &k : paramKeys) {
            QString v;
            for (const auto &kv : r.params)
                if (kv.key == k)
                    v = kv.value;
            row << v;
        }
        for (const QString &k : metricKeys) {
            QString v;
            for (const auto &m : r.metrics)
                if (m.key == k)
                    v = QString::number(m.value, 'g', 17);
            row << v;
        }
        if (const Status s = writer->writeRow(row); !s)
            return fail(s);
    }
    if (const Status s = writer->finish(); !s)
        return fail(s);
    if (!output.isEmpty() && output != QLatin1String("-")) {
        if (const Status s = file.commit(); !s)
            return fail(s);
        std::fprintf(stderr, "exported %lld runs to %s\n", qint64(page->runs.size()), qPrintable(output));
    }
    return ExitOk;
}

} // namespace

int runRuns(const Context &context)
{
    CommandParser p(context, QStringLiteral("runs"),
                    QStringLiteral("Tracked runs.\n"
                                   "  list [--experiment E] [--filter F] [--order-by O] [--max N]\n"
                                   "  show RUN [--diff]      params, metrics, tags and the reproducibility manifest\n"
                                   "  diff RUN_A RUN_B       what differs in params, metrics, data, code and environment\n"
                                   "  export [--output FILE.csv]   one row per run (spreadsheet-safe CSV)\n"
                                   "A RUN is its id or a unique prefix of it."));
    p.parser().addPositionalArgument(QStringLiteral("SUBCOMMAND"), QStringLiteral("list, show, diff or export"));
    addQueryOptions(p);
    p.parser().addOption({QStringLiteral("max"), QStringLiteral("At most N runs (default 100)."), QStringLiteral("N"), QStringLiteral("100")});
    p.parser().addOption({QStringLiteral("diff"), QStringLiteral("show: print the uncommitted code diff too.")});
    p.parser().addOption({QStringLiteral("output"), QStringLiteral("export: the CSV file (default: standard output)."), QStringLiteral("FILE")});
    p.addJsonOption();
    int code = 0;
    if (!p.parse(&code))
        return code;
    const QStringList args = p.positional();
    if (args.isEmpty())
        return p.usageError(QStringLiteral("give a subcommand: list, show, diff or export"));
    auto ws = openWorkspace(context);
    if (!ws)
        return fail(ws.status());
    store::Database &db = (*ws)->database();
    (void)tracking::TrackingStore(db).markDeadRuns();
    const QString sub = args.first();
    if (sub == QLatin1String("list") && args.size() == 1)
        return list(context, p, db);
    if (sub == QLatin1String("show") && args.size() == 2)
        return show(p, db, args[1]);
    if (sub == QLatin1String("diff") && args.size() == 3)
        return diff(p, db, args[1], args[2]);
    if (sub == QLatin1String("export") && args.size() == 1)
        return exportCsv(p, db);
    return p.usageError(QStringLiteral("expected `runs list`, `runs show RUN`, `runs diff RUN_A RUN_B` or `runs export`"));
}

} // namespace orrery::cli
