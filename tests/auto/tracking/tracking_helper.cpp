// A logging process for the crash test: logs points forever, flushing every 1,000 and printing
// how many are acknowledged (on disk), until it is killed.
//   tracking_helper log DB RUN_ID
#include "core/tracking/metric_writer.h"

#include <QCoreApplication>

#include <cstdio>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList a = app.arguments();
    if (a.size() != 4 || a[1] != QLatin1String("log"))
        return 2;
    auto writer = orrery::tracking::MetricWriter::open(a[2], 20);
    if (!writer)
        return 2;
    for (qint64 i = 0;; ++i) {
        (*writer)->log(a[3], QStringLiteral("loss"), {i, 1700000000000 + i, 1.0 / double(i + 1)});
        if ((i + 1) % 1000 == 0) {
            if (!(*writer)->flush())
                return 1;
            std::printf("%lld\n", i + 1);
            std::fflush(stdout);
        }
    }
}
