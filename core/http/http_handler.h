#pragma once
// HttpHandler: what a server (the MLflow facade, later inference and /metrics) plugs into
// HttpServer. The server calls it in two steps, so that a request can be refused before its body
// is read at all:
//
//   planBody(head)  when the request line and headers have arrived: how many body bytes this
//                   request may carry, whether they stream into a sink (uploads), or an answer
//                   right away (a traversal path, an unknown run) without reading the body;
//   handle(request) when the whole body is there. The answer goes to the responder, now or
//                   later, from any thread (an inference batch answers from its worker).
//
// Threads: both are called on the server's I/O threads — with HttpServerOptions::threads > 1,
// for different connections at the same time. One connection's requests are strictly ordered:
// the next is not read before the responder of the previous one was called.

#include "core/http/http_request.h"

#include <functional>
#include <memory>
#include <optional>

namespace orrery::http {

struct HttpBodyPlan {
    qint64 limit = -1;                   // the most body bytes accepted; -1: the server's default
    std::unique_ptr<HttpBodySink> sink;  // null: the body is buffered into HttpRequest::body
    std::optional<HttpResponse> answer;  // set: sent at once, the body is never read
};

// The one-shot reply channel of a request; copyable, callable from any thread (the first send()
// wins). If every copy is dropped without send(), the client gets a 500, never a hanging
// connection.
class HttpResponder {
public:
    HttpResponder() = default;
    // `deliver` is called once, with the response or with the 500 of an abandoned request.
    static HttpResponder make(std::function<void(HttpResponse)> deliver);
    void send(HttpResponse response) const;

private:
    struct State;
    std::shared_ptr<State> m_state;
};

class HttpHandler {
public:
    virtual ~HttpHandler() = default;
    virtual HttpBodyPlan planBody(const HttpRequest &head) { return {}; }
    virtual void handle(HttpRequest request, HttpResponder responder) = 0;
    // The body of errors the server answers itself (413, 431, 400, 408, 403, 503). The default
    // is {"error": message}, the Open Inference Protocol's shape; the MLflow facade answers
    // {"error_code", "message"}.
    virtual HttpResponse errorResponse(int status, const QString &message);
    // Called by HttpServer::stop() once no I/O thread runs any more and before the connections
    // are destroyed: a handler that answers later from threads of its own (the tracking server's
    // commit callbacks) answers or drops what it still holds here, because a responder kept
    // beyond stop() would outlive the connection it answers on.
    virtual void answerPending() {}
};

} // namespace orrery::http
