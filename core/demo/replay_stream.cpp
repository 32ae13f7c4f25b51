#include "core/demo/replay_stream.h"

#include <QFile>

#include <cmath>

namespace orrery::demo {
namespace {

// The generator spreads `rows` timestamps evenly over `spanSeconds`; a replay has no end, so it
// gets more rows than any replay sends, and the span that gives one row per step.
constexpr qint64 kEndlessRows = 1'000'000'000'000LL;

// The demo's default dataset: what a workspace without data/transactions.csv is taken to hold.
ReplayTimeline defaultTimeline()
{
    const data::FraudDataOptions o;
    ReplayTimeline t;
    t.stepSeconds = qMax<qint64>(2, qRound64(double(o.spanSeconds) / double(o.rows)));
    t.start = o.start.addSecs(o.spanSeconds);
    t.source = QStringLiteral("the demo's default dataset (%1 rows from %2)").arg(o.rows).arg(o.start.toString(Qt::ISODate));
    return t;
}

// "T0050000" → 50000; 0 when it is not the demo's id.
qint64 transactionNumber(const QByteArray &id)
{
    if (!id.startsWith('T'))
        return 0;
    bool ok = false;
    const qint64 n = id.mid(1).toLongLong(&ok);
    return ok ? n : 0;
}

} // namespace

Result<ReplayShift> parseReplayShift(const QString &text)
{
    const QString form = QStringLiteral("amount=2.5,online=0.8,fraud=1.5,category=crypto_exchange:0.2");
    ReplayShift shift;
    const QStringList parts = text.split(QLatin1Char(','), Qt::SkipEmptyParts);
    if (parts.isEmpty())
        return invalidArgument(QStringLiteral("--shift is empty; give it as %1").arg(form));
    for (const QString &raw : parts) {
        const QString part = raw.trimmed();
        const qsizetype eq = part.indexOf(QLatin1Char('='));
        const QString key = part.left(eq).trimmed();
        if (eq >= 0 && key == QLatin1String("category")) {
            // NAME:SHARE — the name is checked by the generator's rule (new, CSV-safe).
            const QString spec = part.mid(eq + 1).trimmed();
            const qsizetype colon = spec.lastIndexOf(QLatin1Char(':'));
            bool shareOk = false;
            const double share = colon < 0 ? 0 : spec.mid(colon + 1).trimmed().toDouble(&shareOk);
            if (colon <= 0 || !shareOk || !std::isfinite(share))
                return invalidArgument(QStringLiteral("--shift: '%1' is no category=NAME:SHARE (e.g. category=crypto_exchange:0.2)").arg(part));
            data::FraudShift check;
            check.newCategory = spec.left(colon).trimmed();
            check.newCategoryShare = share;
            if (const Status s = data::validateFraudShift(check); !s)
                return invalidArgument(QStringLiteral("--shift: %1").arg(s.message()));
            shift.newCategory = check.newCategory;
            shift.newCategoryShare = share;
            continue;
        }
        bool ok = false;
        const double value = eq < 0 ? 0 : part.mid(eq + 1).trimmed().toDouble(&ok);
        if (eq < 0 || !ok || !std::isfinite(value))
            return invalidArgument(QStringLiteral("--shift: '%1' is no KEY=NUMBER; give it as %2").arg(part, form));
        if (key == QLatin1String("amount")) {
            if (value <= 0)
                return invalidArgument(QStringLiteral("--shift: amount is a factor above 0, got %1").arg(value));
            shift.amountScale = value;
        } else if (key == QLatin1String("online")) {
            if (value < 0 || value > 1)
                return invalidArgument(QStringLiteral("--shift: online is a share from 0 to 1, got %1").arg(value));
            shift.onlineShare = value;
        } else if (key == QLatin1String("fraud")) {
            if (value < 0)
                return invalidArgument(QStringLiteral("--shift: fraud is a factor of 0 or more, got %1").arg(value));
            shift.fraudRateScale = value;
        } else {
            return invalidArgument(QStringLiteral("--shift: unknown key '%1' (amount, online, fraud or category); give it as %2").arg(key, form));
        }
    }
    return shift;
}

QString replayShiftText(const ReplayShift &shift)
{
    QString text = QStringLiteral("amount x%1, online share %2, fraud rate x%3").arg(shift.amountScale).arg(shift.onlineShare).arg(shift.fraudRateScale);
    if (!shift.newCategory.isEmpty())
        text += QStringLiteral(", new category %1 in %2% of transactions").arg(shift.newCategory).arg(shift.newCategoryShare * 100.0, 0, 'g', 4);
    return text;
}

ReplayTimeline timelineAfter(const QString &datasetCsv)
{
    QFile file(datasetCsv);
    if (datasetCsv.isEmpty() || !file.open(QIODevice::ReadOnly))
        return defaultTimeline();
    const QList<QByteArray> header = file.readLine(64 * 1024).trimmed().split(',');
    const qsizetype idColumn = header.indexOf("transaction_id");
    const qsizetype timeColumn = header.indexOf("timestamp");
    const QList<QByteArray> first = file.readLine(64 * 1024).trimmed().split(',');
    // The last row: the last non-empty line of the file's tail.
    const qint64 size = file.size();
    file.seek(qMax<qint64>(0, size - 64 * 1024));
    QList<QByteArray> lines = file.readAll().split('\n');
    QList<QByteArray> last;
    while (!lines.isEmpty() && last.isEmpty()) {
        const QByteArray line = lines.takeLast().trimmed();
        if (!line.isEmpty())
            last = line.split(',');
    }
    if (idColumn < 0 || timeColumn < 0 || first.size() != header.size() || last.size() != header.size())
        return defaultTimeline();
    const QDateTime firstTime = QDateTime::fromString(QString::fromLatin1(first[timeColumn]), Qt::ISODate);
    const QDateTime lastTime = QDateTime::fromString(QString::fromLatin1(last[timeColumn]), Qt::ISODate);
    const qint64 firstNumber = transactionNumber(first[idColumn]);
    const qint64 lastNumber = transactionNumber(last[idColumn]);
    if (!firstTime.isValid() || !lastTime.isValid() || lastNumber <= firstNumber || lastTime <= firstTime)
        return defaultTimeline();
    ReplayTimeline t;
    t.stepSeconds = qMax<qint64>(2, qRound64(double(firstTime.secsTo(lastTime)) / double(lastNumber - firstNumber)));
    t.start = lastTime.toUTC().addSecs(t.stepSeconds);
    t.source = datasetCsv;
    return t;
}

namespace {

data::FraudDataOptions streamOptions(quint64 seed, const ReplayTimeline &timeline, qint64 shiftFromRow, const ReplayShift &shift)
{
    data::FraudDataOptions o;
    o.seed = seed;
    o.rows = kEndlessRows;
    o.start = timeline.start;
    o.spanSeconds = kEndlessRows * qMax<qint64>(2, timeline.stepSeconds);
    if (shiftFromRow >= 0) {
        // Row i's time is start + i·step plus up to 1 s of jitter, and step ≥ 2 s: so rows before
        // shiftFromRow stay before this instant and the rows from it on are at or after it.
        o.shift.from = timeline.start.addSecs(shiftFromRow * qMax<qint64>(2, timeline.stepSeconds));
        o.shift.amountScale = shift.amountScale;
        o.shift.onlineShare = shift.onlineShare;
        o.shift.fraudRateScale = shift.fraudRateScale;
        o.shift.newCategory = shift.newCategory;
        o.shift.newCategoryShare = shift.newCategoryShare;
    }
    return o;
}

} // namespace

ReplayStream::ReplayStream(quint64 seed, const ReplayTimeline &timeline, qint64 shiftFromRow, const ReplayShift &shift)
    : m_generator(streamOptions(seed, timeline, shiftFromRow, shift))
{
}

std::vector<data::FraudTransaction> ReplayStream::next(int rows)
{
    std::vector<data::FraudTransaction> out;
    out.reserve(size_t(qMax(0, rows)));
    for (int i = 0; i < rows && !m_generator.atEnd(); ++i)
        out.push_back(m_generator.next());
    m_rows += qint64(out.size());
    return out;
}

QList<QByteArray> ReplayStream::cells(const data::FraudTransaction &t)
{
    QByteArray line = data::FraudGenerator::csvLine(t);
    line.chop(1); // '\n'
    return line.split(',');
}

} // namespace orrery::demo
