#include "core/tracking/run_journal.h"

#include "core/common/atomic_file.h"
#include "core/common/system_info.h"
#include "core/tracking/artifact_store.h"
#include "core/tracking/tracking_store.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSysInfo>
#include <QUuid>

#include <cmath>

#include <unistd.h>

namespace orrery::tracking {

namespace {

QJsonObject keyValues(const QVector<KeyValue> &kv)
{
    QJsonObject o;
    for (const KeyValue &p : kv)
        o.insert(p.key, p.value);
    return o;
}

QString newId()
{
    return QUuid::createUuid().toString(QUuid::Id128);
}

} // namespace

QJsonValue journalMetricValue(double value)
{
    if (std::isnan(value))
        return QStringLiteral("NaN");
    if (std::isinf(value))
        return value > 0 ? QStringLiteral("Infinity") : QStringLiteral("-Infinity");
    return value;
}

bool parseJournalMetricValue(const QJsonValue &v, double *out)
{
    if (v.isDouble()) {
        *out = v.toDouble();
        return true;
    }
    const QString s = v.toString();
    if (s == QLatin1String("NaN"))
        *out = std::nan("");
    else if (s == QLatin1String("Infinity"))
        *out = INFINITY;
    else if (s == QLatin1String("-Infinity"))
        *out = -INFINITY;
    else
        return false;
    return true;
}

Result<std::unique_ptr<RunJournalWriter>> RunJournalWriter::open(const QString &jobDir)
{
    if (!QDir().mkpath(jobDir))
        return ioError(QStringLiteral("cannot make the job folder %1 for the run's journal").arg(jobDir));
    std::unique_ptr<RunJournalWriter> w(new RunJournalWriter);
    w->m_jobDir = QDir(jobDir).absolutePath();
    w->m_path = QDir(w->m_jobDir).filePath(QLatin1String(kRunJournalName));
    w->m_file.setFileName(w->m_path);
    if (!w->m_file.open(QIODevice::WriteOnly | QIODevice::Append))
        return ioError(QStringLiteral("cannot open the run journal %1: %2").arg(w->m_path, w->m_file.errorString()));
    // A torn line a killed earlier writer left would swallow the next record: end it, and say
    // so with a repair record (the reader then reports that line as torn, not as damage).
    if (w->m_file.size() > 0) {
        QFile check(w->m_path);
        if (check.open(QIODevice::ReadOnly) && check.seek(check.size() - 1) && check.read(1) != "\n")
            ORRERY_TRY(w->append(QJsonObject()));
    }
    return w;
}

RunJournalWriter::~RunJournalWriter()
{
    (void)flush();
}

Status RunJournalWriter::append(const QJsonObject &record)
{
    // The empty object stands for the repair after a torn line (open()).
    const QByteArray line = record.isEmpty() ? QByteArray("\n{\"type\":\"repair\"}\n") : QJsonDocument(record).toJson(QJsonDocument::Compact) + '\n';
    std::lock_guard<std::mutex> lock(m_writeMutex);
    if (m_file.write(line) != line.size() || !m_file.flush())
        return ioError(QStringLiteral("cannot write to the run journal %1: %2").arg(m_path, m_file.errorString()));
    if (::fsync(m_file.handle()) != 0)
        return ioError(QStringLiteral("cannot sync the run journal %1 to disk").arg(m_path));
    return Status::ok();
}

Result<QString> RunJournalWriter::start(const JournalRunStart &s)
{
    const QString runId = s.runId.isEmpty() ? newId() : s.runId;
    QJsonObject r{{QStringLiteral("type"), QStringLiteral("start")},
                  {QStringLiteral("run"), runId},
                  {QStringLiteral("session"), newId()},
                  {QStringLiteral("experiment"), s.experiment.isEmpty() ? QStringLiteral("Default") : s.experiment},
                  {QStringLiteral("name"), s.runName.isEmpty() && !s.resume ? generatedRunName() : s.runName},
                  {QStringLiteral("start_time"), s.startTime > 0 ? s.startTime : QDateTime::currentMSecsSinceEpoch()},
                  {QStringLiteral("user"), common::osUserName()},
                  {QStringLiteral("host"), QSysInfo::machineHostName()},
                  {QStringLiteral("resume"), s.resume},
                  {QStringLiteral("tags"), keyValues(s.tags)}};
    if (!s.parentRunId.isEmpty())
        r.insert(QStringLiteral("parent"), s.parentRunId);
    ORRERY_TRY(append(r));
    return runId;
}

Status RunJournalWriter::params(const QString &runId, const QVector<KeyValue> &params)
{
    ORRERY_TRY(flush());
    return append({{QStringLiteral("type"), QStringLiteral("params")}, {QStringLiteral("run"), runId}, {QStringLiteral("params"), keyValues(params)}});
}

Status RunJournalWriter::manifest(const QString &runId, const QJsonObject &manifest)
{
    ORRERY_TRY(flush());
    return append({{QStringLiteral("type"), QStringLiteral("manifest")}, {QStringLiteral("run"), runId}, {QStringLiteral("manifest"), manifest}});
}

Status RunJournalWriter::tags(const QString &runId, const QVector<KeyValue> &tags)
{
    ORRERY_TRY(flush());
    return append({{QStringLiteral("type"), QStringLiteral("tags")}, {QStringLiteral("run"), runId}, {QStringLiteral("tags"), keyValues(tags)}});
}

void RunJournalWriter::metric(const QString &runId, const QString &key, const MetricPoint &point)
{
    std::lock_guard<std::mutex> lock(m_metricsMutex);
    m_points.push_back({{runId, key}, point});
    if (int(m_points.size()) >= kJournalMetricBatch) {
        const Status s = writeMetrics();
        if (!s && m_metricError.isOk())
            m_metricError = s;
    }
}

Status RunJournalWriter::writeMetrics()
{
    // One record per run among the waiting points (almost always one run).
    while (!m_points.empty()) {
        const QString run = m_points.front().first.first;
        QJsonArray points;
        std::vector<std::pair<std::pair<QString, QString>, MetricPoint>> rest;
        for (const auto &[id, p] : m_points) {
            if (id.first != run) {
                rest.push_back({id, p});
                continue;
            }
            points.append(QJsonArray{id.second, p.step, p.timestamp, journalMetricValue(p.value)});
        }
        m_points.swap(rest);
        ORRERY_TRY(append({{QStringLiteral("type"), QStringLiteral("metrics")}, {QStringLiteral("run"), run}, {QStringLiteral("points"), points}}));
    }
    return Status::ok();
}

Status RunJournalWriter::flush()
{
    std::lock_guard<std::mutex> lock(m_metricsMutex);
    Status s = writeMetrics();
    if (!m_metricError.isOk()) {
        s = m_metricError;
        m_metricError = Status::ok();
    }
    return s;
}

Result<QString> RunJournalWriter::artifact(const QString &runId, const QString &path, const QString &source)
{
    ORRERY_ASSIGN_OR_RETURN(const QString clean, ArtifactStore::checkPath(path));
    ORRERY_TRY(flush());
    const QString relative = QStringLiteral("artifacts/%1/%2").arg(runId, clean);
    const QString target = QDir(m_jobDir).filePath(relative);
    if (!QDir().mkpath(QFileInfo(target).absolutePath()))
        return ioError(QStringLiteral("cannot make the folder of %1").arg(target));
    QFile in(source);
    if (!in.open(QIODevice::ReadOnly))
        return ioError(QStringLiteral("cannot read artifact %1 (%2): %3").arg(path, source, in.errorString()));
    common::AtomicFile out(target);
    ORRERY_TRY(out.open());
    QCryptographicHash md5(QCryptographicHash::Md5);
    QByteArray block(1 << 20, Qt::Uninitialized);
    qint64 size = 0;
    for (;;) {
        const qint64 n = in.read(block.data(), block.size());
        if (n < 0)
            return ioError(QStringLiteral("cannot read artifact %1 (%2): %3").arg(path, source, in.errorString()));
        if (n == 0)
            break;
        md5.addData(QByteArrayView(block.constData(), n));
        ORRERY_TRY(out.write(block.constData(), n));
        size += n;
    }
    ORRERY_TRY(out.commit());
    ORRERY_TRY(append({{QStringLiteral("type"), QStringLiteral("artifact")},
                       {QStringLiteral("run"), runId},
                       {QStringLiteral("path"), clean},
                       {QStringLiteral("file"), relative},
                       {QStringLiteral("md5"), QString::fromLatin1(md5.result().toHex())},
                       {QStringLiteral("size"), size}}));
    return target;
}

Status RunJournalWriter::end(const QString &runId, RunStatus status, qint64 endTime, const QString &reason)
{
    ORRERY_TRY(flush());
    QJsonObject r{{QStringLiteral("type"), QStringLiteral("end")},
                  {QStringLiteral("run"), runId},
                  {QStringLiteral("status"), QLatin1String(runStatusName(status))},
                  {QStringLiteral("end_time"), endTime > 0 ? endTime : QDateTime::currentMSecsSinceEpoch()}};
    if (!reason.isEmpty())
        r.insert(QStringLiteral("reason"), reason);
    return append(r);
}

Result<RunJournalContents> readRunJournal(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return ioError(QStringLiteral("cannot read the run journal %1: %2").arg(path, f.errorString()));
    const QList<QByteArray> lines = f.readAll().split('\n');
    RunJournalContents c;
    c.path = path;
    // split() leaves the text after the last newline as the last element: "" when the file ends
    // with one, else the record a killed job did not finish.
    for (int i = 0; i < lines.size(); ++i) {
        const int line = i + 1;
        const QByteArray &text = lines[i];
        if (i == lines.size() - 1) {
            if (!text.isEmpty())
                c.tornLines.append(line);
            break;
        }
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(text, &error);
        if (error.error == QJsonParseError::NoError && doc.isObject()) {
            if (doc.object().value(QLatin1String("type")).toString() != QLatin1String("repair"))
                c.records.append({line, doc.object()});
            continue;
        }
        // A record a killed job left unfinished, which the next writer ended (RunJournalWriter::open).
        const QByteArray &next = lines[i + 1];
        if (next.contains("\"type\":\"repair\"")) {
            c.tornLines.append(line);
            continue;
        }
        return invalidArgument(QStringLiteral("%1:%2: not a journal record (%3): %4")
                                   .arg(path)
                                   .arg(line)
                                   .arg(error.error != QJsonParseError::NoError ? error.errorString() : QStringLiteral("not a JSON object"),
                                        QString::fromUtf8(text.left(120))));
    }
    return c;
}

} // namespace orrery::tracking
