#pragma once
// A real HTTP receiver on 127.0.0.1 for the webhook tests: a QTcpServer on the test's thread
// (served while a dispatcher waits in its local event loop, or while QTRY_ spins), recording
// every request and answering as told: a status per request (the last one repeats), after a
// delay, or never (hang).

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

namespace orrery::testing {

struct ReceivedRequest {
    QByteArray method;
    QByteArray target;
    QMap<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;
};

class WebhookReceiver : public QObject {
public:
    QList<int> statuses{200};   // the answer to request i (the last repeats)
    QByteArray answerBody = "ok";
    QByteArray location;        // sent with 3xx answers
    bool hang = false;          // read the request, never answer
    int delayMs = 0;
    QList<ReceivedRequest> received;
    int connections = 0;

    WebhookReceiver()
    {
        m_server.listen(QHostAddress(QStringLiteral("127.0.0.1")), 0);
        QObject::connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                ++connections;
                socket->setParent(this);
                QObject::connect(socket, &QTcpSocket::readyRead, this, [this, socket] { read(socket); });
            }
        });
    }
    quint16 port() const { return m_server.serverPort(); }
    QString url(const QString &path = QStringLiteral("/hook")) const { return QStringLiteral("http://127.0.0.1:%1%2").arg(port()).arg(path); }

private:
    void read(QTcpSocket *socket)
    {
        QByteArray &buffer = m_buffers[socket];
        buffer += socket->readAll();
        for (;;) {
            const int end = buffer.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            ReceivedRequest r;
            const QList<QByteArray> lines = buffer.left(end).split('\n');
            const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
            r.method = first.value(0);
            r.target = first.value(1);
            for (int i = 1; i < lines.size(); ++i) {
                const int colon = lines[i].indexOf(':');
                if (colon > 0)
                    r.headers.insert(lines[i].left(colon).trimmed().toLower(), lines[i].mid(colon + 1).trimmed());
            }
            const int length = r.headers.value("content-length", "0").toInt();
            if (buffer.size() < end + 4 + length)
                return;
            r.body = buffer.mid(end + 4, length);
            buffer.remove(0, end + 4 + length);
            const int status = statuses.value(received.size(), statuses.isEmpty() ? 200 : statuses.last());
            received << r;
            if (hang)
                continue;
            QPointer<QTcpSocket> guard(socket);
            auto answer = [this, guard, status] {
                if (!guard)
                    return;
                QByteArray response = "HTTP/1.1 " + QByteArray::number(status) + " Whatever\r\nContent-Type: text/plain\r\nContent-Length: " +
                                      QByteArray::number(answerBody.size()) + "\r\n";
                if (!location.isEmpty())
                    response += "Location: " + location + "\r\n";
                response += "\r\n" + answerBody;
                guard->write(response);
            };
            if (delayMs > 0)
                QTimer::singleShot(delayMs, this, answer);
            else
                answer();
        }
    }

    QTcpServer m_server;
    QMap<QTcpSocket *, QByteArray> m_buffers;
};

} // namespace orrery::testing
