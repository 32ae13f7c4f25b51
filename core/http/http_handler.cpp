#include "core/http/http_handler.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <mutex>

namespace orrery::http {

struct HttpResponder::State {
    std::mutex mutex;
    std::function<void(HttpResponse)> deliver; // empty once used

    ~State()
    {
        if (deliver)
            deliver(HttpResponse::json(500, R"({"error":"the server dropped this request without answering it"})"));
    }
};

HttpResponder HttpResponder::make(std::function<void(HttpResponse)> deliver)
{
    HttpResponder r;
    r.m_state = std::make_shared<State>();
    r.m_state->deliver = std::move(deliver);
    return r;
}

void HttpResponder::send(HttpResponse response) const
{
    if (!m_state)
        return;
    std::function<void(HttpResponse)> deliver;
    {
        std::lock_guard<std::mutex> lock(m_state->mutex);
        deliver.swap(m_state->deliver);
    }
    if (deliver)
        deliver(std::move(response));
}

HttpResponse HttpHandler::errorResponse(int status, const QString &message)
{
    return HttpResponse::json(status, QJsonDocument(QJsonObject{{QStringLiteral("error"), message}}).toJson(QJsonDocument::Compact));
}

} // namespace orrery::http
