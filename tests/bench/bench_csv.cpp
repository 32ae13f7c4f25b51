// bench data/csv: parsing a numeric CSV of ~200 MB on one core, warm page cache.
//   bench_csv WORKDIR [MB]
// Writes WORKDIR/numeric.csv (kept for the peer script: tests/bench/peers/csv_python.py), then
// prints `bench NAME VALUE UNIT` lines:
//   csv_tokenize_numeric  MB/s  records and fields found (byte views), no conversion
//   csv_parse_numeric     MB/s  every field converted to a double (data::parseFiniteDouble, the
//                               conversion the profiler and validator use) and summed: the
//                               figure the Data issue asks ≥ 200 MB/s of
//   csv_parse_numeric_time s    the same as seconds for the whole file (bench.sh's ratio with
//                               the Python peer)
//   *_cpu                 MB/s  the same per second of the thread's CPU time: these machines
//                               have two cores shared with builds, so wall-clock figures swing
//                               with their load; CPU time is what "on one core" means
//   csv_profile_numeric   MB/s  full column statistics (DatasetProfile), for scale; one run
// Parsing figures are the best of three runs: these machines are noisy, the best is the least
// noisy. Page cache warm (the file was just written).
#include "core/data/csv_reader.h"
#include "core/data/csv_value.h"
#include "core/data/dataset_profile.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>

#include <charconv>
#include <cstdio>
#include <ctime>
#include <random>

using namespace orrery;

namespace {
void bench(const char *name, double value, const char *unit)
{
    std::printf("bench %s %.3f %s\n", name, value, unit);
    std::fflush(stdout);
}
[[noreturn]] void die(const QString &message)
{
    std::fprintf(stderr, "bench_csv: %s\n", qPrintable(message));
    std::exit(2);
}

// 8 float columns (6 significant digits, like a model's features) and 2 integer columns.
void writeNumericCsv(const QString &path, qint64 targetBytes)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        die(QStringLiteral("cannot write %1").arg(path));
    f.write("f1,f2,f3,f4,f5,f6,f7,f8,count,label\n");
    std::mt19937_64 rng(42);
    std::normal_distribution<double> normal(0.0, 100.0);
    std::uniform_int_distribution<int> count(0, 100000);
    QByteArray chunk;
    qint64 written = 0;
    char cell[64];
    while (written < targetBytes) {
        chunk.clear();
        for (int r = 0; r < 10000; ++r) {
            for (int c = 0; c < 8; ++c) {
                const int n = std::snprintf(cell, sizeof cell, "%.6g,", normal(rng));
                chunk.append(cell, n);
            }
            const auto e = std::to_chars(cell, cell + sizeof cell, count(rng));
            chunk.append(cell, int(e.ptr - cell));
            chunk.append(rng() % 10 == 0 ? ",1\n" : ",0\n");
        }
        f.write(chunk);
        written += chunk.size();
    }
}

double threadCpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

struct Speed {
    double wall = 0; // MB per second of wall-clock time
    double cpu = 0;  // MB per second of this thread's CPU time (user + system): "on one core",
                     // whatever else the machine is running
};

template <typename Work>
Speed bestMBps(qint64 bytes, Work work)
{
    Speed best;
    for (int i = 0; i < 3; ++i) {
        QElapsedTimer t;
        t.start();
        const double cpu0 = threadCpuSeconds();
        work();
        const double cpu = threadCpuSeconds() - cpu0;
        best.wall = qMax(best.wall, double(bytes) / 1e6 / (double(t.nsecsElapsed()) / 1e9));
        best.cpu = qMax(best.cpu, double(bytes) / 1e6 / cpu);
    }
    return best;
}
} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() < 2 || args.size() > 3)
        die(QStringLiteral("usage: bench_csv WORKDIR [MB]"));
    QDir().mkpath(args.at(1));
    const QString path = QDir(args.at(1)).filePath(QStringLiteral("numeric.csv"));
    const qint64 megabytes = args.size() == 3 ? args.at(2).toLongLong() : 200;
    writeNumericCsv(path, megabytes * 1000 * 1000);
    const qint64 bytes = QFileInfo(path).size();

    qint64 fields = 0;
    const Speed tokenize = bestMBps(bytes, [&] {
        data::CsvReader reader;
        if (Status s = reader.open(path); !s)
            die(s.message());
        fields = 0;
        while (reader.next())
            fields += qint64(reader.fields().size());
        if (!reader.status())
            die(reader.status().message());
    });
    bench("csv_tokenize_numeric", tokenize.wall, "MB/s");
    bench("csv_tokenize_numeric_cpu", tokenize.cpu, "MB/s");

    double sum = 0;
    const Speed parse = bestMBps(bytes, [&] {
        data::CsvReader reader;
        if (Status s = reader.open(path); !s)
            die(s.message());
        sum = 0;
        while (reader.next()) {
            for (std::string_view f : reader.fields()) {
                double v = 0;
                if (!data::parseFiniteDouble(f, &v))
                    die(QStringLiteral("%1:%2: not a number").arg(path).arg(reader.line()));
                sum += v;
            }
        }
        if (!reader.status())
            die(reader.status().message());
    });
    bench("csv_parse_numeric", parse.wall, "MB/s");
    bench("csv_parse_numeric_cpu", parse.cpu, "MB/s");
    // The same figure as a time, for the side-by-side ratio with the Python peer (bench.sh).
    bench("csv_parse_numeric_time", double(bytes) / 1e6 / parse.wall, "s");

    QElapsedTimer t;
    t.start();
    auto profile = data::profileCsv(path, data::ProfileOptions{});
    if (!profile)
        die(profile.status().message());
    bench("csv_profile_numeric", double(bytes) / 1e6 / (double(t.nsecsElapsed()) / 1e9), "MB/s");
    std::fprintf(stderr, "bench_csv: %s, %.0f MB, %lld fields, sum %.6g\n", qPrintable(path), double(bytes) / 1e6,
                 static_cast<long long>(fields), sum);
    return 0;
}
