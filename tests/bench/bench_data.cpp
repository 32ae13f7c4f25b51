// bench data: hashing at storage speed and `data status` of many unchanged files.
//   bench_data hash DIR THREADS        md5 of every file under DIR (no stat cache): prints seconds
//   bench_data status-100k WORKDIR     add a folder of 100,000 small files, then time status
// Prints `bench NAME VALUE UNIT` lines.
#include "core/data/data_repository.h"
#include "core/data/file_hasher.h"
#include "core/store/database.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace orrery;

namespace {
[[noreturn]] void die(const Status &s)
{
    std::fprintf(stderr, "bench_data: %s\n", qPrintable(s.message()));
    std::exit(2);
}
} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList a = app.arguments();
    if (a.size() == 4 && a[1] == QLatin1String("hash")) {
        auto files = data::listFiles(a[2]);
        if (!files)
            die(files.status());
        data::FileHasher hasher(a[2], nullptr, a[3].toInt());
        QElapsedTimer t;
        t.start();
        auto r = hasher.hash(*files);
        if (!r)
            die(r.status());
        const double s = t.nsecsElapsed() / 1e9;
        std::printf("bench hash_threads%s %.3f s\n", qPrintable(a[3]), s);
        std::printf("bench hash_threads%s_throughput %.1f MB/s\n", qPrintable(a[3]), hasher.bytesRead() / 1e6 / s);
        return 0;
    }
    if (a.size() == 3 && a[1] == QLatin1String("status-100k")) {
        const QString root = a[2];
        QDir(root).removeRecursively();
        QDir().mkpath(root + QStringLiteral("/.orrery/cache"));
        for (int d = 0; d < 100; ++d) {
            const QString dir = root + QStringLiteral("/many/d%1").arg(d);
            QDir().mkpath(dir);
            for (int i = 0; i < 1000; ++i) {
                QFile f(dir + QStringLiteral("/f%1.txt").arg(i));
                if (!f.open(QIODevice::WriteOnly))
                    die(ioError(f.fileName()));
                f.write(QByteArray::number(d * 1000 + i) + '\n');
            }
        }
        store::OpenOptions o;
        o.create = true;
        auto db = store::Database::open(root + QStringLiteral("/.orrery/orrery.db"), o);
        if (!db)
            die(db.status());
        data::DataRepository repo(root, db->get());
        QElapsedTimer t;
        t.start();
        if (auto r = repo.add({QStringLiteral("many")}); !r)
            die(r.status());
        std::printf("bench data_add_100k_files %.3f s\n", t.nsecsElapsed() / 1e9);
        std::vector<double> runs;
        for (int i = 0; i < 3; ++i) {
            t.start();
            auto s = repo.status();
            if (!s)
                die(s.status());
            if (s->first().state != data::OutState::Unchanged)
                die(internalError(QStringLiteral("status says the folder changed")));
            runs.push_back(t.nsecsElapsed() / 1e9);
        }
        std::sort(runs.begin(), runs.end());
        std::printf("bench data_status_100k_unchanged %.3f s\n", runs[1]);
        return 0;
    }
    std::fprintf(stderr, "usage: bench_data hash DIR THREADS | status-100k WORKDIR\n");
    return 2;
}
