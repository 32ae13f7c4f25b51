#include "core/http/http_client.h"

#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

namespace orrery::http {

QVector<IncomingReply> postAll(const QVector<OutgoingRequest> &requests, int timeoutMs, int maxBodyBytes)
{
    QVector<IncomingReply> results(requests.size());
    if (requests.isEmpty())
        return results;
    QNetworkAccessManager manager;
    manager.setProxy(QNetworkProxy::NoProxy);
    manager.setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
    QEventLoop loop;
    int open = 0;
    QVector<QNetworkReply *> replies(requests.size(), nullptr);
    for (int i = 0; i < requests.size(); ++i) {
        const OutgoingRequest &out = requests[i];
        QNetworkRequest request(out.url);
        request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
        request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
        request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
        request.setTransferTimeout(timeoutMs);
        request.setHeader(QNetworkRequest::ContentTypeHeader, out.contentType);
        request.setHeader(QNetworkRequest::UserAgentHeader, QByteArrayLiteral("Orrery-Webhooks/1"));
        for (const auto &[name, value] : out.headers)
            request.setRawHeader(name, value);
        QNetworkReply *reply = manager.post(request, out.body);
        replies[i] = reply;
        ++open;
        IncomingReply *result = &results[i];
        QObject::connect(reply, &QNetworkReply::readyRead, reply, [reply, result, maxBodyBytes] {
            const QByteArray chunk = reply->readAll();
            const int room = maxBodyBytes - int(result->body.size());
            if (room > 0)
                result->body += chunk.left(room);
        });
        QObject::connect(reply, &QNetworkReply::finished, &loop, [reply, result, maxBodyBytes, &open, &loop] {
            const QByteArray rest = reply->isOpen() ? reply->readAll() : QByteArray();
            const int room = maxBodyBytes - int(result->body.size());
            if (room > 0)
                result->body += rest.left(room);
            const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
            result->status = status.isValid() ? status.toInt() : 0;
            result->location = reply->rawHeader("Location");
            if (result->status == 0 && result->error.isEmpty())
                result->error = reply->errorString();
            if (reply->error() == QNetworkReply::OperationCanceledError || reply->error() == QNetworkReply::TimeoutError) {
                if (result->status == 0) {
                    result->timedOut = true;
                    result->error = QStringLiteral("no answer within %1 ms").arg(reply->request().transferTimeout());
                }
            }
            if (--open == 0)
                loop.quit();
        });
    }
    QTimer deadline;
    deadline.setSingleShot(true);
    QObject::connect(&deadline, &QTimer::timeout, &loop, [&] {
        for (int i = 0; i < replies.size(); ++i)
            if (replies[i] && !replies[i]->isFinished()) {
                results[i].timedOut = true;
                results[i].error = QStringLiteral("no answer within %1 ms").arg(timeoutMs);
                replies[i]->abort(); // emits finished
            }
    });
    deadline.start(timeoutMs);
    if (open > 0)
        loop.exec();
    for (QNetworkReply *reply : replies)
        delete reply;
    return results;
}

} // namespace orrery::http
