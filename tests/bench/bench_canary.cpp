// The cost of canary routing (packaging/bench.sh deployment): one TorchScript model loaded twice
// as versions 1 and 2 behind core/serve's InferenceService on 127.0.0.1, the routes switched
// between "v1 100 %" and "v1 95 %, v2 5 %" while bench_serving (an external load generator
// process, 16 keep-alive connections) measures each, alternating, five runs each; then one run
// during which the routes change every 50 ms, which must fail no request.
//
//   bench_canary MODEL.pt BENCH_SERVING [SECONDS=3]
//
// Prints `bench canary_off_rps`, `bench canary_on_rps` (medians), `bench canary_routing_cost`
// (percent of throughput lost), `bench canary_flips_failed_requests`.

#include "core/http/http_server.h"
#include "core/serve/inference_service.h"
#include "core/serve/script_inference_model.h"

#include <QCoreApplication>
#include <QProcess>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <thread>

using namespace orrery;

namespace {

double run(const QString &loader, quint16 port, const QString &name, double seconds, bool *failed)
{
    QProcess p;
    p.start(loader, {QString::number(port), name, QString::number(seconds), QStringLiteral("16")});
    p.waitForFinished(int(seconds * 1000) + 120'000);
    const QByteArray out = p.readAllStandardOutput();
    *failed = p.exitCode() != 0;
    for (const QByteArray &line : out.split('\n'))
        if (line.startsWith("bench " + name.toUtf8() + "_rps "))
            return line.split(' ').value(2).toDouble();
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (argc < 3) {
        std::fprintf(stderr, "usage: bench_canary MODEL.pt BENCH_SERVING [SECONDS]\n");
        return 2;
    }
    const double seconds = argc > 3 ? std::atof(argv[3]) : 3;
    auto one = serve::ScriptInferenceModel::load(QString::fromLocal8Bit(argv[1]));
    auto two = serve::ScriptInferenceModel::load(QString::fromLocal8Bit(argv[1]));
    if (!one || !two) {
        std::fprintf(stderr, "bench_canary: %s\n", qPrintable((one ? two.status() : one.status()).message()));
        return 1;
    }
    std::shared_ptr<const serve::InferenceModel> v1(std::move(*one)), v2(std::move(*two));
    serve::warmUp(*v1);
    serve::warmUp(*v2);
    serve::ServeOptions o;
    o.endpoint = QStringLiteral("m");
    serve::InferenceService service(o);
    http::HttpServer server(service, http::HttpServerOptions{});
    if (!server.start())
        return 1;
    const serve::EndpointRoutes off{QStringLiteral("m"), {serve::RouteVersion{QStringLiteral("1"), QStringLiteral("a"), v1, 100}}, {}};
    const serve::EndpointRoutes on{QStringLiteral("m"),
                                   {serve::RouteVersion{QStringLiteral("1"), QStringLiteral("a"), v1, 95}, serve::RouteVersion{QStringLiteral("2"), QStringLiteral("b"), v2, 5}}, {}};
    const QString loader = QString::fromLocal8Bit(argv[2]);
    std::vector<double> offRps, onRps;
    bool failed = false, anyFailed = false;
    for (int i = 0; i < 5; ++i) {
        service.setRoutes({off});
        offRps.push_back(run(loader, server.port(), QStringLiteral("canary_off_run"), seconds, &failed));
        anyFailed |= failed;
        service.setRoutes({on});
        onRps.push_back(run(loader, server.port(), QStringLiteral("canary_on_run"), seconds, &failed));
        anyFailed |= failed;
    }
    std::sort(offRps.begin(), offRps.end());
    std::sort(onRps.begin(), onRps.end());
    std::printf("bench canary_off_rps %.0f req/s\n", offRps[2]);
    std::printf("bench canary_on_rps %.0f req/s\n", onRps[2]);
    std::printf("bench canary_routing_cost %.2f %%\n", 100.0 * (offRps[2] - onRps[2]) / offRps[2]);
    // Routing changes under load: every 50 ms, for one run; bench_serving fails on any non-200.
    std::atomic<bool> stop{false};
    std::thread flipper([&] {
        for (int i = 0; !stop; ++i) {
            service.setRoutes({i % 2 ? on : off});
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    });
    run(loader, server.port(), QStringLiteral("canary_flipping"), seconds, &failed);
    stop = true;
    flipper.join();
    std::printf("bench canary_flips_failed_runs %d runs\n", failed ? 1 : 0);
    server.stop();
    return anyFailed || failed ? 1 : 0;
}
