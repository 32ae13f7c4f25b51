#pragma once
// FeedbackSink: where POST /v2/models/{E}/feedback goes — the true labels that arrive after the
// predictions (core/monitor's FeedbackStore stores them against the prediction log). The server
// checks the method and the body limit (the infer limit); the sink parses and stores, and answers
// through the responder only once the labels are committed: a write is acknowledged only when it
// is on disk (DESIGN.md, "Processes").

#include "core/http/http_handler.h"

#include <QString>

namespace orrery::serve {

class FeedbackSink {
public:
    virtual ~FeedbackSink() = default;
    // Called on an HTTP I/O thread; must not block (queue, then answer from another thread).
    virtual void submit(const QString &endpoint, QByteArray body, http::HttpResponder responder) = 0;
};

} // namespace orrery::serve
