#include "core/demo/replay_request.h"

#include "core/demo/replay_stream.h"

#include <QJsonDocument>

namespace orrery::demo {
namespace {

// The generator's columns that hold numbers (an FP32 input may take only these).
bool numericColumn(const QString &name)
{
    static const QStringList numeric = {QStringLiteral("amount"), QStringLiteral("distance_from_home_km"), QStringLiteral("customer_age"),
                                        QStringLiteral("account_age_days"), QStringLiteral("transactions_last_24h"), QStringLiteral("is_fraud")};
    return numeric.contains(name);
}

} // namespace

Result<ReplayRequest> ReplayRequest::fromSignature(const QJsonObject &signature)
{
    const QStringList known = data::FraudGenerator::columnNames();
    const QJsonArray inputs = signature.value(QStringLiteral("inputs")).toArray();
    if (inputs.isEmpty())
        return invalidArgument(QStringLiteral("the signature names no inputs, so there is nothing to fill with the demo's transactions"));
    ReplayRequest request;
    for (const auto &value : inputs) {
        const QJsonObject o = value.toObject();
        Input input;
        input.name = o.value(QStringLiteral("name")).toString();
        const QString dtype = o.value(QStringLiteral("dtype")).toString(o.value(QStringLiteral("datatype")).toString(QStringLiteral("FP32")));
        if (input.name.isEmpty())
            return invalidArgument(QStringLiteral("the signature has an input without a name"));
        if (dtype != QLatin1String("FP32") && dtype != QLatin1String("BYTES"))
            return invalidArgument(QStringLiteral("input '%1' of the signature is %2; demo replay sends FP32 and BYTES").arg(input.name, dtype));
        input.text = dtype == QLatin1String("BYTES");
        const QJsonArray columns = o.value(QStringLiteral("columns")).toArray();
        if (columns.isEmpty())
            return invalidArgument(QStringLiteral("input '%1' of the signature names no columns; demo replay fills inputs by the dataset's column names "
                                                  "(the demo's models have them)").arg(input.name));
        for (const auto &c : columns) {
            const QString column = c.toString();
            const int index = int(known.indexOf(column));
            if (index < 0)
                return invalidArgument(QStringLiteral("input '%1' of the signature takes column '%2', which the demo's transactions do not have (they have %3)")
                                           .arg(input.name, column, known.join(QStringLiteral(", "))));
            if (!input.text && !numericColumn(column))
                return invalidArgument(QStringLiteral("input '%1' of the signature is FP32 but takes column '%2', which holds text").arg(input.name, column));
            input.columns.append(index);
        }
        const QJsonArray shape = o.value(QStringLiteral("shape")).toArray();
        const qint64 width = shape.size() > 1 ? shape[1].toInteger(1) : 1;
        if (width != input.columns.size())
            return invalidArgument(QStringLiteral("input '%1' of the signature is %2 wide but names %3 columns").arg(input.name).arg(width).arg(input.columns.size()));
        request.m_inputs.append(input);
    }
    return request;
}

QByteArray ReplayRequest::body(const QString &id, const std::vector<data::FraudTransaction> &rows) const
{
    std::vector<QList<QByteArray>> cells;
    cells.reserve(rows.size());
    for (const auto &t : rows)
        cells.push_back(ReplayStream::cells(t));
    QJsonArray inputs;
    for (const Input &input : m_inputs) {
        QJsonArray data;
        for (const auto &row : cells)
            for (const int c : input.columns) {
                const QByteArray &cell = row[c];
                if (input.text)
                    data.append(QString::fromUtf8(cell));
                else if (cell.isEmpty())
                    data.append(QJsonValue::Null); // a missing value (customer_age of a few rows)
                else
                    data.append(cell.toDouble());
            }
        inputs.append(QJsonObject{{QStringLiteral("name"), input.name},
                                  {QStringLiteral("datatype"), input.text ? QStringLiteral("BYTES") : QStringLiteral("FP32")},
                                  {QStringLiteral("shape"), QJsonArray{qint64(rows.size()), qint64(input.columns.size())}},
                                  {QStringLiteral("data"), data}});
    }
    return QJsonDocument(QJsonObject{{QStringLiteral("id"), id}, {QStringLiteral("inputs"), inputs}}).toJson(QJsonDocument::Compact);
}

void ReplayRequest::appendLabels(QJsonArray &labels, const QString &requestId, const std::vector<qint8> &rowLabels)
{
    for (size_t r = 0; r < rowLabels.size(); ++r)
        if (rowLabels[r] >= 0)
            labels.append(QJsonObject{{QStringLiteral("request_id"), requestId}, {QStringLiteral("label"), int(rowLabels[r])}, {QStringLiteral("row"), qint64(r)}});
}

} // namespace orrery::demo
