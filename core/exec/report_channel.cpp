#include "core/exec/report_channel.h"

#include "core/common/atomic_file.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QThread>

namespace orrery::exec {

namespace {

QString reportName(int step) { return QStringLiteral("report-%1.json").arg(step, 6, 10, QLatin1Char('0')); }
QString verdictName(int step) { return QStringLiteral("verdict-%1").arg(step, 6, 10, QLatin1Char('0')); }

std::optional<QJsonObject> readObject(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll());
    return doc.isObject() ? std::optional<QJsonObject>(doc.object()) : std::optional<QJsonObject>(QJsonObject());
}

} // namespace

ReportWriter::ReportWriter(QString dir, int verdictTimeoutMs) : m_dir(std::move(dir)), m_verdictTimeoutMs(verdictTimeoutMs) {}

std::optional<ReportWriter> ReportWriter::fromEnvironment()
{
    const QString dir = qEnvironmentVariable("ORRERY_REPORT_DIR");
    if (dir.isEmpty())
        return std::nullopt;
    return ReportWriter(dir);
}

Verdict ReportWriter::report(int step, const QJsonObject &values, const std::atomic<bool> *cancel) const
{
    if (!common::writeFileAtomically(m_dir + QLatin1Char('/') + reportName(step), QJsonDocument(values).toJson(QJsonDocument::Compact)))
        return Verdict::Continue;
    const QString verdictPath = m_dir + QLatin1Char('/') + verdictName(step);
    QElapsedTimer waited;
    waited.start();
    // The controller polls every few milliseconds; a short sleep keeps the wait cheap and the
    // answer prompt (an epoch of the demo model takes ~100 ms).
    while (waited.elapsed() < m_verdictTimeoutMs && !(cancel && cancel->load())) {
        QFile f(verdictPath);
        if (f.open(QIODevice::ReadOnly))
            return f.readAll().trimmed() == "stop" ? Verdict::Stop : Verdict::Continue;
        QThread::msleep(2);
    }
    return Verdict::Continue;
}

Status ReportWriter::writeResult(const QJsonObject &result) const
{
    return common::writeFileAtomically(m_dir + QStringLiteral("/result.json"), QJsonDocument(result).toJson(QJsonDocument::Compact));
}

QVector<Report> ReportReader::poll()
{
    QVector<Report> out;
    // Steps arrive in order from one writer, each waiting for its verdict: look for the next ones.
    for (int step = m_lastStep + 1;; ++step) {
        const auto values = readObject(m_dir + QLatin1Char('/') + reportName(step));
        if (!values)
            break;
        out.push_back(Report{step, *values});
        m_lastStep = step;
    }
    return out;
}

Status ReportReader::answer(int step, Verdict verdict) const
{
    return common::writeFileAtomically(m_dir + QLatin1Char('/') + verdictName(step),
                                       verdict == Verdict::Stop ? QByteArrayLiteral("stop\n") : QByteArrayLiteral("continue\n"));
}

std::optional<QJsonObject> ReportReader::result() const
{
    return readObject(m_dir + QStringLiteral("/result.json"));
}

} // namespace orrery::exec
