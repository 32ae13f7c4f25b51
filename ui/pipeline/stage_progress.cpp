#include "ui/pipeline/stage_progress.h"

#include <QFile>
#include <QRegularExpression>
#include <QStringList>

namespace orrery::ui {

namespace {

std::optional<StageProgress> parseLine(const QString &line)
{
    static const QRegularExpression tqdm(QStringLiteral(R"((\d{1,3})%\|[^|]*\|\s*(\d+)/(\d+)\b)"));
    static const QRegularExpression counted(
        QStringLiteral(R"(\b(epoch|step|batch|iter|iteration|trial|fold|chunk|rows?|files?|samples?)\s*[:#]?\s*(\d+)\s*(?:/|\bof\b)\s*(\d+)\b)"),
        QRegularExpression::CaseInsensitiveOption);
    if (const auto m = tqdm.match(line); m.hasMatch()) {
        StageProgress p{m.captured(2).toLongLong(), m.captured(3).toLongLong(), {}};
        if (p.total > 0 && p.done <= p.total) {
            p.label = QStringLiteral("%1/%2").arg(p.done).arg(p.total);
            return p;
        }
    }
    // The last counted unit on the line: "epoch 2/10 step 120/400" → the finer one, written last.
    std::optional<StageProgress> found;
    for (auto it = counted.globalMatch(line); it.hasNext();) {
        const auto m = it.next();
        StageProgress p{m.captured(2).toLongLong(), m.captured(3).toLongLong(), {}};
        if (p.total > 0 && p.done <= p.total) {
            p.label = QStringLiteral("%1 %2/%3").arg(m.captured(1).toLower()).arg(p.done).arg(p.total);
            found = p;
        }
    }
    return found;
}

} // namespace

std::optional<StageProgress> parseStageProgress(const QByteArray &logTail)
{
    const QString text = QString::fromUtf8(logTail);
    static const QRegularExpression breaks(QStringLiteral("[\r\n]"));
    const QStringList lines = text.split(breaks, Qt::SkipEmptyParts);
    for (auto it = lines.crbegin(); it != lines.crend(); ++it)
        if (auto p = parseLine(*it))
            return p;
    return std::nullopt;
}

QByteArray readLogTail(const QString &path, qint64 maxBytes)
{
    QFile f(path);
    if (path.isEmpty() || !f.open(QIODevice::ReadOnly))
        return {};
    const qint64 size = f.size();
    if (size > maxBytes)
        f.seek(size - maxBytes);
    return f.read(maxBytes);
}

} // namespace orrery::ui
