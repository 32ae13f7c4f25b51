// A second (third…) Orrery process for the multi-process tests.
//   workspace_helper append ROOT N TAG    append N audit entries, one transaction each
//   workspace_helper hold-lock ROOT NAME WHAT SECONDS   hold a workspace lock, print "locked"
#include "core/audit/audit_log.h"
#include "core/workspace/workspace.h"
#include "core/workspace/workspace_lock.h"

#include <QCoreApplication>
#include <QThread>

#include <cstdio>

using namespace orrery;

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
    std::fprintf(stderr, "usage: workspace_helper append ROOT N TAG | hold-lock ROOT NAME WHAT SECONDS\n");
    return 2;
}
