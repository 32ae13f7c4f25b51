// orrery-cli demo replay --endpoint E [--url URL] [--token-file F] [--rate R] [--rows-per-request N]
//                        [--requests N | --duration D] [--labels-after D] [--label-share S]
//                        [--shift-at T] [--shift amount=2.5,online=0.8,fraud=1.5[,category=NAME:SHARE]] [--seed S] [--json]
//
// Live traffic with delayed labels for an endpoint of the workspace (core/demo/traffic_replay.h):
// the demo generator's transactions, shaped by the served version's signature, sent to the
// workspace's server (its `servers` record, or --url) at a steady rate; their true labels follow
// to …/feedback. SIGINT/SIGTERM stop it after the requests in flight, with every label still due
// sent at once (a second one ends the process at once). Progress on stderr about once a second,
// the summary on stdout. Exit 0: every request answered and every label taken; 1: some failed;
// 2: usage or setup (no server, no such endpoint, no signature). On a compressed clock
// (ORRERY_CLOCK_SCALE, core/common/clock.h) the durations and the times printed are the clock's,
// the rate is per real second (core/demo/traffic_replay.h, "The clock").

#include "app/cli/cli.h"

#include "core/common/clock.h"
#include "core/demo/replay_target.h"
#include "core/demo/traffic_replay.h"
#include "core/deploy/deployment.h"
#include "core/http/bearer_token_file.h"
#include "core/workspace/workspace.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QRandomGenerator>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <optional>
#include <pthread.h>
#include <thread>
#include <tuple>

namespace orrery::cli {
namespace {

QString seconds(qint64 ms) { return QStringLiteral("%1 s").arg(double(ms) / 1000.0, 0, 'f', 1); }

void progress(const char *format, const QString &text)
{
    std::fprintf(stderr, format, qPrintable(text));
    std::fflush(stderr);
}

QString progressLine(const demo::ReplayCounts &c, bool labels)
{
    QString line = QStringLiteral("%1  sent %2  answered %3  errors %4").arg(seconds(c.elapsedMs)).arg(c.sent).arg(c.answered).arg(c.failed);
    if (labels)
        line += QStringLiteral("  labels sent %1  matched %2  pending %3").arg(c.labelsSent).arg(c.labelsMatched).arg(c.labelsPending);
    if (c.maxLagMs > 1000)
        line += QStringLiteral("  (up to %1 behind schedule)").arg(seconds(c.maxLagMs));
    return line;
}

QJsonObject summaryJson(const demo::ReplayTarget &target, const demo::TrafficReplay &replay, const demo::ReplayCounts &c)
{
    const demo::ReplayOptions &o = replay.options();
    QJsonObject statuses;
    for (auto it = c.statuses.cbegin(); it != c.statuses.cend(); ++it)
        statuses.insert(QString::number(it.key()), it.value());
    QJsonObject json{
        {QStringLiteral("endpoint"), target.endpoint},
        {QStringLiteral("model"), target.model},
        {QStringLiteral("version"), target.version},
        {QStringLiteral("url"), o.url},
        {QStringLiteral("seed"), QString::number(o.seed)},
        {QStringLiteral("request_id_prefix"), o.idPrefix},
        {QStringLiteral("rate"), o.rate},
        {QStringLiteral("clock_scale"), common::ClockScale::system().scale},
        {QStringLiteral("rows_per_request"), o.rowsPerRequest},
        {QStringLiteral("timestamps_from"), o.timeline.start.toString(Qt::ISODate)},
        {QStringLiteral("elapsed_ms"), c.elapsedMs},
        {QStringLiteral("sent"), c.sent},
        {QStringLiteral("answered"), c.answered},
        {QStringLiteral("failed"), c.failed},
        {QStringLiteral("rows"), c.rows},
        {QStringLiteral("statuses"), statuses},
        {QStringLiteral("max_lag_ms"), c.maxLagMs},
        {QStringLiteral("stopped"), c.stopped},
        {QStringLiteral("first_error"), c.firstError.isEmpty() ? QJsonValue() : QJsonValue(c.firstError)},
    };
    if (o.labelsAfterMs >= 0)
        json.insert(QStringLiteral("labels"), QJsonObject{{QStringLiteral("after_ms"), o.labelsAfterMs},
                                                          {QStringLiteral("share"), o.labelShare},
                                                          {QStringLiteral("sent"), c.labelsSent},
                                                          {QStringLiteral("matched"), c.labelsMatched},
                                                          {QStringLiteral("unknown"), c.labelsUnknown},
                                                          {QStringLiteral("failed"), c.labelsFailed},
                                                          {QStringLiteral("posts"), c.labelPosts},
                                                          {QStringLiteral("unknown_ids"), QJsonArray::fromStringList(c.unknownIds)}});
    else
        json.insert(QStringLiteral("labels"), QJsonValue());
    if (c.shiftRequest >= 0)
        json.insert(QStringLiteral("shift"), QJsonObject{{QStringLiteral("at_ms"), o.shiftAtMs},
                                                         {QStringLiteral("request"), c.shiftRequest},
                                                         {QStringLiteral("started_ms"), c.shiftStartedMs},
                                                         {QStringLiteral("amount"), o.shift.amountScale},
                                                         {QStringLiteral("online"), o.shift.onlineShare},
                                                         {QStringLiteral("fraud"), o.shift.fraudRateScale},
                                                         {QStringLiteral("category"), o.shift.newCategory.isEmpty() ? QJsonValue() : QJsonValue(o.shift.newCategory)},
                                                         {QStringLiteral("category_share"), o.shift.newCategoryShare}});
    else
        json.insert(QStringLiteral("shift"), QJsonValue());
    return json;
}

void printSummary(const demo::ReplayTarget &target, const demo::TrafficReplay &replay, const demo::ReplayCounts &c)
{
    const demo::ReplayOptions &o = replay.options();
    out(QStringLiteral("replayed %1 requests (%2 rows) to %3 (%4 v%5) at %6 in %7%8: %9 answered, %10 failed")
            .arg(c.sent)
            .arg(c.rows)
            .arg(target.endpoint, target.model)
            .arg(target.version)
            .arg(o.url, seconds(c.elapsedMs), c.stopped ? QStringLiteral(" (stopped)") : QString())
            .arg(c.answered)
            .arg(c.failed));
    if (c.failed > 0) {
        QStringList by;
        for (auto it = c.statuses.cbegin(); it != c.statuses.cend(); ++it)
            if (it.key() / 100 != 2)
                by << QStringLiteral("%1 × %2").arg(it.value()).arg(it.key() == 0 ? QStringLiteral("no answer") : QStringLiteral("HTTP %1").arg(it.key()));
        out(QStringLiteral("  failed: %1").arg(by.join(QStringLiteral(", "))));
    }
    if (o.labelsAfterMs >= 0)
        out(QStringLiteral("labels (%1 after each answer, share %2): %3 sent, %4 matched, %5 unknown, %6 failed%7")
                .arg(deploy::durationText(o.labelsAfterMs))
                .arg(o.labelShare)
                .arg(c.labelsSent)
                .arg(c.labelsMatched)
                .arg(c.labelsUnknown)
                .arg(c.labelsFailed)
                .arg(c.unknownIds.isEmpty() ? QString() : QStringLiteral(" (unknown ids: %1)").arg(c.unknownIds.mid(0, 5).join(QStringLiteral(", ")))));
    else
        out(QStringLiteral("labels: none sent (--labels-after D sends them)"));
    if (c.shiftRequest >= 0)
        out(c.shiftStartedMs >= 0 ? QStringLiteral("shift (%1): from request %2, sent at %3").arg(demo::replayShiftText(o.shift)).arg(c.shiftRequest).arg(seconds(c.shiftStartedMs))
                                  : QStringLiteral("shift (%1): not reached (request %2 was never sent)").arg(demo::replayShiftText(o.shift)).arg(c.shiftRequest));
    if (!c.firstError.isEmpty())
        out(QStringLiteral("first error: %1").arg(c.firstError));
    out(QStringLiteral("seed %1 (--seed %1 replays the same transactions); request ids %2-0 … %2-%3")
            .arg(o.seed)
            .arg(o.idPrefix)
            .arg(qMax<qint64>(0, c.sent - 1)));
}

} // namespace

int runDemoReplay(const Context &context)
{
    CommandParser p(context, QStringLiteral("demo replay"),
                    QStringLiteral("Replay the demo generator's card transactions to an endpoint of the workspace as live traffic,\n"
                                   "and send their true labels (is_fraud) to its feedback endpoint later: the stream that\n"
                                   "monitoring watches. The requests follow the served version's signature; the transactions\n"
                                   "continue after data/transactions.csv with a seed of their own. Ctrl-C or SIGTERM stops it:\n"
                                   "the requests in flight are answered and every label still due is sent at once.\n"
                                   "Exit 0: all answered; 1: some requests or labels failed; 2: usage or setup error."));
    p.parser().addOptions({
        {QStringLiteral("endpoint"), QStringLiteral("The endpoint to replay to (deploy list)."), QStringLiteral("E")},
        {QStringLiteral("url"), QStringLiteral("The server's base URL (default: the workspace's running server, from `orrery-cli serve`)."), QStringLiteral("URL")},
        {QStringLiteral("token-file"), QStringLiteral("The bearer token file the server was started with."), QStringLiteral("F")},
        {QStringLiteral("rate"), QStringLiteral("Requests per second, paced on a steady clock (default 50); per real second\n"
                                                 "on a compressed clock (ORRERY_CLOCK_SCALE), where --duration, --labels-after\n"
                                                 "and --shift-at are the clock's time."), QStringLiteral("R"), QStringLiteral("50")},
        {QStringLiteral("rows-per-request"), QStringLiteral("Transactions per request (default 1)."), QStringLiteral("N"), QStringLiteral("1")},
        {QStringLiteral("requests"), QStringLiteral("Stop after N requests (default: until --duration or Ctrl-C)."), QStringLiteral("N")},
        {QStringLiteral("duration"), QStringLiteral("Stop after this long: 90s, 5m, 1h (default: until --requests or Ctrl-C)."), QStringLiteral("D")},
        {QStringLiteral("labels-after"), QStringLiteral("Send each request's true labels this long after its answer: 0s, 30s, 5m\n(default: no labels)."), QStringLiteral("D")},
        {QStringLiteral("label-share"), QStringLiteral("Label only this share of the rows, 0 to 1 (default 1)."), QStringLiteral("S")},
        {QStringLiteral("shift-at"), QStringLiteral("From this long after the start on, the transactions shift (default: never)."), QStringLiteral("T")},
        {QStringLiteral("shift"), QStringLiteral("The shift: amount=FACTOR,online=SHARE,fraud=FACTOR[,category=NAME:SHARE] (default\n"
                                                 "amount=2.5,online=0.8,fraud=1.5). category: a merchant category the data never had\n"
                                                 "(e.g. category=crypto_exchange:0.2) in that share of the shifted transactions;\n"
                                                 "amount=1,online=0.28,fraud=1,category=NAME:SHARE changes nothing else."), QStringLiteral("SPEC")},
        {QStringLiteral("seed"), QStringLiteral("The transactions' seed (default: a fresh one, printed in the summary)."), QStringLiteral("S")},
    });
    p.addJsonOption();
    int code = 0;
    if (!p.parse(&code))
        return code;
    if (!p.positional().isEmpty())
        return p.usageError(QStringLiteral("takes no positional arguments, got '%1'").arg(p.positional().join(QLatin1Char(' '))));
    const QString endpoint = p.value(QStringLiteral("endpoint"));
    if (endpoint.isEmpty())
        return p.usageError(QStringLiteral("give the endpoint to replay to: --endpoint E (orrery-cli deploy list shows them)"));

    demo::ReplayOptions o;
    o.endpoint = endpoint;
    bool ok = false;
    o.rate = p.value(QStringLiteral("rate")).toDouble(&ok);
    if (!ok || !(o.rate >= 0.01 && o.rate <= 100'000))
        return p.usageError(QStringLiteral("--rate must be a number of requests per second from 0.01 to 100000, got '%1'").arg(p.value(QStringLiteral("rate"))));
    o.rowsPerRequest = p.value(QStringLiteral("rows-per-request")).toInt(&ok);
    if (!ok || o.rowsPerRequest < 1 || o.rowsPerRequest > 100'000)
        return p.usageError(QStringLiteral("--rows-per-request must be a whole number from 1 to 100000, got '%1'").arg(p.value(QStringLiteral("rows-per-request"))));
    if (p.isSet(QStringLiteral("requests")) && p.isSet(QStringLiteral("duration")))
        return p.usageError(QStringLiteral("give --requests N or --duration D, not both"));
    if (p.isSet(QStringLiteral("requests"))) {
        o.requests = p.value(QStringLiteral("requests")).toLongLong(&ok);
        if (!ok || o.requests < 1)
            return p.usageError(QStringLiteral("--requests must be a whole number of 1 or more, got '%1'").arg(p.value(QStringLiteral("requests"))));
    }
    // Durations as `deploy start --pause` reads them (core/deploy/deployment.h).
    auto duration = [&](const char *name, qint64 *ms, qint64 min) -> QString {
        const auto parsed = deploy::parseDurationMs(p.value(QLatin1String(name)));
        if (!parsed)
            return QStringLiteral("--%1: %2").arg(QLatin1String(name), parsed.status().message());
        if (*parsed < min)
            return QStringLiteral("--%1 must be at least %2 ms, got '%3'").arg(QLatin1String(name)).arg(min).arg(p.value(QLatin1String(name)));
        *ms = *parsed;
        return QString();
    };
    for (const auto &[name, target, min] : {std::tuple<const char *, qint64 *, qint64>{"duration", &o.durationMs, 1},
                                            {"labels-after", &o.labelsAfterMs, 0},
                                            {"shift-at", &o.shiftAtMs, 0}}) {
        if (!p.isSet(QLatin1String(name)))
            continue;
        if (const QString error = duration(name, target, min); !error.isEmpty())
            return p.usageError(error);
    }
    if (p.isSet(QStringLiteral("label-share"))) {
        if (!p.isSet(QStringLiteral("labels-after")))
            return p.usageError(QStringLiteral("--label-share needs --labels-after D (when the labels go out)"));
        o.labelShare = p.value(QStringLiteral("label-share")).toDouble(&ok);
        if (!ok || !(o.labelShare >= 0 && o.labelShare <= 1))
            return p.usageError(QStringLiteral("--label-share must be a share from 0 to 1, got '%1'").arg(p.value(QStringLiteral("label-share"))));
    }
    if (p.isSet(QStringLiteral("shift"))) {
        if (!p.isSet(QStringLiteral("shift-at")))
            return p.usageError(QStringLiteral("--shift needs --shift-at T (when the shift starts)"));
        auto shift = demo::parseReplayShift(p.value(QStringLiteral("shift")));
        if (!shift)
            return p.usageError(shift.status().message());
        o.shift = *shift;
    }
    std::optional<quint64> seed;
    if (p.isSet(QStringLiteral("seed"))) {
        seed = p.value(QStringLiteral("seed")).toULongLong(&ok);
        if (!ok)
            return p.usageError(QStringLiteral("--seed must be a non-negative whole number, got '%1'").arg(p.value(QStringLiteral("seed"))));
    }
    if (p.isSet(QStringLiteral("token-file"))) {
        auto token = http::readBearerTokenFile(p.value(QStringLiteral("token-file")));
        if (!token)
            return fail(token.status().withContext(QStringLiteral("demo replay")));
        o.token = *token;
    }

    auto ws = openWorkspace(context);
    if (!ws)
        return fail(ws.status().withContext(QStringLiteral("demo replay")));
    auto target = demo::resolveReplayTarget((*ws)->database(), (*ws)->root(), endpoint);
    if (!target)
        return fail(target.status().withContext(QStringLiteral("demo replay")));
    o.url = p.isSet(QStringLiteral("url")) ? p.value(QStringLiteral("url")) : target->serverUrl;
    if (o.url.isEmpty())
        return fail(QStringLiteral("demo replay: no server is running for the workspace %1; start one with `orrery-cli serve` "
                                   "(or give the server's --url)").arg((*ws)->root()));
    ws->reset(); // the replay needs no database connection
    o.signature = target->signature;
    o.timeline = target->timeline;
    // A fresh seed by default, never the dataset's own (that would replay the training rows).
    const quint64 datasetSeed = target->datasetSeed.value_or(42);
    o.seed = seed.value_or(datasetSeed);
    while (!seed && o.seed == datasetSeed)
        o.seed = QRandomGenerator::system()->generate64() >> 1;

    auto replay = demo::TrafficReplay::create(o);
    if (!replay)
        return fail(replay.status().withContext(QStringLiteral("demo replay")));
    if (const Status s = (*replay)->checkServer(); !s)
        return fail(s.withContext(QStringLiteral("demo replay")));
    const demo::ReplayOptions &used = (*replay)->options();

    QString plan = QStringLiteral("replaying to %1 (%2 v%3) at %4: %5 requests/s, %6 row(s) each, seed %7")
                       .arg(endpoint, target->model)
                       .arg(target->version)
                       .arg(used.url)
                       .arg(used.rate)
                       .arg(used.rowsPerRequest)
                       .arg(used.seed);
    plan += used.labelsAfterMs >= 0 ? QStringLiteral(", labels %1 after each answer").arg(deploy::durationText(used.labelsAfterMs)) : QStringLiteral(", no labels");
    if (used.shiftAtMs >= 0)
        plan += QStringLiteral(", shift at %1 (%2)").arg(deploy::durationText(used.shiftAtMs), demo::replayShiftText(used.shift));
    if (common::ClockScale::system().compressed())
        plan += QStringLiteral("; clock %1 (durations are clock time, the rate per real second)").arg(common::ClockScale::system().describe());
    progress("%s\n", plan + QStringLiteral("; Ctrl-C stops (labels still due are sent first)"));

    // SIGINT and SIGTERM are taken by sigtimedwait() below, never by a handler: blocked before
    // the replay's threads start, so they inherit the mask.
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGINT);
    sigaddset(&stopSignals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
    demo::ReplayCounts result;
    std::atomic<bool> finished{false};
    std::thread runner([&] {
        result = (*replay)->run();
        finished = true;
    });
    const bool labels = used.labelsAfterMs >= 0;
    bool stopping = false, shiftShown = false;
    QElapsedTimer sinceProgress; // a line about every real second, whatever the clock's scale
    sinceProgress.start();
    while (!finished) {
        const timespec tick{0, 100'000'000};
        const int signal = sigtimedwait(&stopSignals, nullptr, &tick);
        const demo::ReplayCounts c = (*replay)->counts();
        if (signal == SIGINT || signal == SIGTERM) {
            if (stopping) {
                progress("%s\n", QStringLiteral("stopped at once: %1 labels not sent").arg(c.labelsPending));
                std::fflush(stdout);
                std::_Exit(ExitProblem);
            }
            stopping = true;
            progress("%s\n", QStringLiteral("%1: stopping after the requests in flight; sending the %2 labels still due now (again to end at once)")
                                 .arg(QLatin1String(signal == SIGTERM ? "SIGTERM" : "SIGINT"))
                                 .arg(c.labelsPending));
            (*replay)->stop();
        }
        if (!shiftShown && c.shiftStartedMs >= 0) {
            shiftShown = true;
            progress("%s\n", QStringLiteral("shift started: request %1 at %2 (%3)").arg(c.shiftRequest).arg(seconds(c.shiftStartedMs), demo::replayShiftText(used.shift)));
        }
        if (sinceProgress.elapsed() >= 1000) {
            sinceProgress.restart();
            progress("%s\n", progressLine(c, labels));
        }
    }
    runner.join();
    if (!shiftShown && result.shiftStartedMs >= 0)
        progress("%s\n", QStringLiteral("shift started: request %1 at %2 (%3)").arg(result.shiftRequest).arg(seconds(result.shiftStartedMs), demo::replayShiftText(used.shift)));
    if (p.json())
        printJson(summaryJson(*target, **replay, result));
    else
        printSummary(*target, **replay, result);
    return result.failed > 0 || result.labelsFailed > 0 ? ExitProblem : ExitOk;
}

} // namespace orrery::cli
