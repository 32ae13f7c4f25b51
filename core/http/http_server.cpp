#include "core/http/http_server.h"

#include "core/http/http_session_p.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <thread>

namespace orrery::http {

using namespace detail;

struct HttpServer::Impl {
    Impl(HttpHandler &handler, HttpServerOptions options)
        : shared(std::make_shared<ServerState>(handler, std::move(options))), state(*shared)
    {
    }

    // Shared with every session: destroying the io_context destroys the sessions, which still
    // count themselves out of it, and a session an answer callback keeps alive may outlive the
    // server itself (its last reference dropped on another thread after stop()).
    std::shared_ptr<ServerState> shared;
    ServerState &state;
    std::unique_ptr<asio::io_context> ioc;
    std::optional<tcp::acceptor> acceptor;
    std::optional<asio::steady_timer> retry;
    std::vector<std::thread> threads;
    quint16 port = 0;
    QString host;
    bool running = false;

    void accept()
    {
        acceptor->async_accept(asio::make_strand(*ioc), [this](beast::error_code ec, tcp::socket socket) {
            if (ec == asio::error::operation_aborted || state.stopping)
                return;
            if (ec) {
                // Out of descriptors or similar: try again shortly instead of spinning.
                retry->expires_after(std::chrono::milliseconds(50));
                retry->async_wait([this](beast::error_code e) {
                    if (!e)
                        accept();
                });
                return;
            }
            beast::error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored); // small answers go out at once
            const bool over = state.open.load() >= state.options.maxConnections;
            std::make_shared<Session>(std::move(socket), shared)->start(over);
            accept();
        });
    }
};

HttpServer::HttpServer(HttpHandler &handler, HttpServerOptions options) : d(std::make_unique<Impl>(handler, std::move(options))) {}

HttpServer::~HttpServer()
{
    stop();
}

Status HttpServer::start()
{
    if (d->running)
        return Status::ok();
    const QString host = d->state.options.host.isEmpty() || d->state.options.host == QLatin1String("localhost")
        ? QStringLiteral("127.0.0.1") : d->state.options.host;
    beast::error_code ec;
    const auto address = asio::ip::make_address(host.toStdString(), ec);
    if (ec)
        return invalidArgument(QStringLiteral("'%1' is not an IP address to listen on (give e.g. 127.0.0.1 or 0.0.0.0)").arg(host));
    d->state.loopbackOnly = address.is_loopback();
    if (!address.is_loopback() && d->state.options.bearerToken.isEmpty())
        return Status(ErrorCode::FailedPrecondition,
                      QStringLiteral("refusing to listen on %1 without a token: anyone who can reach that address could read and "
                                     "change everything this server serves. Give a token file (--token-file FILE), whose token "
                                     "clients send as 'Authorization: Bearer …' (MLflow's client: MLFLOW_TRACKING_TOKEN), or listen on 127.0.0.1")
                          .arg(host));
    const tcp::endpoint endpoint(address, d->state.options.port);
    d->ioc = std::make_unique<asio::io_context>(qMax(1, d->state.options.threads));
    d->acceptor.emplace(*d->ioc);
    d->acceptor->open(endpoint.protocol(), ec);
    if (!ec)
        d->acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec)
        d->acceptor->bind(endpoint, ec);
    if (!ec)
        d->acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        d->acceptor.reset();
        d->ioc.reset();
        return ioError(QStringLiteral("cannot listen on %1:%2: %3").arg(host).arg(d->state.options.port).arg(QString::fromStdString(ec.message())));
    }
    d->port = d->acceptor->local_endpoint().port();
    d->host = address.is_v6() ? QStringLiteral("[%1]").arg(host) : host;
    d->retry.emplace(*d->ioc);
    d->accept();
    d->running = true;
    for (int i = 0; i < qMax(1, d->state.options.threads); ++i)
        d->threads.emplace_back([this] { d->ioc->run(); });
    return Status::ok();
}

void HttpServer::stop()
{
    if (!d->running)
        return;
    d->state.stopping = true; // no new connections; answers close theirs
    // Answers on their way (a drained inference batch, a commit callback) are written before the
    // I/O stops, for up to stopGraceMs: stopping the io_context drops a queued write.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(d->state.options.stopGraceMs);
    while (d->state.unanswered.load() > 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    // A handler that is running finishes first; then destroying the io_context destroys every
    // session, which closes its connection.
    d->ioc->stop();
    for (std::thread &t : d->threads)
        t.join();
    d->threads.clear();
    // Answers sent now are queued on the stopped io_context and destroyed with it, safely.
    d->state.handler.answerPending();
    d->retry.reset();
    d->acceptor.reset();
    d->ioc.reset();
    d->running = false;
}

quint16 HttpServer::port() const
{
    return d->port;
}

QString HttpServer::url() const
{
    return QStringLiteral("http://%1:%2").arg(d->host).arg(d->port);
}

HttpServerStats HttpServer::stats() const
{
    HttpServerStats s;
    s.connections = d->state.connections;
    s.requests = d->state.requests;
    s.refusedBodies = d->state.refusedBodies;
    s.timeouts = d->state.timeouts;
    s.malformed = d->state.malformed;
    s.unauthorized = d->state.unauthorized;
    s.openConnections = d->state.open;
    return s;
}

const HttpServerOptions &HttpServer::options() const
{
    return d->state.options;
}

} // namespace orrery::http
