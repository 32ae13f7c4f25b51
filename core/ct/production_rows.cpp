#include "core/ct/production_rows.h"

#include "core/common/random.h"
#include "core/registry/model_registry.h"
#include "core/store/database.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QSet>

#include <algorithm>
#include <cmath>

namespace orrery::ct {
namespace {

constexpr int kMaxProblems = 5;

void note(ProductionRowsReport *report, const QString &problem)
{
    if (report->problems.size() < kMaxProblems && !report->problems.contains(problem))
        report->problems << problem;
}

QString cellOf(const QJsonValue &v)
{
    if (v.isString())
        return v.toString();
    if (v.isDouble())
        return floatCell(v.toDouble());
    if (v.isBool())
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    return QString(); // null: a missing value
}

} // namespace

QString floatCell(double value)
{
    if (!std::isfinite(value))
        return QString();
    const float f = float(value);
    if (std::nearbyint(f) == f && std::fabs(f) < 1e15f)
        return QString::number(qint64(f));
    for (int precision = 1; precision <= 9; ++precision) {
        const QString text = QString::number(double(f), 'g', precision);
        if (text.toFloat() == f)
            return text;
    }
    return QString::number(double(f), 'g', 9);
}

QString numberCell(double value)
{
    if (!std::isfinite(value))
        return QString();
    if (std::nearbyint(value) == value && std::fabs(value) < 1e15)
        return QString::number(qint64(value));
    return QString::number(value, 'g', QLocale::FloatingPointShortest);
}

ProductionRowReader::ProductionRowReader(store::Database &db, const CtConfig &config) : m_db(db), m_config(config) {}

Result<const QHash<QString, std::vector<int>> *> ProductionRowReader::inputMap(const QString &version, const QStringList &header, QString *why)
{
    if (auto it = m_maps.constFind(version); it != m_maps.constEnd())
        return &it.value();
    if (auto it = m_unmappable.constFind(version); it != m_unmappable.constEnd()) {
        *why = it.value();
        return static_cast<const QHash<QString, std::vector<int>> *>(nullptr);
    }
    bool ok = false;
    const int number = version.toInt(&ok);
    registry::ModelRegistry registry(m_db);
    auto found = ok ? registry.version(m_config.model, number) : Result<registry::ModelVersion>(notFound(QString()));
    QString problem;
    QHash<QString, std::vector<int>> map;
    if (!found) {
        if (found.status().code() != ErrorCode::NotFound)
            return found.status();
        problem = QStringLiteral("%1 has no version '%2' in the registry, so its inputs cannot be read back").arg(m_config.model, version);
    } else {
        const QJsonArray inputs = found->signature.value(QStringLiteral("inputs")).toArray();
        if (inputs.isEmpty())
            problem = QStringLiteral("%1 v%2 has no signature, so its inputs cannot be read back").arg(m_config.model, version);
        for (const QJsonValue &value : inputs) {
            const QJsonObject input = value.toObject();
            const QJsonArray columns = input.value(QStringLiteral("columns")).toArray();
            if (columns.isEmpty()) {
                problem = QStringLiteral("input '%1' of %2 v%3 names no columns, so its values have no place in the dataset")
                              .arg(input.value(QStringLiteral("name")).toString(), m_config.model, version);
                break;
            }
            std::vector<int> indexes;
            for (const QJsonValue &c : columns)
                indexes.push_back(int(header.indexOf(c.toString())));
            map.insert(input.value(QStringLiteral("name")).toString(), indexes);
        }
    }
    if (!problem.isEmpty()) {
        m_unmappable.insert(version, problem);
        *why = problem;
        return static_cast<const QHash<QString, std::vector<int>> *>(nullptr);
    }
    return &m_maps.insert(version, map).value();
}

Result<std::vector<ProductionRow>> ProductionRowReader::read(const QStringList &header, qint64 afterFeedbackId, ProductionRowsReport *report)
{
    const DatasetConfig &dataset = m_config.dataset;
    const int labelColumn = int(header.indexOf(dataset.label));
    if (labelColumn < 0)
        return invalidArgument(QStringLiteral("the dataset %1 has no column '%2' (ct.yaml's dataset.label); its columns are: %3")
                                   .arg(dataset.path, dataset.label, header.join(QStringLiteral(", "))));
    // What fills each column no input carries.
    QHash<int, const ColumnFill *> fills;
    for (const ColumnFill &fill : dataset.columns) {
        const int c = int(header.indexOf(fill.column));
        if (c < 0)
            return invalidArgument(QStringLiteral("ct.yaml's dataset.columns names '%1', which the dataset %2 does not have; its columns are: %3")
                                       .arg(fill.column, dataset.path, header.join(QStringLiteral(", "))));
        fills.insert(c, &fill);
    }

    // Labels in the log's order; the newest label of a (prediction, row) wins.
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral(
        "SELECT f.id, f.prediction_id, f.row, f.label_number, f.label_text, p.version, p.time, p.request_id, p.rows, p.inputs "
        "FROM feedback f JOIN predictions p ON p.id = f.prediction_id "
        "WHERE f.endpoint = ?1 AND p.endpoint = ?1 AND f.id > ?2 AND f.prediction_id IS NOT NULL "
        "ORDER BY f.prediction_id, f.row, f.id")));
    s.bind(1, m_config.endpoint).bind(2, afterFeedbackId);

    std::vector<ProductionRow> rows;
    QSet<int> filled;
    qint64 parsedPrediction = -1;
    QJsonObject inputs;
    enum class Outcome { Usable, WithoutInputs, Unusable };
    struct Pending {
        qint64 predictionId = -1;
        int row = 0;
        ProductionRow out;
        Outcome outcome = Outcome::Unusable;
    } pending;
    auto flush = [&] {
        if (pending.predictionId < 0)
            return;
        ++report->labelled;
        switch (pending.outcome) {
        case Outcome::Usable:
            ++report->usable;
            rows.push_back(std::move(pending.out));
            break;
        case Outcome::WithoutInputs: ++report->withoutInputs; break;
        case Outcome::Unusable: ++report->unusable; break;
        }
        pending = Pending();
    };
    while (s.next()) {
        const qint64 feedbackId = s.int64(0), predictionId = s.int64(1);
        const int row = int(s.int64(2));
        report->feedbackThrough = qMax(report->feedbackThrough, feedbackId);
        if (predictionId != pending.predictionId || row != pending.row)
            flush();
        // A newer label of the same row replaces the one before (the rows come sorted by feedback id).
        pending = Pending();
        pending.predictionId = predictionId;
        pending.row = row;
        if (s.isNull(9)) {
            pending.outcome = Outcome::WithoutInputs;
            continue;
        }
        if (predictionId != parsedPrediction) {
            inputs = QJsonDocument::fromJson(s.text(9).toUtf8()).object();
            parsedPrediction = predictionId;
        }
        const QString version = s.text(5);
        QString why;
        ORRERY_ASSIGN_OR_RETURN(const auto *map, inputMap(version, header, &why));
        if (!map) {
            note(report, why);
            continue;
        }
        ProductionRow out;
        out.predictionId = predictionId;
        out.row = row;
        out.time = s.int64(6);
        out.feedbackId = feedbackId;
        out.cells = QStringList(header.size(), QString());
        bool fits = true;
        for (auto it = map->constBegin(); it != map->constEnd() && fits; ++it) {
            const QJsonArray tensorRows = inputs.value(it.key()).toArray();
            const QJsonArray values = row >= 0 && row < tensorRows.size() ? tensorRows.at(row).toArray() : QJsonArray();
            if (values.size() != int(it.value().size())) {
                fits = false;
                note(report, QStringLiteral("prediction %1 has no row %2 of %3 wide in input '%4'").arg(predictionId).arg(row).arg(it.value().size()).arg(it.key()));
                break;
            }
            for (int c = 0; c < values.size(); ++c)
                if (const int column = it.value()[size_t(c)]; column >= 0 && column != labelColumn) {
                    out.cells[column] = cellOf(values.at(c));
                    filled.insert(column);
                }
        }
        if (!fits)
            continue;
        out.cells[labelColumn] = s.isNull(3) ? s.text(4) : numberCell(s.real(3));
        const QString requestId = s.text(7);
        const bool several = s.int64(8) > 1;
        for (auto it = fills.constBegin(); it != fills.constEnd(); ++it) {
            switch (it.value()->kind) {
            case ColumnFill::Kind::Time:
                out.cells[it.key()] = QDateTime::fromMSecsSinceEpoch(out.time, Qt::UTC).toString(Qt::ISODate);
                break;
            case ColumnFill::Kind::Request:
                out.cells[it.key()] = several ? QStringLiteral("%1#%2").arg(requestId).arg(row) : requestId;
                break;
            case ColumnFill::Kind::Prediction:
                out.cells[it.key()] = QStringLiteral("P%1-%2").arg(predictionId).arg(row);
                break;
            case ColumnFill::Kind::Constant:
                out.cells[it.key()] = it.value()->value;
                break;
            }
        }
        pending.out = std::move(out);
        pending.outcome = Outcome::Usable;
    }
    ORRERY_TRY(s.status());
    flush();
    if (!rows.empty())
        for (int c = 0; c < header.size(); ++c)
            if (c != labelColumn && !filled.contains(c) && !fills.contains(c))
                report->emptyColumns << header[c];
    return rows;
}

std::vector<ProductionRow> chooseRows(std::vector<ProductionRow> rows, const DatasetConfig &dataset, qint64 nowMs)
{
    switch (dataset.policy) {
    case DataPolicy::All:
        return rows;
    case DataPolicy::Recent: {
        const qint64 from = nowMs - dataset.windowMs;
        rows.erase(std::remove_if(rows.begin(), rows.end(), [&](const ProductionRow &r) { return r.time < from; }), rows.end());
        return rows;
    }
    case DataPolicy::Sample: {
        if (rows.size() <= size_t(dataset.rows))
            return rows;
        // A partial Fisher–Yates shuffle of the indexes with the seeded generator: the same log
        // and seed choose the same rows on every machine; the chosen keep the log's order.
        common::Random random(dataset.seed);
        std::vector<size_t> index(rows.size());
        for (size_t i = 0; i < index.size(); ++i)
            index[i] = i;
        for (size_t i = 0; i < size_t(dataset.rows); ++i)
            std::swap(index[i], index[i + size_t(random.below(index.size() - i))]);
        index.resize(size_t(dataset.rows));
        std::sort(index.begin(), index.end());
        std::vector<ProductionRow> chosen;
        chosen.reserve(index.size());
        for (size_t i : index)
            chosen.push_back(std::move(rows[i]));
        return chosen;
    }
    }
    return rows;
}

} // namespace orrery::ct
