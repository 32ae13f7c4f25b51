#include "core/http/http_session_p.h"

#include <QFile>

namespace orrery::http::detail {
namespace {

constexpr std::size_t kChunkBytes = 64 * 1024;
constexpr qint64 kMaxDrainBytes = 64 * 1024 * 1024;

QByteArray toBytes(beast::string_view s)
{
    return QByteArray(s.data(), int(s.size()));
}

bool isDisconnect(const beast::error_code &ec)
{
    return ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message || ec == asio::error::eof
        || ec == asio::error::connection_reset || ec == asio::error::broken_pipe || ec == asio::error::operation_aborted;
}

} // namespace

Session::Session(tcp::socket socket, std::shared_ptr<ServerState> state)
    : m_keepState(std::move(state)), m_state(*m_keepState), m_stream(std::move(socket)), m_bodyTimer(m_stream.get_executor())
{
    ++m_state.open;
    ++m_state.connections;
}

Session::~Session()
{
    --m_state.open;
    if (m_awaitingAnswer)
        --m_state.unanswered;
}

void Session::start(bool overCapacity)
{
    beast::error_code ec;
    const auto remote = m_stream.socket().remote_endpoint(ec);
    if (!ec)
        m_request.remoteAddress = QString::fromStdString(remote.address().to_string());
    auto self = shared_from_this();
    asio::dispatch(m_stream.get_executor(), [self, overCapacity] {
        if (overCapacity) {
            self->m_bodyUnread = true;
            self->sendError(503, QStringLiteral("the server has too many connections open; try again shortly"));
        } else {
            self->waitForRequest();
        }
    });
}

std::chrono::milliseconds Session::transferTime(int baseMs, qint64 bytes) const
{
    const qint64 rate = qMax<qint64>(1, m_state.options.bodyMinBytesPerSecond);
    return std::chrono::milliseconds(qint64(baseMs) + bytes / rate * 1000);
}

void Session::waitForRequest()
{
    if (m_state.stopping)
        return closeNow();
    const QString remote = m_request.remoteAddress;
    m_request = HttpRequest();
    m_request.remoteAddress = remote;
    m_bodyRead = 0;
    m_parser.emplace();
    m_parser->header_limit(std::uint32_t(m_state.options.maxHeaderBytes));
    // Decided per request once the head is known (planBody). Not boost::none: Beast 1.74 compares
    // Content-Length with an empty optional as "over the limit".
    m_parser->body_limit(std::numeric_limits<std::uint64_t>::max());
    if (m_buffer.size() > 0)
        return readHeader(); // a pipelined request is already here
    // Idle keep-alive wait: its own deadline, longer than the one for a head being sent.
    m_stream.expires_after(std::chrono::milliseconds(m_state.options.idleTimeoutMs));
    auto self = shared_from_this();
    m_stream.async_read_some(m_buffer.prepare(4096), [self](beast::error_code ec, std::size_t n) {
        if (ec) {
            if (ec == beast::error::timeout)
                ++self->m_state.timeouts;
            return self->closeNow();
        }
        self->m_buffer.commit(n);
        self->readHeader();
    });
}

void Session::readHeader()
{
    m_stream.expires_after(std::chrono::milliseconds(m_state.options.headerTimeoutMs));
    auto self = shared_from_this();
    bhttp::async_read_header(m_stream, m_buffer, *m_parser,
                             [self](beast::error_code ec, std::size_t) { self->onHeader(ec); });
}

bool Session::hostAllowed() const
{
    if (!m_state.loopbackOnly)
        return true;
    QByteArray host = m_request.header("host").trimmed().toLower();
    if (host.isEmpty())
        return true; // HTTP/1.0 clients; a browser always sends Host
    if (host.startsWith('[')) {
        host = host.left(host.indexOf(']') + 1);
    } else if (const int colon = host.indexOf(':'); colon >= 0) {
        host = host.left(colon);
    }
    return host == "localhost" || host == "127.0.0.1" || host == "[::1]";
}

bool Session::authorized() const
{
    const QByteArray &token = m_state.options.bearerToken;
    if (token.isEmpty())
        return true;
    if ((m_request.method == "GET" || m_request.method == "HEAD") && m_state.options.publicGetPaths.contains(m_request.path()))
        return true;
    const QByteArray value = m_request.header("authorization").trimmed();
    static const QByteArray scheme = "bearer ";
    if (value.size() < scheme.size() || value.left(scheme.size()).toLower() != scheme)
        return false;
    const QByteArray given = value.mid(scheme.size()).trimmed();
    // Constant time over the token's length: a wrong guess takes as long wherever it differs.
    unsigned char diff = given.size() == token.size() ? 0 : 1;
    for (qsizetype i = 0; i < token.size(); ++i)
        diff |= static_cast<unsigned char>(token[i] ^ (i < given.size() ? given[i] : ~token[i]));
    return diff == 0;
}

void Session::onHeader(beast::error_code ec)
{
    if (ec) {
        if (ec == beast::error::timeout) {
            ++m_state.timeouts; // slowloris: the stream is already closed, nobody to answer
            return closeNow();
        }
        if (isDisconnect(ec))
            return closeNow();
        ++m_state.malformed;
        m_bodyUnread = true;
        if (ec == bhttp::error::header_limit)
            return sendError(431, QStringLiteral("the request line and headers are over %1 bytes").arg(m_state.options.maxHeaderBytes));
        return sendError(400, QStringLiteral("malformed HTTP request: %1").arg(QString::fromStdString(ec.message())));
    }
    const auto &msg = m_parser->get();
    m_version = msg.version();
    m_keepAlive = msg.keep_alive();
    m_request.method = toBytes(msg.method_string());
    m_request.target = toBytes(msg.target());
    for (const auto &field : msg)
        m_request.headers.append({toBytes(field.name_string()).toLower(), toBytes(field.value())});
    if (m_request.headers.size() > m_state.options.maxHeaderFields) {
        ++m_state.malformed;
        m_bodyUnread = true;
        return sendError(431, QStringLiteral("the request has %1 header fields; at most %2 are read here")
                                  .arg(m_request.headers.size()).arg(m_state.options.maxHeaderFields));
    }
    if (const auto length = m_parser->content_length())
        m_request.contentLength = qint64(qMin<std::uint64_t>(*length, std::uint64_t(std::numeric_limits<qint64>::max())));
    const bool hasBody = !m_parser->is_done();

    if (!hostAllowed()) {
        m_bodyUnread = hasBody;
        return sendError(403, QStringLiteral("Host '%1' is not served here: this server answers only requests for localhost "
                                             "(bind it to another address to serve other names)")
                                  .arg(QString::fromUtf8(m_request.header("host"))));
    }
    if (!authorized()) {
        ++m_state.unauthorized;
        m_bodyUnread = hasBody;
        HttpResponse denied = m_state.handler.errorResponse(
            401, m_request.header("authorization").isEmpty()
                     ? QStringLiteral("this server requires a token: send 'Authorization: Bearer <token>' (MLflow's client: set MLFLOW_TRACKING_TOKEN)")
                     : QStringLiteral("the bearer token was not accepted"));
        denied.headers.append({QByteArray("WWW-Authenticate"), QByteArray("Bearer realm=\"orrery\"")});
        return sendResponse(std::move(denied));
    }
    HttpBodyPlan plan = m_state.handler.planBody(m_request);
    if (plan.answer) {
        m_bodyUnread = hasBody;
        return sendResponse(std::move(*plan.answer));
    }
    m_request.sink = std::move(plan.sink);
    if (!hasBody)
        return dispatch();
    startBody(plan.limit >= 0 ? plan.limit : m_state.options.maxBodyBytes);
}

void Session::startBody(qint64 limit)
{
    if (m_request.contentLength > limit) {
        ++m_state.refusedBodies;
        m_bodyUnread = true;
        return sendError(413, QStringLiteral("the request body is %1 bytes; the limit here is %2 bytes").arg(m_request.contentLength).arg(limit));
    }
    m_bodyLimit = limit;
    m_parser->body_limit(std::uint64_t(limit)); // counts chunked bodies as they arrive
    if (m_request.sink)
        m_chunk.resize(kChunkBytes);
    else if (m_request.contentLength > 0)
        m_request.body.reserve(m_request.contentLength);
    // One deadline for the whole body, from a minimum rate: a slow-body client gets a 408.
    m_bodyTimedOut = false;
    m_stream.expires_never();
    m_bodyTimer.expires_after(transferTime(m_state.options.bodyTimeoutMs, m_request.contentLength >= 0 ? m_request.contentLength : limit));
    auto self = shared_from_this();
    m_bodyTimer.async_wait([self](beast::error_code ec) {
        if (ec)
            return; // cancelled: the body arrived
        self->m_bodyTimedOut = true;
        beast::error_code ignored;
        self->m_stream.socket().cancel(ignored);
    });
    if (beast::iequals(m_parser->get()[bhttp::field::expect], "100-continue")) {
        auto cont = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, m_version);
        bhttp::async_write(m_stream, *cont, [self, cont](beast::error_code ec, std::size_t) {
            if (ec)
                return self->closeNow();
            self->readBody();
        });
        return;
    }
    readBody();
}

void Session::readBody()
{
    auto &body = m_parser->get().body();
    if (m_request.sink) {
        body.data = m_chunk.data();
        m_given = qint64(m_chunk.size());
    } else {
        m_given = m_request.contentLength >= 0 ? m_request.contentLength - m_bodyRead : qint64(kChunkBytes);
        m_given = qMax<qint64>(m_given, 1);
        m_request.body.resize(m_bodyRead + m_given);
        body.data = m_request.body.data() + m_bodyRead;
    }
    body.size = std::size_t(m_given);
    auto self = shared_from_this();
    bhttp::async_read_some(m_stream, m_buffer, *m_parser, [self](beast::error_code ec, std::size_t) { self->onBody(ec); });
}

void Session::onBody(beast::error_code ec)
{
    if (ec == bhttp::error::need_buffer)
        ec = {};
    const qint64 got = m_given - qint64(m_parser->get().body().size);
    if (got > 0 && m_request.sink) {
        const Status written = m_request.sink->write(m_chunk.data(), got);
        if (!written) {
            m_bodyTimer.cancel();
            m_bodyUnread = true;
            return sendError(written.code() == ErrorCode::Io ? 507 : 500, written.message());
        }
    }
    m_bodyRead += got;
    if (ec) {
        m_bodyUnread = true;
        if (ec == bhttp::error::body_limit) {
            m_bodyTimer.cancel();
            ++m_state.refusedBodies;
            return sendError(413, QStringLiteral("the request body is over the limit here (%1 bytes)").arg(m_bodyLimit));
        }
        if (m_bodyTimedOut) {
            ++m_state.timeouts;
            return sendError(408, QStringLiteral("the request body did not arrive in time (%1 of its bytes came)").arg(m_bodyRead));
        }
        m_bodyTimer.cancel();
        if (isDisconnect(ec))
            return closeNow(); // the client went away mid-body; the sink discards what it had
        ++m_state.malformed;
        return sendError(400, QStringLiteral("malformed request body: %1").arg(QString::fromStdString(ec.message())));
    }
    if (!m_parser->is_done())
        return readBody();
    m_bodyTimer.cancel();
    if (!m_request.sink)
        m_request.body.resize(m_bodyRead);
    dispatch();
}

void Session::dispatch()
{
    ++m_state.requests;
    ++m_state.unanswered;
    m_awaitingAnswer = true;
    auto self = shared_from_this();
    HttpResponder responder = HttpResponder::make([self](HttpResponse response) {
        asio::post(self->m_stream.get_executor(),
                   [self, response = std::move(response)]() mutable { self->sendResponse(std::move(response)); });
    });
    HttpRequest request = std::move(m_request);
    m_request = HttpRequest();
    m_request.remoteAddress = request.remoteAddress;
    m_state.handler.handle(std::move(request), std::move(responder));
}

void Session::sendError(int status, const QString &message)
{
    sendResponse(m_state.handler.errorResponse(status, message));
}

void Session::sendResponse(HttpResponse r)
{
    const bool close = r.close || !m_keepAlive || m_bodyUnread || m_state.stopping;
    if (!r.filePath.isEmpty()) {
        beast::error_code ec;
        bhttp::file_body::value_type file;
        file.open(QFile::encodeName(r.filePath).constData(), beast::file_mode::scan, ec);
        if (ec)
            return sendError(500, QStringLiteral("cannot read %1: %2").arg(r.filePath, QString::fromStdString(ec.message())));
        auto res = std::make_shared<bhttp::response<bhttp::file_body>>(bhttp::status(r.status), m_version);
        const qint64 size = qint64(file.size());
        res->body() = std::move(file);
        res->set(bhttp::field::content_type, r.contentType.toStdString());
        for (const auto &[name, value] : r.headers)
            res->set(name.toStdString(), value.toStdString());
        res->keep_alive(!close);
        res->prepare_payload();
        return write(std::move(res), size, close);
    }
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>(bhttp::status(r.status), m_version);
    res->body().assign(r.body.constData(), std::size_t(r.body.size()));
    res->set(bhttp::field::content_type, r.contentType.toStdString());
    for (const auto &[name, value] : r.headers)
        res->set(name.toStdString(), value.toStdString());
    res->keep_alive(!close);
    res->prepare_payload();
    write(std::move(res), r.body.size(), close);
}

template <class Response>
void Session::write(std::shared_ptr<Response> response, qint64 size, bool close)
{
    m_stream.expires_after(transferTime(m_state.options.writeTimeoutMs, size));
    auto self = shared_from_this();
    bhttp::async_write(m_stream, *response, [self, response, close](beast::error_code ec, std::size_t) { self->afterWrite(ec, close); });
}

void Session::afterWrite(beast::error_code ec, bool close)
{
    if (m_awaitingAnswer) { // one connection's requests are strictly ordered: this was its answer
        m_awaitingAnswer = false;
        --m_state.unanswered;
    }
    if (ec) {
        if (ec == beast::error::timeout)
            ++m_state.timeouts;
        return closeNow();
    }
    if (!close)
        return waitForRequest();
    if (m_bodyUnread)
        return lingerClose();
    beast::error_code ignored;
    m_stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    closeNow();
}

// The client may still be sending the body we refused: closing now would reset the connection
// and discard our answer in its receive buffer. Read and drop what comes, for a while.
void Session::lingerClose()
{
    beast::error_code ignored;
    m_stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    m_chunk.resize(kChunkBytes);
    m_drained = 0;
    m_stream.expires_after(std::chrono::milliseconds(m_state.options.lingerMs));
    drain();
}

void Session::drain()
{
    auto self = shared_from_this();
    m_stream.async_read_some(asio::buffer(m_chunk), [self](beast::error_code ec, std::size_t n) {
        self->m_drained += qint64(n);
        if (ec || self->m_drained > kMaxDrainBytes)
            return self->closeNow();
        self->drain();
    });
}

void Session::closeNow()
{
    m_bodyTimer.cancel();
    beast::error_code ignored;
    m_stream.socket().close(ignored);
}

} // namespace orrery::http::detail
