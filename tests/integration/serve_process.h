#pragma once
// `orrery-cli serve ARGS --port 0` started in a workspace and waited for until it prints
// "ready:"; its port (0 when it did not get ready within a minute, with its output as a warning).
#include "tests/support/test_support.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QRegularExpression>

namespace orrery::testing {

inline quint16 startServe(QProcess &p, const QString &workspace, const QStringList &args)
{
    p.setWorkingDirectory(workspace);
    p.setProgram(cliPath());
    p.setArguments(QStringList{QStringLiteral("serve")} + args + QStringList{QStringLiteral("--port"), QStringLiteral("0")});
    p.setProcessChannelMode(QProcess::SeparateChannels);
    p.start();
    if (!p.waitForStarted(10000))
        return 0;
    QByteArray out;
    QElapsedTimer t;
    t.start();
    while (!out.contains("ready:") && t.elapsed() < 60000 && p.state() == QProcess::Running) {
        p.waitForReadyRead(200);
        out += p.readAllStandardOutput();
    }
    const auto m = QRegularExpression(QStringLiteral("listening on http://127.0.0.1:(\\d+)")).match(QString::fromUtf8(out));
    if (!out.contains("ready:") || !m.hasMatch()) {
        qWarning("serve did not get ready: %s %s", out.constData(), p.readAllStandardError().constData());
        return 0;
    }
    return quint16(m.captured(1).toUInt());
}

} // namespace orrery::testing
