// bench tracking: metric ingest through the writer thread, and decimation of a long history.
//   bench_tracking WORKDIR [POINTS]
// Prints `bench NAME VALUE UNIT` lines.
#include "core/store/database.h"
#include "core/tracking/metric_history.h"
#include "core/tracking/metric_writer.h"
#include "core/tracking/tracking_store.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

using namespace orrery;

namespace {
[[noreturn]] void die(const Status &s)
{
    std::fprintf(stderr, "bench_tracking: %s\n", qPrintable(s.message()));
    std::exit(2);
}
} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList a = app.arguments();
    if (a.size() < 2)
        return 2;
    const qint64 total = a.size() > 2 ? a[2].toLongLong() : 10'000'000;
    QDir(a[1]).removeRecursively();
    QDir().mkpath(a[1]);
    const QString path = a[1] + QStringLiteral("/bench.db");
    store::OpenOptions o;
    o.create = true;
    auto db = store::Database::open(path, o);
    if (!db)
        die(db.status());
    tracking::TrackingStore store(**db);
    QStringList runs;
    for (int r = 0; r < 10; ++r)
        runs << store.createRun(QStringLiteral("0"))->runId;
    const QStringList keys = {QStringLiteral("loss"), QStringLiteral("acc"), QStringLiteral("lr"), QStringLiteral("grad_norm"), QStringLiteral("auc")};

    // Ingest: 10 runs × 5 keys, interleaved as a training loop logs them.
    {
        auto writer = tracking::MetricWriter::open(path);
        if (!writer)
            die(writer.status());
        const qint64 n = total / 2;
        // A training loop asks for its series once and logs by handle.
        std::vector<int> series;
        for (int k = 0; k < 5; ++k)
            for (int r = 0; r < 10; ++r)
                series.push_back((*writer)->series(runs[r], keys[k]));
        std::vector<float> latencyNs;
        latencyNs.reserve(size_t(n / 16) + 1);
        QElapsedTimer t;
        t.start();
        for (qint64 i = 0; i < n; ++i) {
            const int s = series[size_t(((i / 10) % 5) * 10 + i % 10)];
            const double value = 1.0 / double(i + 1);
            if ((i & 15) == 0) {
                const auto before = std::chrono::steady_clock::now();
                (*writer)->log(s, {i / 50, 1700000000000 + i, value});
                latencyNs.push_back(float(std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - before).count()));
            } else {
                (*writer)->log(s, {i / 50, 1700000000000 + i, value});
            }
        }
        const double enqueueSeconds = t.nsecsElapsed() / 1e9;
        if (const Status s = (*writer)->flush(); !s)
            die(s);
        const double seconds = t.nsecsElapsed() / 1e9;
        std::sort(latencyNs.begin(), latencyNs.end());
        std::printf("bench metric_ingest_sustained %.0f points/s\n", double(n) / seconds);
        std::printf("bench metric_enqueue_rate %.0f points/s\n", double(n) / enqueueSeconds);
        std::printf("bench metric_enqueue_p50 %.3f us\n", latencyNs[latencyNs.size() / 2] / 1000.0);
        std::printf("bench metric_enqueue_p99 %.3f us\n", latencyNs[size_t(double(latencyNs.size()) * 0.99)] / 1000.0);
        std::fflush(stdout);
    }

    // One metric of `total` points, then its history decimated to 2,000 points.
    {
        auto writer = tracking::MetricWriter::open(path);
        const QString run = runs.first();
        const int s = (*writer)->series(run, QStringLiteral("long"));
        for (qint64 i = 0; i < total; ++i)
            (*writer)->log(s, {i, i, std::sin(i / 1000.0) + (i == total / 3 ? 100.0 : 0.0)});
        if (const Status s = (*writer)->close(); !s)
            die(s);
        std::vector<double> ms;
        for (int k = 0; k < 7; ++k) {
            QElapsedTimer t;
            t.start();
            auto d = tracking::decimatedHistory(**db, run, QStringLiteral("long"), 2000);
            if (!d)
                die(d.status());
            ms.push_back(t.nsecsElapsed() / 1e6);
            if (d->size() > 2000 || std::none_of(d->begin(), d->end(), [](const auto &p) { return p.value > 99.0; }))
                die(internalError(QStringLiteral("decimation lost the spike or returned too many points")));
        }
        std::sort(ms.begin(), ms.end());
        std::printf("bench metric_history_%lldM_to_2000 %.3f ms\n", total / 1000000, ms[ms.size() / 2]);

        // Zoomed in around the spike: 1% of the history (segment summaries) and 0.05% (points).
        for (const auto &[name, width] : {std::pair{"1pct", total / 100}, std::pair{"0.05pct", total / 2000}}) {
            const tracking::StepRange range{total / 3 - width / 2, total / 3 + width / 2};
            std::vector<double> zoom;
            for (int k = 0; k < 7; ++k) {
                QElapsedTimer t;
                t.start();
                auto d = tracking::decimatedHistory(**db, run, QStringLiteral("long"), 2000, tracking::Decimation::MinMax, range);
                if (!d)
                    die(d.status());
                zoom.push_back(t.nsecsElapsed() / 1e6);
                if (d->size() > 2000 || d->size() < 1900 || std::none_of(d->begin(), d->end(), [](const auto &p) { return p.value > 99.0; }))
                    die(internalError(QStringLiteral("zoomed decimation lost the spike or returned the wrong number of points")));
            }
            std::sort(zoom.begin(), zoom.end());
            std::printf("bench metric_history_zoom_%s_to_2000 %.3f ms\n", name, zoom[zoom.size() / 2]);
        }
    }
    return 0;
}
