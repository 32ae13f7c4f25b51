// Training benchmarks (group `training` in packaging/bench.sh, beside peers/train_pytorch.py):
//   train_mlp_step_us      per optimiser step of the peer's MLP (20 → 64 → 1, Adam 1e-2, batch
//                          256, 10,000 rows, 20 epochs = 800 steps, one thread), measured over the
//                          trainer's own loop (shuffle, gather, forward, loss, backward, step,
//                          metric hand-off) from the first step to the last
//   train_fraud_rows_per_s one epoch of the demo's fraud data (50,000 rows, 40,000 training rows,
//                          one-hot categories, MLP 64-32, batch 256, one thread)
//   train_scaling_2ranks   2-rank Gloo data parallel on this machine: T(1 process, global batch
//                          B) / (2 · T(2 ranks, B/2 each)) on the same steps (1.0 = ideal)
//
//   bench_training WORKDIR                   all of them
//   bench_training --rank R --port P WORKDIR (internal: one rank of the scaling run)

#include "core/common/random.h"
#include "core/data/fraud_generator.h"
#include "core/train/trainer.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTcpServer>

#include <cstdio>

using namespace orrery;
using namespace orrery::train;

namespace {

struct LoopTime {
    qint64 steps = 0;
    double seconds = 0; // first step's end to last step's end
};

Result<LoopTime> timedTrain(TrainRequest r)
{
    QElapsedTimer clock;
    qint64 first = -1, last = 0, steps = 0;
    r.onStep = [&](qint64, double) {
        const qint64 now = clock.nsecsElapsed();
        if (first < 0)
            first = now;
        last = now;
        ++steps;
    };
    clock.start();
    auto o = orrery::train::train(r);
    if (!o)
        return o.status();
    return LoopTime{steps, double(last - first) / 1e9};
}

QString writeRandomCsv(const QString &dir)
{
    const QString path = dir + QStringLiteral("/mlp.csv");
    QFile f(path);
    f.open(QIODevice::WriteOnly);
    common::Random rnd(0);
    QByteArray header;
    for (int j = 0; j < 20; ++j)
        header += "f" + QByteArray::number(j) + ',';
    f.write(header + "y\n");
    std::vector<double> w(20);
    for (auto &x : w) x = rnd.normal();
    for (int i = 0; i < 10000; ++i) {
        QByteArray line;
        double s = 0;
        for (int j = 0; j < 20; ++j) {
            const double x = rnd.normal();
            s += x * w[size_t(j)];
            line += QByteArray::number(x, 'g', 8) + ',';
        }
        f.write(line + (s > 0 ? "1\n" : "0\n"));
    }
    return path;
}

TrainConfig fraudConfig(const QString &csv, int batch, const QVector<int> &hidden)
{
    TrainConfig c;
    c.task = Task::Classification;
    c.data.path = csv;
    c.data.label = QStringLiteral("is_fraud");
    c.data.drop = {QStringLiteral("transaction_id"), QStringLiteral("timestamp"), QStringLiteral("customer_id")};
    c.model.hidden = hidden;
    c.optimizer.lr = 0.003;
    c.loop.epochs = 1;
    c.loop.batchSize = batch;
    c.loop.threads = 1;
    return c;
}

int rankMain(int rank, int port, const QString &dir)
{
    TrainRequest r;
    r.config = fraudConfig(dir + QStringLiteral("/fraud.csv"), 256, {256, 256});
    r.outputDir = dir + QStringLiteral("/rank-out");
    r.distributed = {rank, 2, QStringLiteral("127.0.0.1"), port, 60};
    auto t = timedTrain(r);
    if (!t) {
        std::fprintf(stderr, "rank %d: %s\n", rank, qPrintable(t.status().message()));
        return 1;
    }
    if (rank == 0)
        std::printf("%.6f %lld\n", t->seconds, static_cast<long long>(t->steps));
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() == 6 && args[1] == QLatin1String("--rank"))
        return rankMain(args[2].toInt(), args[4].toInt(), args[5]);
    if (args.size() != 2) {
        std::fprintf(stderr, "usage: bench_training WORKDIR\n");
        return 2;
    }
    const QString dir = QDir(args[1]).absolutePath();
    QDir().mkpath(dir);

    // 1. The peer's MLP, step by step.
    {
        TrainRequest r;
        r.config.task = Task::Classification;
        r.config.data.path = writeRandomCsv(dir);
        r.config.data.label = QStringLiteral("y");
        r.config.data.validationFraction = 0.0;
        r.config.model.hidden = {64};
        r.config.optimizer.kind = OptimizerKind::Adam;
        r.config.optimizer.lr = 1e-2;
        r.config.loop.batchSize = 256;
        r.config.loop.epochs = 20;
        r.config.loop.threads = 1;
        r.config.loop.logEvery = LogEvery::Epoch;
        r.outputDir = dir + QStringLiteral("/mlp-out");
        auto t = timedTrain(r);
        if (!t) {
            std::fprintf(stderr, "mlp: %s\n", qPrintable(t.status().message()));
            return 1;
        }
        std::printf("bench train_mlp_steps %lld steps\n", static_cast<long long>(t->steps));
        std::printf("bench train_mlp_step_us %.1f us\n", t->seconds / double(t->steps - 1) * 1e6);
    }

    // 2. One epoch of the demo's fraud data.
    const QString fraud = dir + QStringLiteral("/fraud.csv");
    {
        data::FraudDataOptions o;
        if (auto s = data::writeFraudCsv(fraud, o); !s.isOk()) {
            std::fprintf(stderr, "fraud data: %s\n", qPrintable(s.message()));
            return 1;
        }
        TrainRequest r;
        r.config = fraudConfig(fraud, 256, {64, 32});
        r.outputDir = dir + QStringLiteral("/fraud-out");
        QElapsedTimer total;
        total.start();
        auto t = timedTrain(r);
        if (!t) {
            std::fprintf(stderr, "fraud: %s\n", qPrintable(t.status().message()));
            return 1;
        }
        const double rows = 40000.0 * double(t->steps - 1) / double(t->steps); // first step's rows are outside the timed span
        std::printf("bench train_fraud_rows_per_s %.0f rows/s\n", rows / t->seconds);
        std::printf("bench train_fraud_epoch_total %.3f s\n", double(total.nsecsElapsed()) / 1e9);
    }

    // 3. Two ranks against one process with the combined batch.
    {
        TrainRequest r;
        r.config = fraudConfig(fraud, 512, {256, 256});
        r.outputDir = dir + QStringLiteral("/single-out");
        auto one = timedTrain(r);
        if (!one) {
            std::fprintf(stderr, "single: %s\n", qPrintable(one.status().message()));
            return 1;
        }
        QTcpServer probe;
        probe.listen(QHostAddress::LocalHost, 0);
        const int port = probe.serverPort();
        probe.close();
        QProcess r0, r1;
        for (auto [p, rank] : {std::pair<QProcess *, int>{&r0, 0}, {&r1, 1}}) {
            p->setProcessChannelMode(QProcess::ForwardedErrorChannel);
            p->start(app.applicationFilePath(), {QStringLiteral("--rank"), QString::number(rank), QStringLiteral("--port"), QString::number(port), dir});
        }
        r0.waitForFinished(600000);
        r1.waitForFinished(600000);
        if (r0.exitCode() != 0 || r1.exitCode() != 0) {
            std::fprintf(stderr, "the 2-rank run failed\n");
            return 1;
        }
        const QList<QByteArray> out = r0.readAllStandardOutput().trimmed().split(' ');
        const double two = out.value(0).toDouble();
        std::printf("bench train_1proc_epoch %.3f s\n", one->seconds);
        std::printf("bench train_2ranks_epoch %.3f s\n", two);
        std::printf("bench train_scaling_2ranks %.2f x\n", one->seconds / (2.0 * two));
    }
    return 0;
}
