// A second (third…) Orrery process for the multi-process tests.
//   workspace_helper append ROOT N TAG    append N audit entries, one transaction each
//   workspace_helper hold-lock ROOT NAME WHAT SECONDS   hold a workspace lock, print "locked"
//   workspace_helper threads ROOT N     behave as the window does: N threads, each with a
//                                       connection it keeps and a fresh one per round (the window's
//                                       jobs open their own), appending audit entries until a line
//                                       arrives on stdin; then prints "ack TARGET" per entry
//                                       committed and exits 1 if any append or read failed
#include "core/audit/audit_log.h"
#include "core/store/database.h"
#include "core/workspace/workspace.h"
#include "core/workspace/workspace_lock.h"

#include <QCoreApplication>
#include <QThread>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace orrery;

namespace {

int runWindowLikeThreads(const QString &root, int threads)
{
    const QString path = workspace::Workspace::databasePathFor(root);
    std::atomic<bool> stop{false};
    std::mutex mutex; // guards acked and errors
    QStringList acked, errors;
    auto fail = [&](const QString &what) {
        std::lock_guard<std::mutex> lock(mutex);
        errors << what;
    };
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            auto kept = store::Database::open(path);
            if (!kept)
                return fail(kept.status().message());
            audit::AuditLog log(**kept);
            for (int i = 0; !stop.load(); ++i) {
                {
                    auto fresh = store::Database::open(path); // opened while `kept` holds its locks
                    if (!fresh)
                        return fail(fresh.status().message());
                    auto read = audit::AuditLog(**fresh).newestSeq();
                    if (!read)
                        return fail(read.status().message());
                }
                const QString target = QStringLiteral("window-%1-%2").arg(t).arg(i);
                auto entry = log.append({QStringLiteral("test.window"), target, QString()});
                if (!entry)
                    return fail(entry.status().message());
                std::lock_guard<std::mutex> lock(mutex);
                acked << target;
            }
        });
    }
    std::printf("started\n");
    std::fflush(stdout);
    std::string line;
    std::getline(std::cin, line);
    stop = true;
    for (auto &w : workers)
        w.join();
    for (const QString &a : acked)
        std::printf("ack %s\n", qPrintable(a));
    for (const QString &e : errors)
        std::fprintf(stderr, "error: %s\n", qPrintable(e));
    return errors.isEmpty() ? 0 : 1;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList a = app.arguments();
    if (a.size() == 5 && a[1] == QLatin1String("append")) {
        auto ws = workspace::Workspace::open(a[2]);
        if (!ws) {
            std::fprintf(stderr, "%s\n", qPrintable(ws.status().message()));
            return 2;
        }
        const int n = a[3].toInt();
        for (int i = 0; i < n; ++i) {
            auto e = (*ws)->audit().append({QStringLiteral("test.append"), QStringLiteral("%1-%2").arg(a[4]).arg(i), QString()});
            if (!e) {
                std::fprintf(stderr, "%s\n", qPrintable(e.status().message()));
                return 1;
            }
        }
        return 0;
    }
    if (a.size() == 6 && a[1] == QLatin1String("hold-lock")) {
        auto lock = workspace::WorkspaceLock::acquire(a[2], a[3], a[4]);
        if (!lock) {
            std::fprintf(stderr, "%s\n", qPrintable(lock.status().message()));
            return 1;
        }
        std::printf("locked\n");
        std::fflush(stdout);
        QThread::sleep(a[5].toULong());
        return 0;
    }
    if (a.size() == 4 && a[1] == QLatin1String("threads"))
        return runWindowLikeThreads(a[2], a[3].toInt());
    std::fprintf(stderr, "usage: workspace_helper append ROOT N TAG | hold-lock ROOT NAME WHAT SECONDS | threads ROOT N\n");
    return 2;
}
