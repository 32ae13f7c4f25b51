#pragma once
// FeedbackStore: the true labels that arrive after the predictions (delayed labels), matched to
// the prediction log by request id, in the `feedback` table (migration 11). It is core/serve's
// FeedbackSink for POST /v2/models/{E}/feedback, and `monitor feedback import` reads CSV into it.
//
// The body (one label, one request with several rows, or a batch):
//   {"request_id": "r1", "label": 1}
//   {"request_id": "r1", "labels": [1, 0]}                  one label per row of that request
//   {"labels": [{"request_id": "r1", "label": "fraud", "row": 0}, …]}
// A label is a number or a string (a class name); row defaults to 0. Bad input is a 400 naming
// the entry and what is wrong; nothing of that body is stored.
//
// Labels whose request id the log does not have for that endpoint (unknown, never logged, or
// deleted by retention) are stored unmatched, counted and reported in the answer — never
// silently dropped: {"accepted": N, "matched": M, "unknown": K, "unknown_ids": [first 100]}.
// The answer is sent after the labels' transaction commits; submissions waiting together share
// one commit. The prediction log is flushed first, so a label that follows its answer by
// milliseconds still finds the prediction.
//
// Threads: submit() from the HTTP I/O threads; one writer thread with its own connection.

#include "core/common/status.h"
#include "core/serve/feedback_sink.h"

#include <QString>
#include <QStringList>

#include <functional>
#include <memory>

namespace orrery::monitor {

class PredictionLog;

struct Label {
    QString requestId;
    int row = 0;
    bool isNumber = true;
    double number = 0;
    QString text;
};

struct FeedbackResult {
    int accepted = 0;
    int matched = 0;
    QStringList unknownIds; // every unknown id (the HTTP answer lists the first 100)
};

// Parses a feedback body; InvalidArgument naming the entry and the problem.
Result<QVector<Label>> parseFeedback(const QByteArray &body, int maxLabels = 1'000'000);

class FeedbackStore : public serve::FeedbackSink {
public:
    // `log`: flushed before labels are matched (may be null).
    static Result<std::unique_ptr<FeedbackStore>> open(const QString &databasePath, std::shared_ptr<PredictionLog> log = nullptr);
    ~FeedbackStore() override; // answers what is queued, then stops

    // Called before each batch is matched, before the log is flushed: the server's hand-over of
    // answered predictions to the log (InferenceService::flushHook), so a label sent the moment
    // its answer arrived still finds the prediction. Set before traffic.
    void setBeforeMatching(std::function<void()> handOver);

    void submit(const QString &endpoint, QByteArray body, http::HttpResponder responder) override;
    // Stores labels at once (the CLI's import); returns once committed.
    Result<FeedbackResult> store(const QString &endpoint, const QVector<Label> &labels);

private:
    FeedbackStore() = default;
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace orrery::monitor
