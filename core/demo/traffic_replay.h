#pragma once
// TrafficReplay: live traffic with delayed labels for an endpoint — what `orrery-cli demo replay`
// runs, so the demo and the tests have a stream to monitor. It sends the demo generator's
// transactions (replay_stream.h) as Open Inference Protocol requests (replay_request.h) at a steady
// rate, and each answered request's true labels (is_fraud per row) to POST /v2/models/E/feedback
// a fixed delay after the answer came.
//
// Pacing: request k is due at start + k / rate (real seconds) on the steady clock; `connections` keep-alive
// connections (core/http/http_connection.h), each on a thread of its own, take the next request,
// wait for its time and send it, so a slow answer delays only its own connection. A replay that
// falls behind (every connection busy past the next due time) sends as soon as it can and
// reports how far behind it went (maxLagMs); it never skips a request. The rows of request k are
// drawn in request order, so a seed gives the same traffic on every machine, loaded or not.
//
// The shift: with shiftAtMs, the first request due at or after it — request ceil(shiftAtMs ·
// rate / 1000) on real time — and every later one carry shifted rows (the generator's FraudShift).
//
// Labels: each answered request's labels wait until answer time + labelsAfterMs, then go out in
// batches ({"labels": [{"request_id", "label", "row"}, …]}, core/monitor/feedback_store.h) with
// every other label due by then (the first waits up to 100 ms more for others to join it). labelShare keeps each row's label with that probability (drawn
// from the seed). A label names the request id the server answered with (X-Request-Id — what the
// prediction log records), which is the one the request sent.
//
// Ending: run() returns when `requests` were sent, `durationMs` passed, or stop() was called —
// after every request in flight is answered and every label is sent: on stop() at once, however
// long before their time; otherwise each at its time. A label post that gets no answer is tried
// three times; labels the server refused or never answered are counted as failed.
//
// The clock (core/common/clock.h): durationMs, labelsAfterMs and shiftAtMs are the clock's time,
// as are the counts' elapsedMs and shiftStartedMs, so on a scenario's compressed clock the replay
// agrees with the serving process's windows (--duration 5m at 30× sends for 10 real seconds, over
// five 1-minute windows). The rate is requests per REAL second: the load on the machine and the
// server stays what the user asked for whatever the scale (60× the requests would swamp a
// laptop's server and measure its queue, not the model), and the requests per clock window
// follow: rate × window / scale (50/s at 30× puts 100 requests in a 1-minute window). The shift
// request is therefore ceil(realMs(shiftAtMs) · rate / 1000). maxLagMs, the pacing, timeouts
// and the label posts' coalescing stay real.
//
// Threads: run() blocks its caller and runs `connections` + 1 threads; stop() and counts() may be
// called from any thread while it runs (under one mutex).

#include "core/common/status.h"
#include "core/demo/replay_stream.h"

namespace orrery::common {
class Clock;
}

#include <QByteArray>
#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>

#include <memory>

namespace orrery::demo {

struct ReplayOptions {
    QString url;                // the server's base URL: http://127.0.0.1:8080
    QString endpoint;
    QByteArray token;           // sent as "Authorization: Bearer <token>"; empty: none
    QJsonObject signature;      // the served version's: its inputs and their columns
    double rate = 50;           // requests per real second (see The clock)
    int rowsPerRequest = 1;
    qint64 requests = 0;        // stop after this many requests (0: no limit)
    qint64 durationMs = 0;      // stop after this long (0: no limit); clock time, as the two below
    qint64 labelsAfterMs = -1;  // labels this long after each answer; < 0: no labels
    double labelShare = 1.0;    // 0 … 1
    qint64 shiftAtMs = -1;      // the shift from this long after the start on; < 0: none
    ReplayShift shift;
    quint64 seed = 1;
    ReplayTimeline timeline;
    QString idPrefix;           // request ids are PREFIX-0, PREFIX-1, …; empty: "replay-" and 8 random hex digits
    int connections = 4;
    int timeoutMs = 10'000;     // per request and per label post
    int maxLabelsPerPost = 10'000;
    const common::Clock *clock = nullptr; // the durations' clock; null: common::Clock::system()
};

struct ReplayCounts {
    qint64 elapsedMs = 0;       // clock time since the start
    qint64 sent = 0;            // infer requests sent
    qint64 answered = 0;        // … answered 2xx
    qint64 failed = 0;          // … answered otherwise, or not at all
    qint64 rows = 0;            // rows in the answered requests
    qint64 labelsSent = 0;      // labels the server accepted
    qint64 labelsMatched = 0;   // … that it matched to a logged prediction
    qint64 labelsUnknown = 0;   // … whose request id it did not know
    qint64 labelsPending = 0;   // waiting for their time
    qint64 labelsFailed = 0;    // refused, or the server did not answer
    qint64 labelPosts = 0;      // feedback requests answered 2xx
    qint64 shiftRequest = -1;   // index of the first shifted request; -1: no shift
    qint64 shiftStartedMs = -1; // when it was sent, from the start (clock time); -1: not yet
    qint64 maxLagMs = 0;        // the furthest behind its time a request was sent (real ms)
    QString firstError;         // the first failed request's or label post's error
    QStringList unknownIds;     // the first 20 ids the server did not know
    QMap<int, qint64> statuses; // infer answers by HTTP status (0: no answer)
    bool stopped = false;       // stop() ended it
};

class TrafficReplay {
public:
    // Checks the options (InvalidArgument naming the option) and the signature.
    static Result<std::unique_ptr<TrafficReplay>> create(ReplayOptions options);
    ~TrafficReplay();

    // Whether the server answers for the endpoint: GET /v2/models/E/ready, waiting up to
    // `waitMs` while it is still loading (503). The error says what to do (no server, no such
    // endpoint there, a token needed).
    Status checkServer(int waitMs = 30'000) const;
    ReplayCounts run();
    void stop();
    ReplayCounts counts() const;
    const ReplayOptions &options() const;
    QString requestId(qint64 index) const;

private:
    TrafficReplay();
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace orrery::demo
