// bench registry: the model registry at scale — 1,000 registered models × 100 versions (each with
// a lineage of ~1 KB, two tags, champion and challenger aliases and their history), written
// straight into the schema in one transaction, then read as orrery-cli models list and the
// Registry area read them:
//   registry_models_list_1k     ModelRegistry::models(), all 1,000 with aliases and counts (<= 200 ms)
//   registry_versions_by_run    versions of one run id among 100,000 (<= 20 ms)
//   registry_versions_by_tag    versions with one tag value (<= 20 ms)
//   registry_lineage            one version with its lineage, tags and aliases (<= 10 ms)
// Medians of several rounds. packaging/bench.sh registry runs MLflow 2.4's own registry store
// (tests/bench/peers/registry_mlflow.py, SQLAlchemy over SQLite) on the same shape beside it.
//   bench_registry WORKDIR [MODELS] [VERSIONS]
#include "core/registry/model_registry.h"
#include "tests/bench/registry_population.h"
#include "core/store/database.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

using namespace orrery;

namespace {

[[noreturn]] void die(const Status &s)
{
    std::fprintf(stderr, "bench_registry: %s\n", qPrintable(s.message()));
    std::exit(1);
}

void check(const Status &s)
{
    if (!s.isOk())
        die(s);
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

template <typename F>
double timeMs(F &&f, int rounds)
{
    std::vector<double> times;
    for (int r = 0; r < rounds; ++r) {
        QElapsedTimer t;
        t.start();
        f();
        times.push_back(t.nsecsElapsed() / 1e6);
    }
    return median(times);
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: bench_registry WORKDIR [MODELS] [VERSIONS]\n");
        return 2;
    }
    const QString dir = QString::fromLocal8Bit(argv[1]);
    const int models = argc > 2 ? std::atoi(argv[2]) : 1000;
    const int versions = argc > 3 ? std::atoi(argv[3]) : 100;
    QDir().mkpath(dir);
    const QString path = dir + QStringLiteral("/registry.db");
    QFile::remove(path);
    store::OpenOptions o;
    o.create = true;
    auto db = store::Database::open(path, o);
    if (!db)
        die(db.status());
    QElapsedTimer t;
    t.start();
    check(populateRegistry(**db, models, versions));
    std::printf("bench registry_populate_%dx%d %.1f s\n", models, versions, t.nsecsElapsed() / 1e9);

    registry::ModelRegistry reg(**db);
    int listed = 0;
    registry::ModelQuery all;
    all.limit = models;
    const double list = timeMs([&] {
        auto r = reg.models(all);
        if (!r)
            die(r.status());
        listed = int(r->size());
    }, 5);
    if (listed != models)
        die(internalError(QStringLiteral("listed %1 models, expected %2").arg(listed).arg(models)));
    std::printf("bench registry_models_list_%dk %.2f ms\n", models / 1000, list);

    int round = 0;
    const double byRun = timeMs([&] {
        registry::VersionQuery q;
        q.runId = benchRunId((round * 37) % models, 1 + (round * 13) % versions);
        ++round;
        auto r = reg.versions(q);
        if (!r || r->size() != 1)
            die(r ? internalError(QStringLiteral("run search found %1").arg(r->size())) : r.status());
    }, 21);
    std::printf("bench registry_versions_by_run %.3f ms\n", byRun);

    const double byTag = timeMs([&] {
        registry::VersionQuery q;
        q.tagKey = QStringLiteral("dataset");
        const int i = round++;
        q.tagValue = QStringLiteral("ds-%1").arg(1 + (i * 13) % versions);
        q.name = QStringLiteral("model-%1").arg((i * 37) % models, 4, 10, QLatin1Char('0'));
        auto r = reg.versions(q);
        if (!r || r->size() != 1)
            die(r ? internalError(QStringLiteral("tag search found %1").arg(r->size())) : r.status());
    }, 21);
    std::printf("bench registry_versions_by_tag %.3f ms\n", byTag);

    const double lineage = timeMs([&] {
        const int i = round++;
        auto v = reg.version(QStringLiteral("model-%1").arg((i * 37) % models, 4, 10, QLatin1Char('0')), 1 + (i * 13) % versions);
        if (!v || v->lineage.value(QStringLiteral("data")).toArray().isEmpty())
            die(v ? internalError(QStringLiteral("no lineage")) : v.status());
    }, 21);
    std::printf("bench registry_lineage %.3f ms\n", lineage);
    return 0;
}
