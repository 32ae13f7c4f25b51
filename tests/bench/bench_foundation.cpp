// bench foundation: the cost of opening a workspace and of the audit log.
//   bench_foundation WORKDIR
// Prints `bench NAME VALUE UNIT` lines (docs/architecture.md, "Testing"). Medians of repeated runs where a single run
// is short, because these machines are noisy.
#include "core/audit/audit_log.h"
#include "core/store/database.h"
#include "core/workspace/workspace.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace orrery;

namespace {
void bench(const char *name, double value, const char *unit)
{
    std::printf("bench %s %.3f %s\n", name, value, unit);
    std::fflush(stdout);
}
double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}
[[noreturn]] void die(const Status &s)
{
    std::fprintf(stderr, "bench_foundation: %s\n", qPrintable(s.message()));
    std::exit(2);
}
} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (app.arguments().size() != 2) {
        std::fprintf(stderr, "usage: bench_foundation WORKDIR\n");
        return 2;
    }
    const QString work = app.arguments().at(1);
    QDir(work).removeRecursively();
    QDir().mkpath(work);

    // init: a new git repository, the database and its migrations, the first audit entry.
    {
        std::vector<double> ms;
        for (int i = 0; i < 10; ++i) {
            QElapsedTimer t;
            t.start();
            auto r = workspace::Workspace::init(work + QStringLiteral("/init%1").arg(i));
            if (!r)
                die(r.status());
            ms.push_back(t.nsecsElapsed() / 1e6);
        }
        bench("workspace_init", median(ms), "ms");
    }

    const QString root = work + QStringLiteral("/init0");
    {
        std::vector<double> ms;
        for (int i = 0; i < 50; ++i) {
            QElapsedTimer t;
            t.start();
            auto ws = workspace::Workspace::open(root);
            if (!ws)
                die(ws.status());
            ms.push_back(t.nsecsElapsed() / 1e6);
        }
        bench("workspace_open", median(ms), "ms");
    }

    auto ws = workspace::Workspace::open(root);
    if (!ws)
        die(ws.status());
    audit::AuditLog &log = (*ws)->audit();

    // 100,000 entries in one transaction: the hash chain and the inserts, one fsync.
    {
        QVector<audit::AuditRecord> records;
        records.reserve(100000);
        for (int i = 0; i < 100000; ++i)
            records.append({QStringLiteral("bench.append"), QStringLiteral("target %1").arg(i), QStringLiteral("why %1").arg(i),
                            QStringLiteral("{\"i\":%1}").arg(i)});
        QElapsedTimer t;
        t.start();
        if (const Status s = log.appendAll(records); !s)
            die(s);
        const double seconds = t.nsecsElapsed() / 1e9;
        bench("audit_append_100k_batch", seconds, "s");
        bench("audit_append_batch_rate", 100000 / seconds, "entries/s");
    }

    // One entry per transaction: what a single state change costs (one fsync each).
    {
        constexpr int n = 200;
        QElapsedTimer t;
        t.start();
        for (int i = 0; i < n; ++i)
            if (auto e = log.append({QStringLiteral("bench.single"), QStringLiteral("t"), QString()}); !e)
                die(e.status());
        bench("audit_append_single", t.nsecsElapsed() / 1e6 / n, "ms/entry");
    }

    {
        QElapsedTimer t;
        t.start();
        auto report = log.verify();
        if (!report)
            die(report.status());
        if (!report->ok)
            die(corrupt(report->problem));
        bench("audit_verify_100k", t.nsecsElapsed() / 1e9, "s");
    }
    {
        std::vector<double> ms;
        for (int i = 0; i < 20; ++i) {
            QElapsedTimer t;
            t.start();
            auto ws2 = workspace::Workspace::open(root);
            if (!ws2)
                die(ws2.status());
            ms.push_back(t.nsecsElapsed() / 1e6);
        }
        bench("workspace_open_with_100k_audit", median(ms), "ms");
    }
    return 0;
}
